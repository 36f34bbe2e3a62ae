// Passive presentation-attack detection with minivision-ai/Silent-Face-Anti-Spoofing's
// MiniFASNet models, preprocessed as the authors' test.py does: CropImage._get_new_box and
// crop (src/generate_patches.py), cv2.resize to the model's size, ToTensor without /255
// (src/data_io/functional.py: "return img.float()"), BGR as cv2.imread gives, one softmax per
// model, the softmaxes summed and argmax taken; index 1 is "real".
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { toBgr } from '../insightface/image.js';
import { resizeLinear, type PackedImage } from '../insightface/opencv.js';
import { ModelSession, ort, type SessionOptions } from '../insightface/session.js';
import type { PixelImage } from '../insightface/types.js';

/** The liveness add-on pack: the two models the authors combine, by file name. */
export const ANTI_SPOOF_MODEL_FILES = [
  '2.7_80x80_MiniFASNetV2.onnx',
  '4_0_0_80x80_MiniFASNetV1SE.onnx',
] as const;

/** Index of the "real" class in MiniFASNet's 3 outputs (test.py: `label == 1` is real). */
export const REAL_CLASS = 1;

/** The liveness models are not in the folder: liveness cannot run. */
export class LivenessModelsMissingError extends Error {
  override readonly name = 'LivenessModelsMissingError';
  readonly code = 'LIVENESS_MODELS_MISSING';
  constructor(
    readonly dir: string,
    readonly missing: readonly string[],
  ) {
    super(`liveness models missing in ${dir}: ${missing.join(', ')} (install the liveness add-on pack)`);
  }
}

/** A model file whose name does not follow the authors' `<scale>_<h>x<w>_<Type>.onnx` pattern. */
export class LivenessModelNameError extends Error {
  override readonly name = 'LivenessModelNameError';
}

export interface ModelNameInfo {
  /** Crop scale around the face box; null for the authors' 'org' models (whole frame). */
  scale: number | null;
  height: number;
  width: number;
  type: string;
}

/** utility.parse_model_name: '2.7_80x80_MiniFASNetV2' → scale 2.7, 80×80; '4_0_0_80x80_…' → 4.0. */
export function parseModelName(file: string): ModelNameInfo {
  const base = path.basename(file).replace(/\.(onnx|pth)$/, '');
  const parts = base.split('_');
  const info = parts.slice(0, -1);
  const size = /^(\d+)x(\d+)$/.exec(info.at(-1) ?? '');
  const type = parts.at(-1) ?? '';
  const scale = info[0] === 'org' ? null : Number(info[0]);
  if (!size || info.length < 2 || (scale !== null && !(scale > 0))) {
    throw new LivenessModelNameError(`${file}: expected a name like 2.7_80x80_MiniFASNetV2.onnx`);
  }
  return { scale, height: Number(size[1]), width: Number(size[2]), type };
}

/** Our detector's box [x1, y1, x2, y2] as the authors' [x, y, w, h] (anti_spoof_predict.get_bbox). */
export function toAuthorsBox(
  bbox: readonly [number, number, number, number],
): [number, number, number, number] {
  const [x1, y1, x2, y2] = bbox;
  // get_bbox: [int(left), int(top), int(right-left+1), int(bottom-top+1)]; int() truncates.
  return [Math.trunc(x1), Math.trunc(y1), Math.trunc(x2 - x1 + 1), Math.trunc(y2 - y1 + 1)];
}

/** An inclusive pixel box [left, top, right, bottom], always inside the frame. */
export type CropBox = [number, number, number, number];

/**
 * CropImage._get_new_box: the face box scaled by `scale` around its centre (the scale capped
 * so the box fits the frame), then shifted back inside [0, w-1] × [0, h-1].
 */
export function cropBox(srcW: number, srcH: number, box: readonly number[], scale: number): CropBox {
  const [x, y, boxW, boxH] = box as [number, number, number, number];
  if (!(boxW > 0 && boxH > 0)) throw new RangeError(`face box has no area: [${box.join(', ')}]`);
  const s = Math.min((srcH - 1) / boxH, Math.min((srcW - 1) / boxW, scale));
  const newW = boxW * s;
  const newH = boxH * s;
  const cx = boxW / 2 + x;
  const cy = boxH / 2 + y;
  let left = cx - newW / 2;
  let top = cy - newH / 2;
  let right = cx + newW / 2;
  let bottom = cy + newH / 2;
  if (left < 0) {
    right -= left;
    left = 0;
  }
  if (top < 0) {
    bottom -= top;
    top = 0;
  }
  if (right > srcW - 1) {
    left -= right - srcW + 1;
    right = srcW - 1;
  }
  if (bottom > srcH - 1) {
    top -= bottom - srcH + 1;
    bottom = srcH - 1;
  }
  // int() truncates toward zero; the clamp only absorbs float noise (e.g. -1e-13 → 0).
  const clamp = (v: number, hi: number): number => Math.min(hi, Math.max(0, Math.trunc(v)));
  return [clamp(left, srcW - 1), clamp(top, srcH - 1), clamp(right, srcW - 1), clamp(bottom, srcH - 1)];
}

