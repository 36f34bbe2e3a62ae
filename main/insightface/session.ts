// The one place that creates onnxruntime sessions: execution-provider choice with CPU
// fallback, thread counts, quiet logging, warm-up, and feeds checked against the model's
// declared inputs before `run` (the layering transformers.js uses in src/models/session.js).
import * as ort from 'onnxruntime-node';

/** A model file that onnxruntime could not load. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(
    readonly file: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${detail}`, options);
  }
}

/** Feeds that do not match the model's declared inputs. */
export class FeedError extends Error {
  override readonly name = 'FeedError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}

export interface TensorSpec {
  name: string;
  /** Declared dims: a number, or null where the model leaves the dim free. */
  dims: (number | null)[];
}

export interface SessionOptions {
  /**
   * Execution providers to try, in order, e.g. ['cuda', 'cpu']; 'auto' means the platform's
   * accelerator where the runtime has one (CUDA on Linux, DirectML on Windows, CoreML on macOS).
   * CPU is always the last resort. Default: ['cpu'].
   */
  providers?: string[];
  /** onnxruntime intra-op threads; 0 or undefined = the runtime's default. */
  intraOpNumThreads?: number;
}

// Accelerators that failed to start once (their libraries are missing): not retried per model.
const unavailable = new Set<string>();

/** The accelerator this platform's onnxruntime build can have. */
export function platformAccelerator(): string | null {
  switch (process.platform) {
    case 'linux':
      return 'cuda';
    case 'win32':
      return 'dml';
    case 'darwin':
      return 'coreml';
    default:
      return null;
  }
}

/** Providers to try, in order, ending with 'cpu'. */
export function resolveProviders(requested: readonly string[] | undefined): string[] {
  const out: string[] = [];
  const supported = new Set(ort.listSupportedBackends().map((b) => b.name));
  for (const p of requested ?? ['cpu']) {
    const name = p === 'auto' ? platformAccelerator() : p.toLowerCase();
    // The Node binding lists the EPs it was built with; an EP missing here cannot load.
    if (
      name &&
      !out.includes(name) &&
      !unavailable.has(name) &&
      (name === 'cpu' || supported.has(name) || name === 'coreml')
    ) {
      out.push(name);
    }
  }
  if (!out.includes('cpu')) out.push('cpu');
  return out;
}

function specOf(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorSpec[] {
  return meta.map((m) => ({
    name: m.name,
    dims: m.isTensor ? m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : null)) : [],
  }));
}

const fmtDims = (dims: readonly (number | null)[]): string => `[${dims.map((d) => d ?? '?').join(',')}]`;

/** One loaded model: its session, declared signature, and the provider applied. */
export class ModelSession {
  private constructor(
    readonly file: string,
    private readonly session: ort.InferenceSession,
    readonly provider: string,
    readonly inputs: TensorSpec[],
    readonly outputs: TensorSpec[],
  ) {}

  /** Loads `bytes` (the contents of `file`) with the first provider that works. */
  static async create(file: string, bytes: Uint8Array, opts: SessionOptions = {}): Promise<ModelSession> {
    const providers = resolveProviders(opts.providers);
    let lastError: unknown;
    const failed: string[] = [];
    for (const provider of providers) {
      const options: ort.InferenceSession.SessionOptions = {
        executionProviders: [provider],
        // 3: errors only; onnxruntime's warnings about unused initialisers are noise here.
        logSeverityLevel: 3,
        graphOptimizationLevel: 'all',
        // No spin-waiting in onnxruntime's intra-op threads after each run: a door kiosk runs a
        // few models a few times a second, and on the 2-core door PC spinning threads cost idle
        // CPU (npm run bench, idle: about 3 points of one core) for no measurable latency gain.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      };
      if (opts.intraOpNumThreads && opts.intraOpNumThreads > 0)
        options.intraOpNumThreads = opts.intraOpNumThreads;
      try {
        const session = await ort.InferenceSession.create(bytes, options);
        // The model loads, so the accelerators before this one are what failed.
        for (const p of failed) unavailable.add(p);
        return new ModelSession(
          file,
          session,
          provider,
          specOf(session.inputMetadata),
          specOf(session.outputMetadata),
        );
      } catch (err) {
        lastError = err;
        failed.push(provider);
      }
    }
    const why = lastError instanceof Error ? lastError.message : String(lastError);
    throw new ModelLoadError(file, `not a loadable ONNX model (${why.split('\n')[0]})`, { cause: lastError });
  }

  get inputNames(): readonly string[] {
    return this.inputs.map((i) => i.name);
  }

  get outputNames(): readonly string[] {
    return this.outputs.map((o) => o.name);
  }

  /** Checks every feed against the declared inputs: names, rank and fixed dims. */
  checkFeeds(feeds: Record<string, ort.Tensor>): void {
    const given = Object.keys(feeds);
    for (const spec of this.inputs) {
      const t = feeds[spec.name];
      if (!t) {
        throw new FeedError(
          this.file,
          `missing input '${spec.name}' ${fmtDims(spec.dims)}; given ${given.map((g) => `'${g}'`).join(', ') || 'nothing'}`,
        );
      }
      const ok =
        t.dims.length === spec.dims.length && spec.dims.every((d, i) => d === null || d === t.dims[i]);
      if (!ok) {
        throw new FeedError(
          this.file,
          `input '${spec.name}' expects ${fmtDims(spec.dims)} but got ${t.type} ${fmtDims(t.dims as number[])}`,
        );
      }
    }
    for (const g of given) {
      if (!this.inputs.some((s) => s.name === g)) {
        throw new FeedError(this.file, `unknown input '${g}'; the model takes ${this.inputNames.join(', ')}`);
      }
    }
  }

  async run(feeds: Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
    this.checkFeeds(feeds);
    return this.session.run(feeds);
  }

  /** One run on zeros, so the first real frame does not pay for allocation and kernel set-up. */
  async warmUp(freeDims: readonly number[] = []): Promise<void> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const spec of this.inputs) {
      let free = 0;
      // Batch dim 1; other free dims from `freeDims` in order (e.g. a detector's H, W).
      const dims = spec.dims.map((d, i) => d ?? (i === 0 ? 1 : (freeDims[free++] ?? 1)));
      const size = dims.reduce((a, b) => a * b, 1);
      feeds[spec.name] = new ort.Tensor('float32', new Float32Array(size), dims);
    }
    await this.run(feeds);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export { ort };
