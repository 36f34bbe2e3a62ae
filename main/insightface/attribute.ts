// InsightFace's model_zoo/attribute.py (genderage): crop like the landmark model into 96×96,
// gender = argmax of the first two outputs (0 female, 1 male), age = round(third × 100).
import { cropTransform } from './face_align.js';
import { normalisesInGraph } from './onnx_proto.js';
import { blobFromImage, type PackedImage } from './opencv.js';
import { ort, type ModelSession } from './session.js';

export class Attribute {
  readonly taskname: string;
  readonly inputMean: number;
  readonly inputStd: number;
  readonly inputSize: number;
  private readonly crop: Uint8Array;
  private readonly blob: Float32Array;

  constructor(
    readonly session: ModelSession,
    model: Uint8Array,
  ) {
    const inGraph = normalisesInGraph(model, true);
    this.inputMean = inGraph ? 0 : 127.5;
    this.inputStd = inGraph ? 1 : 128;
    this.inputSize = session.inputs[0]!.dims[3] ?? 96;
    const outLen = session.outputs[0]!.dims[1];
    this.taskname = outLen === 3 ? 'genderage' : `attribute_${String(outLen)}`;
    this.crop = new Uint8Array(this.inputSize * this.inputSize * 3);
    this.blob = new Float32Array(this.inputSize * this.inputSize * 3);
  }

  get file(): string {
    return this.session.file;
  }

  /** The raw prediction for the face in `bbox`. */
  async predict(img: PackedImage, bbox: readonly [number, number, number, number]): Promise<Float32Array> {
    const [x1, y1, x2, y2] = bbox;
    const size = this.inputSize;
    const scale = size / (Math.max(x2 - x1, y2 - y1) * 1.5);
    cropTransform(img, [(x1 + x2) / 2, (y1 + y2) / 2], size, scale, 0, this.crop);
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
    return Float32Array.from(out[this.session.outputNames[0]!]!.data as Float32Array);
  }

  async get(
    img: PackedImage,
    bbox: readonly [number, number, number, number],
  ): Promise<{ gender: 0 | 1; age: number }> {
    return genderAge(await this.predict(img, bbox));
  }
}

/** genderage post-processing: argmax of pred[0..1], round(pred[2]·100). */
export function genderAge(pred: Float32Array): { gender: 0 | 1; age: number } {
  if (pred.length !== 3) throw new RangeError(`genderage: expected 3 outputs, got ${pred.length}`);
  // np.argmax returns the first maximum: ties go to 0.
  const gender: 0 | 1 = pred[1]! > pred[0]! ? 1 : 0;
  // np.round rounds half to even.
  const v = pred[2]! * 100;
  const r = Math.round(v);
  const age = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return { gender, age };
}