/** Copies the inclusive box out of a packed 3-channel image (numpy's img[t:b+1, l:r+1]). */
export function cropPacked(img: PackedImage, box: CropBox): PackedImage {
  const [l, t, r, b] = box;
  const width = r - l + 1;
  const height = b - t + 1;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((t + y) * img.width + l) * 3;
    data.set(img.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { data, width, height };
}

/**
 * How pixels become the input tensor. The authors' values are the defaults; the other values
 * exist so a test can show that a wrong colour order or scaling changes the decisions.
 */
export interface InputEncoding {
  channelOrder: 'bgr' | 'rgb';
  /** Multiplier on 0..255 values: 1 for the authors' models (no /255, no mean/std). */
  valueScale: number;
}

export const AUTHORS_ENCODING: Readonly<InputEncoding> = { channelOrder: 'bgr', valueScale: 1 };

/** Crop, resize and encode one face for one model: NCHW float32 [1, 3, h, w]. */
export function preprocess(
  bgr: PackedImage,
  bbox: readonly [number, number, number, number],
  scale: number,
  size: { width: number; height: number },
  encoding: Readonly<InputEncoding> = AUTHORS_ENCODING,
): { input: Float32Array; box: CropBox } {
  const box = cropBox(bgr.width, bgr.height, toAuthorsBox(bbox), scale);
  const patch = resizeLinear(cropPacked(bgr, box), size.width, size.height);
  const plane = size.width * size.height;
  const input = new Float32Array(plane * 3);
  const first = encoding.channelOrder === 'bgr' ? 0 : 2;
  const k = encoding.valueScale;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    input[i] = patch[p + first]! * k;
    input[plane + i] = patch[p + 1]! * k;
    input[2 * plane + i] = patch[p + 2 - first]! * k;
  }
  return { input, box };
}

/**
 * Class probabilities from a model's output. The MiniFASNet exports end at the last Linear
 * layer (logits; the authors apply F.softmax in predict), but an export that already ends in a
 * softmax must not be softmaxed twice, so a non-negative output summing to 1 is kept as is.
 */
export function toProbabilities(output: ArrayLike<number>): Float64Array {
  const values = Float64Array.from(output);
  let sum = 0;
  let nonNegative = true;
  for (const v of values) {
    sum += v;
    if (v < 0) nonNegative = false;
  }
  // 1e-4: float32 rounding of a softmax over three classes stays well inside this.
  if (nonNegative && Math.abs(sum - 1) < 1e-4) return values;
  const max = Math.max(...values);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    values[i] = Math.exp(values[i]! - max);
    total += values[i]!;
  }
  for (let i = 0; i < values.length; i++) values[i]! /= total;
  return values;
}

export interface AntiSpoofModel {
  file: string;
  scale: number;
  session: ModelSession;
  width: number;
  height: number;
}

export interface ModelScore {
  file: string;
  /** Softmax probabilities [spoof-2d, real, spoof-3d] (the authors' label order). */
  probabilities: number[];
  /** The crop fed to this model, inclusive, in frame pixels. */
  box: CropBox;
}

export interface AntiSpoofResult {
  /** Mean real-class probability over the models (the authors' `value` when real wins). */
  score: number;
  /** The authors' decision: argmax of the summed softmaxes is the real class. */
  realWins: boolean;
  models: ModelScore[];
}

/** The two MiniFASNets, loaded once and run on every face that needs a liveness check. */
export class AntiSpoof {
  private constructor(readonly models: readonly AntiSpoofModel[]) {}

  /** Loads the liveness models from `dir`; LivenessModelsMissingError names the absent files. */
  static async load(
    dir: string,
    opts: SessionOptions & { files?: readonly string[] } = {},
  ): Promise<AntiSpoof> {
    const files = opts.files ?? ANTI_SPOOF_MODEL_FILES;
    const missing = files.filter((f) => !existsSync(path.join(dir, f)));
    if (missing.length > 0) throw new LivenessModelsMissingError(dir, missing);
    const models: AntiSpoofModel[] = [];
    for (const file of files) {
      const info = parseModelName(file);
      if (info.scale === null)
        throw new LivenessModelNameError(`${file}: whole-frame ('org') models are not supported`);
      const full = path.join(dir, file);
      const session = await ModelSession.create(full, await readFile(full), opts);
      const dims = session.inputs[0]?.dims ?? [];
      // The model's own input size wins over the name; the batch dim is fixed at 1 in these exports.
      const height = dims[2] ?? info.height;
      const width = dims[3] ?? info.width;
      models.push({ file, scale: info.scale, session, width, height });
    }
    for (const m of models) await m.session.warmUp();
    return new AntiSpoof(models);
  }

  /** Scores one face. Throws when a model fails: callers must treat that as "not live". */
  async predict(
    image: PixelImage,
    bbox: readonly [number, number, number, number],
    encoding: Readonly<InputEncoding> = AUTHORS_ENCODING,
  ): Promise<AntiSpoofResult> {
    const bgr = toBgr(image);
    const sum = [0, 0, 0];
    const scores: ModelScore[] = [];
    for (const m of this.models) {
      const { input, box } = preprocess(bgr, bbox, m.scale, m, encoding);
      const name = m.session.inputNames[0]!;
      const out = await m.session.run({
        [name]: new ort.Tensor('float32', input, [1, 3, m.height, m.width]),
      });
      const logits = out[m.session.outputNames[0]!]?.data;
      if (!(logits instanceof Float32Array) || logits.length !== 3) {
        throw new Error(`${m.file}: expected 3 float outputs, got ${logits?.length ?? 'none'}`);
      }
      const p = toProbabilities(logits);
      for (let i = 0; i < 3; i++) sum[i]! += p[i]!;
      scores.push({ file: m.file, probabilities: Array.from(p), box });
    }
    const best = sum.indexOf(Math.max(...sum));
    return { score: sum[REAL_CLASS]! / this.models.length, realWins: best === REAL_CLASS, models: scores };
  }

  async release(): Promise<void> {
    for (const m of this.models) await m.session.release();
  }
}
