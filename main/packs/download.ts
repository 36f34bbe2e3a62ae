// Streams one URL to a partial file with progress, resume (HTTP Range), retries with backoff,
// an idle timeout that names the URL, a free-disk check and cancel. The fetch function is
// injected: Electron's net.fetch (system proxy) in the app, an env-proxy fetch in the CLI.
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PackError } from './errors.js';
import { formatBytes, statfsFreeSpace, type FreeSpace } from './hash.js';

export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<Response>;

/** Plain, serialisable progress of one transfer. */
export interface TransferProgress {
  /** Bytes on disk so far, including a resumed prefix. */
  bytes: number;
  total: number | null;
  /** Bytes per second over this session. */
  bytesPerSecond: number;
  etaSeconds: number | null;
}

export interface DownloadOptions {
  url: string;
  /** The partial file. It is kept after a cut, so the next try resumes with Range. */
  dest: string;
  fetch: FetchLike;
  signal?: AbortSignal;
  onProgress?: (progress: TransferProgress) => void;
  /** Known size (from the catalog), for the disk check before the first byte. */
  expectedSize?: number;
  /** Bytes needed on top of the download itself (the extracted files). */
  extraSpace?: number;
  /** No response or no data for this long fails the attempt. Default 30 s. */
  timeoutMs?: number;
  /** Further attempts after a network error, timeout or 5xx. Default 3. */
  retries?: number;
  /** First backoff; doubles per attempt. Default 500 ms. */
  backoffMs?: number;
  freeSpace?: FreeSpace;
  /** Progress events at most this often (the last one always goes out). Default 100 ms. */
  progressIntervalMs?: number;
}

interface PartialMeta {
  url: string;
  etag?: string;
  lastModified?: string;
}

const metaPath = (dest: string) => `${dest}.json`;

async function readMeta(dest: string): Promise<PartialMeta | null> {
  try {
    return JSON.parse(await readFile(metaPath(dest), 'utf8')) as PartialMeta;
  } catch {
    return null;
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** Removes a partial download and its metadata. */
export async function discardPartial(dest: string): Promise<void> {
  await rm(dest, { force: true });
  await rm(metaPath(dest), { force: true });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function ensureSpace(dir: string, need: number, freeSpace: FreeSpace, url: string): Promise<void> {
  const free = await freeSpace(dir);
  if (free < need) {
    throw new PackError(
      'DISK_FULL',
      `not enough disk space in ${dir} for ${url}: need ${formatBytes(need)}, ${formatBytes(free)} free`,
    );
  }
}

/** An attempt that may be retried (network error, timeout, 5xx). */
class RetryableError extends Error {
  constructor(
    readonly packError: PackError,
    readonly gotBytes: boolean,
  ) {
    super(packError.message);
  }
}

/** Downloads `url` into `dest`; resolves with the file's final size. */
export async function downloadFile(options: DownloadOptions): Promise<number> {
  const {
    url,
    dest,
    signal,
    timeoutMs = 30_000,
    retries = 3,
    backoffMs = 500,
    freeSpace = statfsFreeSpace,
    extraSpace = 0,
  } = options;
  const dir = path.dirname(dest);
  const cancelled = () => new PackError('CANCELLED', `download of ${url} was cancelled`);
  if (options.expectedSize !== undefined) {
    const have = await sizeOf(dest);
    await ensureSpace(dir, Math.max(0, options.expectedSize - have) + extraSpace, freeSpace, url);
  }
  const progress = new ProgressMeter(options.onProgress, options.progressIntervalMs ?? 100);
  let lastError: RetryableError | null = null;
  try {
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (signal?.aborted) throw cancelled();
      if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1), signal);
      try {
        return await attemptDownload(options, { timeoutMs, freeSpace, extraSpace, progress });
      } catch (error) {
        if (signal?.aborted) throw cancelled();
        if (!(error instanceof RetryableError)) throw error;
        lastError = error;
      }
    }
  } catch (error) {
    if (signal?.aborted) {
      await discardPartial(dest);
      throw cancelled();
    }
    throw error;
  }
  throw lastError!.packError;
}

class ProgressMeter {
  private lastEmit = 0;
  private maxBytes = 0;
  private sessionStart = Date.now();
  private sessionBase = -1;
  total: number | null = null;

  constructor(
    private readonly listener: ((p: TransferProgress) => void) | undefined,
    private readonly intervalMs: number,
  ) {}

