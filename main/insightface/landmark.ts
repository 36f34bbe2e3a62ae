// InsightFace's model_zoo/landmark.py (2d106det, 1k3d68): crop around the box centre at
// 1.5× its larger side into 192×192, run, map the prediction back to the image, and for the
// 3-D 68-point model estimate the head pose.
import { cropTransform } from './face_align.js';
import { normalisesInGraph } from './onnx_proto.js';
import { blobFromImage, invertAffine, type PackedImage } from './opencv.js';
import { ort, type ModelSession } from './session.js';
import { estimatePose, transPoints } from './transform.js';
import type { Pose } from './types.js';

// 3309: 1k3d68's output length (its last 68×3 values are the landmarks).
const OUTPUT_3D68 = 3309;

export interface LandmarkResult {
  /** lmkNum × lmkDim, flat, in image pixels. */
  points: Float32Array;
  pose?: Pose;
}

export class Landmark {
  readonly taskname: string;
  readonly lmkDim: 2 | 3;
  readonly lmkNum: number;
  readonly inputMean: number;
  readonly inputStd: number;
  readonly inputSize: number;
  private readonly crop: Uint8Array;
  private readonly blob: Float32Array;

  /**
   * `meanShape` (68×3, flat) is InsightFace's meanshape_68.pkl; without it a 3d68 model still
   * gives landmarks but no pose.
   */
  constructor(
    readonly session: ModelSession,
    model: Uint8Array,
    private readonly meanShape: Float32Array | null = null,
  ) {
    const inGraph = normalisesInGraph(model, true);
    this.inputMean = inGraph ? 0 : 127.5;
    this.inputStd = inGraph ? 1 : 128;
    this.inputSize = session.inputs[0]!.dims[3] ?? 192;
    const outLen = session.outputs[0]!.dims[1];
    if (session.outputs.length !== 1 || typeof outLen !== 'number') {
      throw new RangeError(`${session.file}: a landmark model needs one output [1, N] with N fixed`);
    }
    if (outLen === OUTPUT_3D68) {
      this.lmkDim = 3;
      this.lmkNum = 68;
    } else {
      this.lmkDim = 2;
      this.lmkNum = Math.floor(outLen / 2);
    }
    if (meanShape && meanShape.length !== 68 * 3) {
      throw new RangeError(`mean shape: expected 68×3 values, got ${meanShape.length}`);
    }
    this.taskname = `landmark_${this.lmkDim}d_${this.lmkNum}`;
    this.crop = new Uint8Array(this.inputSize * this.inputSize * 3);
    this.blob = new Float32Array(this.inputSize * this.inputSize * 3);
  }

  get file(): string {
    return this.session.file;
  }

  get requiresPose(): boolean {
    return this.lmkDim === 3 && this.lmkNum === 68;
  }

  /** True when this is 1k3d68 and the mean shape to fit the pose to was given. */
  get canEstimatePose(): boolean {
    return this.requiresPose && this.meanShape !== null;
  }

  async get(img: PackedImage, bbox: readonly [number, number, number, number]): Promise<LandmarkResult> {
    const [x1, y1, x2, y2] = bbox;
    const w = x2 - x1;
    const h = y2 - y1;
    const size = this.inputSize;
    // 1.5: InsightFace's margin around the box for landmark and attribute crops.
    const scale = size / (Math.max(w, h) * 1.5);
    const { M } = cropTransform(img, [(x1 + x2) / 2, (y1 + y2) / 2], size, scale, 0, this.crop);
    blobFromImage(
      { data: this.crop, width: size, height: size },
      this.inputMean,
      this.inputStd,
      true,
      this.blob,
    );
    const out = await this.session.run({
      [this.session.inputNames[0]!]: new ort.Tensor('float32', this.blob, [1, 3, size, size]),
    });
    const raw = out[this.session.outputNames[0]!]!.data as Float32Array;
    return { points: this.mapBack(raw, M), ...this.poseOf(raw, M) };
  }

  /** Post-processing on the raw output: last lmkNum points, (v+1)·(size/2), then through M⁻¹. */
  mapBack(raw: Float32Array, M: Parameters<typeof invertAffine>[0]): Float32Array {
    // InsightFace reshapes to 3 columns when the output has ≥ 3000 values, else 2.
    const dim = raw.length >= 3000 ? 3 : 2;
    const count = Math.floor(raw.length / dim);
    const take = Math.min(this.lmkNum, count);
    const pred = Float32Array.from(raw.subarray((count - take) * dim, count * dim));
    const half = Math.floor(this.inputSize / 2);
    for (let i = 0; i < pred.length; i += dim) {
      pred[i] = (pred[i]! + 1) * half;
      pred[i + 1] = (pred[i + 1]! + 1) * half;
      if (dim === 3) pred[i + 2] = pred[i + 2]! * half;
    }
    return transPoints(pred, dim as 2 | 3, invertAffine(M));
  }

  private poseOf(raw: Float32Array, M: Parameters<typeof invertAffine>[0]): { pose?: Pose } {
    if (!this.canEstimatePose || !this.meanShape) return {};
    return { pose: estimatePose(this.meanShape, this.mapBack(raw, M)) };
  }
}
