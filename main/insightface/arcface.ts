// InsightFace's model_zoo/arcface_onnx.py: align the face onto the ArcFace template, build the
// blob with the model's own mean/std, and return the raw embedding.
import { normCrop } from './face_align.js';
import { normalisesInGraph } from './onnx_proto.js';
import { blobFromImage, type PackedImage } from './opencv.js';
import { stageClock } from './profile.js';
import { ort, type ModelSession } from './session.js';
import type { Point } from './types.js';

/**
 * Cosine similarity at or above which two faces are the same person: 0.4, the default of
 * InsightFace's own evaluation GUI (gui/core/constants.py DEFAULT_THRESHOLD).
 */
export const MATCH_THRESHOLD = 0.4;

export class ArcFaceONNX {
  readonly taskname = 'recognition';
  readonly inputMean: number;
  readonly inputStd: number;
  /** Square input side (112 for InsightFace's recognisers). */
  readonly inputSize: number;
  readonly embeddingSize: number;
  private readonly crop: Uint8Array;
  private readonly blob: Float32Array;

  /** `model` is the ONNX file's bytes: InsightFace reads the graph to pick mean and std. */
  constructor(
    readonly session: ModelSession,
    model: Uint8Array,
  ) {
    // MXNet exports subtract and scale inside the graph: feed raw pixels. Others: (v-127.5)/127.5.
    const inGraph = normalisesInGraph(model, false);
    this.inputMean = inGraph ? 0 : 127.5;
    this.inputStd = inGraph ? 1 : 127.5;
    const dims = session.inputs[0]!.dims;
    this.inputSize = dims[3] ?? 112;
    const out = session.outputs[0]!.dims;
    const last = out[out.length - 1];
    if (session.outputs.length !== 1 || typeof last !== 'number') {
      throw new RangeError(`${session.file}: a recognition model needs one output with a fixed last dim`);
    }
    this.embeddingSize = last;
    this.crop = new Uint8Array(this.inputSize * this.inputSize * 3);
    this.blob = new Float32Array(this.inputSize * this.inputSize * 3);
  }

  get file(): string {
    return this.session.file;
  }

  /** The aligned crop (BGR, inputSize²) for `kps`, as norm_crop gives it. */
  align(img: PackedImage, kps: readonly Point[]): PackedImage {
    const t0 = stageClock.start();
    normCrop(img, kps, this.inputSize, this.crop);
    stageClock.stop('align', t0);
    return { data: this.crop, width: this.inputSize, height: this.inputSize };
  }

  /** get_feat on an aligned BGR crop: the raw (not normalised) embedding. */
  async getFeat(aligned: PackedImage): Promise<Float32Array> {
    let t0 = stageClock.start();
    blobFromImage(aligned, this.inputMean, this.inputStd, true, this.blob);
    const s = this.inputSize;
    const feeds = { [this.session.inputNames[0]!]: new ort.Tensor('float32', this.blob, [1, 3, s, s]) };
    stageClock.stop('rec_pre', t0);
    t0 = stageClock.start();
    const out = await this.session.run(feeds);
    stageClock.stop('rec_run', t0);
    const data = out[this.session.outputNames[0]!]!.data as Float32Array;
    return Float32Array.from(data.subarray(0, this.embeddingSize));
  }

  /** get(img, face): align by the five keypoints and embed. */
  async get(img: PackedImage, kps: readonly Point[]): Promise<Float32Array> {
    return this.getFeat(this.align(img, kps));
  }
}

/** L2-normalised copy (Face.normed_embedding). */
export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

/** Cosine similarity of two embeddings (ArcFaceONNX.compute_sim). */
export function computeSim(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length)
    throw new RangeError(`computeSim: embeddings of ${a.length} and ${b.length} floats`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}