  update(bytes: number, force = false): void {
    if (this.sessionBase < 0) {
      this.sessionBase = bytes;
      this.sessionStart = Date.now();
    }
    if (!this.listener) return;
    const now = Date.now();
    // A server that ignores Range restarts from 0: hold the bar rather than move it back.
    if (bytes < this.maxBytes || (!force && now - this.lastEmit < this.intervalMs)) return;
    this.maxBytes = bytes;
    this.lastEmit = now;
    const seconds = Math.max((now - this.sessionStart) / 1000, 1e-3);
    const bytesPerSecond = Math.max(0, bytes - this.sessionBase) / seconds;
    const etaSeconds =
      this.total !== null && bytesPerSecond > 0 ? Math.max(0, (this.total - bytes) / bytesPerSecond) : null;
    this.listener({ bytes, total: this.total, bytesPerSecond, etaSeconds });
  }
}

interface AttemptContext {
  timeoutMs: number;
  freeSpace: FreeSpace;
  extraSpace: number;
  progress: ProgressMeter;
}

function parseContentRange(header: string | null): { start: number; total: number | null } | null {
  const m = header?.match(/^bytes (\d+)-\d+\/(\d+|\*)$/);
  if (!m) return null;
  return { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) };
}

async function attemptDownload(options: DownloadOptions, ctx: AttemptContext): Promise<number> {
  const { url, dest } = options;
  const meta = await readMeta(dest);
  let offset = meta?.url === url ? await sizeOf(dest) : 0;
  if (offset === 0) await discardPartial(dest);
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (offset > 0) {
    headers.range = `bytes=${offset}-`;
    const validator = meta?.etag ?? meta?.lastModified;
    if (validator) headers['if-range'] = validator;
  }

  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const armTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, ctx.timeoutMs);
  };
  // Some fetch implementations ignore the signal once the body streams: race every await.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });
  aborted.catch(() => {});
  let received = false;
  const fail = (error: unknown): never => {
    if (options.signal?.aborted) throw error;
    if (timedOut) {
      throw new RetryableError(
        new PackError('TIMEOUT', `timed out after ${ctx.timeoutMs / 1000} s without data from ${url}`),
        received,
      );
    }
    if (error instanceof PackError || error instanceof RetryableError) throw error;
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new RetryableError(
      received
        ? new PackError('INTERRUPTED', `download of ${url} was interrupted (${detail}); try again to resume`)
        : new PackError(
            'OFFLINE',
            `cannot reach ${url} (${detail}). The computer seems to be offline: ` +
              'connect it, or import the pack from a zip file or folder instead',
          ),
      received,
    );
  };

  armTimer();
  try {
    let response: Response;
    try {
      response = await Promise.race([options.fetch(url, { headers, signal: controller.signal }), aborted]);
    } catch (error) {
      return fail(error);
    }
    received = true;
    if (response.status === 404) {
      throw new PackError('HTTP_404', `${url} was not found (HTTP 404): check the catalog's URL`);
    }
    if (response.status === 416 && offset > 0) {
      // The partial file is not a prefix the server recognises: start over on the next attempt.
      await discardPartial(dest);
      throw new RetryableError(
        new PackError('HTTP_ERROR', `${url} refused the resume range (HTTP 416)`),
        true,
      );
    }
    if (response.status >= 500 || response.status === 429) {
      throw new RetryableError(new PackError('HTTP_ERROR', `${url} answered HTTP ${response.status}`), true);
    }
    if (response.status !== 200 && response.status !== 206) {
      throw new PackError('HTTP_ERROR', `${url} answered HTTP ${response.status}`);
    }
    let total: number | null;
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'));
      if (!range || range.start !== offset) {
        await discardPartial(dest);
        throw new RetryableError(new PackError('HTTP_ERROR', `${url} sent a range other than asked`), true);
      }
      total = range.total;
    } else {
      offset = 0;
      const length = Number(response.headers.get('content-length'));
      total = Number.isFinite(length) && length > 0 ? length : null;
    }
    total ??= options.expectedSize ?? null;
    ctx.progress.total = total;
    if (total !== null)
      await ensureSpace(path.dirname(dest), total - offset + ctx.extraSpace, ctx.freeSpace, url);
    const newMeta: PartialMeta = {
      url,
      etag: response.headers.get('etag') ?? undefined,
      lastModified: response.headers.get('last-modified') ?? undefined,
    };
    await writeFile(metaPath(dest), JSON.stringify(newMeta));
    if (!response.body) throw new PackError('HTTP_ERROR', `${url} sent no body`);

    const file = await open(dest, offset > 0 ? 'a' : 'w');
    const reader = response.body.getReader();
    let bytes = offset;
    ctx.progress.update(bytes, true);
    try {
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await Promise.race([reader.read(), aborted]);
        } catch (error) {
          return fail(error);
        }
        if (chunk.done) break;
        armTimer();
        await file.write(chunk.value);
        bytes += chunk.value.byteLength;
        ctx.progress.update(bytes);
      }
    } finally {
      reader.cancel().catch(() => {});
      await file.close();
    }
    if (total !== null && bytes !== total) {
      return fail(new Error(`got ${bytes} of ${total} bytes`));
    }
    ctx.progress.update(bytes, true);
    return bytes;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}
