// InsightFace's model_zoo/scrfd.py: letterbox into the input size, one run, anchor decoding
// at strides 8/16/32 (2 anchors per cell), NMS at 0.4, and max_num by the centre-weighted
// metric. Reads both export styles: 2-D unnamed outputs and 3-D batched named outputs.
import { resizeLinearRows, type LayoutImage } from './opencv.js';
import { stageClock } from './profile.js';
import { ort, type ModelSession } from './session.js';

/** A detection in image pixels. `kps` holds 5 (x, y) pairs, flat. */
export interface Detection {
  box: [number, number, number, number];
  score: number;
  kps: Float32Array | null;
}

export type Size = [width: number, height: number];

/** Pre-NMS candidates in image pixels, in the order InsightFace ranks them (score descending). */
export interface Candidates {
  boxes: Float32Array; // n×4
  scores: Float32Array; // n
  kps: Float32Array | null; // n×10
}

// 0.4: SCRFD's nms_thresh in InsightFace; 0.5: its default det_thresh.
export const SCRFD_NMS_THRESH = 0.4;
export const SCRFD_DET_THRESH = 0.5;
// 127.5 / 128: SCRFD's input_mean / input_std in InsightFace.
const INPUT_MEAN = 127.5;
const INPUT_STD = 128;

interface Layout {
  fmc: number;
  strides: number[];
  numAnchors: number;
  useKps: boolean;
}

/** SCRFD's output layouts by output count (scrfd.py _init_vars). */
export function scrfdLayout(outputCount: number): Layout | null {
  switch (outputCount) {
    case 6:
      return { fmc: 3, strides: [8, 16, 32], numAnchors: 2, useKps: false };
    case 9:
      return { fmc: 3, strides: [8, 16, 32], numAnchors: 2, useKps: true };
    case 10:
      return { fmc: 5, strides: [8, 16, 32, 64, 128], numAnchors: 1, useKps: false };
    case 15:
      return { fmc: 5, strides: [8, 16, 32, 64, 128], numAnchors: 1, useKps: true };
    default:
      return null;
  }
}

/** The input blob reused across frames for one input size; `fill` is the letterbox it holds. */
interface SizeBuffers {
  blob: Float32Array;
  fillW: number;
  fillH: number;
}

export class SCRFD {
  readonly taskname = 'detection';
  /** Input size fixed by the model, or null when the model takes any size. */
  readonly fixedSize: Size | null;
  readonly layout: Layout;
  /** The sizes `detect` runs at: one, or several merged (InsightFace 1.0's 'auto'). */
  inputSizes: Size[] = [];
  detThresh = SCRFD_DET_THRESH;
  nmsThresh = SCRFD_NMS_THRESH;
  private readonly buffers = new Map<string, SizeBuffers>();
  private readonly anchorCache = new Map<string, Float32Array>();
  private readonly inputName: string;

  constructor(readonly session: ModelSession) {
    const layout = scrfdLayout(session.outputs.length);
    if (!layout) {
      throw new RangeError(
        `${session.file}: SCRFD needs 6, 9, 10 or 15 outputs, has ${session.outputs.length}`,
      );
    }
    this.layout = layout;
    const input = session.inputs[0]!;
    this.inputName = input.name;
    const [, , h, w] = input.dims;
    this.fixedSize = typeof h === 'number' && typeof w === 'number' ? [w, h] : null;
    if (this.fixedSize) this.inputSizes = [this.fixedSize];
  }

  get file(): string {
    return this.session.file;
  }

  /**
   * prepare(input_size, det_thresh, nms_thresh). A model with a fixed input keeps its own size,
   * as InsightFace does ("det_size is already set in scrfd model, ignore").
   */
  prepare(opts: { inputSizes?: Size[]; detThresh?: number; nmsThresh?: number }): void {
    if (opts.detThresh !== undefined) this.detThresh = opts.detThresh;
    if (opts.nmsThresh !== undefined) this.nmsThresh = opts.nmsThresh;
    if (opts.inputSizes && !this.fixedSize) {
      for (const [w, h] of opts.inputSizes) {
        if (!(w > 0 && h > 0 && w % 32 === 0 && h % 32 === 0)) {
          throw new RangeError(`${this.file}: det size ${w}x${h} must be positive multiples of 32`);
        }
      }
      this.inputSizes = opts.inputSizes.map(([w, h]): Size => [w, h]);
    }
  }

  private buffersFor([w, h]: Size): SizeBuffers {
    const key = `${w}x${h}`;
    let b = this.buffers.get(key);
    if (!b) {
      b = { blob: new Float32Array(w * h * 3), fillW: -1, fillH: -1 };
      this.buffers.set(key, b);
    }
    return b;
  }

  private candidates_: { boxes: Float32Array; scores: Float32Array; kps: Float32Array } | null = null;

  private candidateBuffers(total: number): { boxes: Float32Array; scores: Float32Array; kps: Float32Array } {
    if (!this.candidates_ || this.candidates_.scores.length < total) {
      this.candidates_ = {
        boxes: new Float32Array(total * 4),
        scores: new Float32Array(total),
        kps: new Float32Array(total * 10),
      };
    }
    return this.candidates_;
  }

  /** Anchor centres for one stride: (x, y) per anchor, numAnchors copies per cell. */
  private anchors(height: number, width: number, stride: number): Float32Array {
    const key = `${height}x${width}@${stride}`;
    let centres = this.anchorCache.get(key);
    if (!centres) {
      const na = this.layout.numAnchors;
      centres = new Float32Array(height * width * na * 2);
      let k = 0;
      for (let i = 0; i < height; i++) {
        for (let j = 0; j < width; j++) {
          for (let a = 0; a < na; a++) {
            centres[k++] = j * stride;
            centres[k++] = i * stride;
          }
        }
      }
      this.anchorCache.set(key, centres);
    }
    return centres;
  }

  /**
   * detect()'s first half for one input size: letterbox, run, decode every anchor at or above
   * the threshold, scale back to image pixels. Not yet NMS'd.
   */
  async candidates(img: LayoutImage, size: Size): Promise<Candidates> {
    const [inW, inH] = size;
    const imRatio = img.height / img.width;
    const modelRatio = inH / inW;
    let newW: number;
    let newH: number;
    if (imRatio > modelRatio) {
      newH = inH;
      newW = Math.trunc(newH / imRatio);
    } else {
      newW = inW;
      newH = Math.trunc(newW * imRatio);
    }
    if (newW < 1 || newH < 1)
      throw new RangeError(`image ${img.width}x${img.height} is too thin to detect in`);
    const detScale = newH / img.height;
    let t0 = stageClock.start();
    const buf = this.buffersFor(size);
    letterboxBlob(img, newW, newH, inW, inH, buf);
    const tensor = new ort.Tensor('float32', buf.blob, [1, 3, inH, inW]);
    stageClock.stop('det_pre', t0);
    t0 = stageClock.start();
    const out = await this.session.run({ [this.inputName]: tensor });
    stageClock.stop('det_run', t0);
    t0 = stageClock.start();
    const names = this.session.outputNames;
    const { fmc, strides, useKps } = this.layout;
    // Candidates go into buffers sized for every anchor, reused across frames.
    const total = this.layout.strides.reduce(
      (a, st) => a + Math.floor(inH / st) * Math.floor(inW / st) * this.layout.numAnchors,
      0,
    );
    const cand = this.candidateBuffers(total);
    let count = 0;
    for (let idx = 0; idx < strides.length; idx++) {
      const stride = strides[idx]!;
      // Batched exports are [1, N, k]: the same flat data as the 2-D [N, k].
      const sc = out[names[idx]!]!.data as Float32Array;
      const bb = out[names[idx + fmc]!]!.data as Float32Array;
      const kp = useKps ? (out[names[idx + fmc * 2]!]!.data as Float32Array) : null;
      const centres = this.anchors(Math.floor(inH / stride), Math.floor(inW / stride), stride);
      const n = centres.length / 2;
      if (sc.length !== n || bb.length !== n * 4 || (kp && kp.length !== n * 10)) {
        throw new RangeError(
          `${this.file}: stride ${stride} outputs have ${sc.length} scores for ${n} anchors at ${inW}x${inH}`,
        );
      }
      // numpy does this in float32: (centre ± pred·stride) / det_scale, each step rounded to float32.
      const f = Math.fround;
      const scale32 = f(detScale);
      for (let i = 0; i < n; i++) {
        const s = sc[i]!;
        if (!(s >= this.detThresh)) continue;
        const cx = centres[i * 2]!;
        const cy = centres[i * 2 + 1]!;
        cand.scores[count] = s;
        const b = count * 4;
        cand.boxes[b] = f(f(cx - f(bb[i * 4]! * stride)) / scale32);
        cand.boxes[b + 1] = f(f(cy - f(bb[i * 4 + 1]! * stride)) / scale32);
        cand.boxes[b + 2] = f(f(cx + f(bb[i * 4 + 2]! * stride)) / scale32);
        cand.boxes[b + 3] = f(f(cy + f(bb[i * 4 + 3]! * stride)) / scale32);
        if (kp) {
          for (let k = 0; k < 10; k += 2) {
            cand.kps[count * 10 + k] = f(f(cx + f(kp[i * 10 + k]! * stride)) / scale32);
            cand.kps[count * 10 + k + 1] = f(f(cy + f(kp[i * 10 + k + 1]! * stride)) / scale32);
          }
        }
        count++;
      }
    }
    const ranked = rankByScore({
      boxes: cand.boxes.subarray(0, count * 4),
      scores: cand.scores.subarray(0, count),
      kps: useKps ? cand.kps.subarray(0, count * 10) : null,
    });
    stageClock.stop('det_post', t0);
    return ranked;
  }

  /** detect(img, max_num, metric): every configured input size, merged, NMS'd, then max_num. */
  async detect(
    img: LayoutImage,
    opts: { maxNum?: number; metric?: 'default' | 'max' } = {},
  ): Promise<Detection[]> {
    if (this.inputSizes.length === 0) {
      throw new RangeError(`${this.file}: no det size: call prepare({ detSize }) first`);
    }
    const parts: Candidates[] = [];
    for (const size of this.inputSizes) parts.push(await this.candidates(img, size));
    const t0 = stageClock.start();
    // 'auto': candidates of every size pooled before one NMS (InsightFace 1.0's merge).
    const merged = parts.length === 1 ? parts[0]! : rankByScore(concatCandidates(parts));
    const keep = nms(merged.boxes, merged.scores, this.nmsThresh);
    let dets: Detection[] = keep.map((i) => ({
      box: [
        merged.boxes[i * 4]!,
        merged.boxes[i * 4 + 1]!,
        merged.boxes[i * 4 + 2]!,
        merged.boxes[i * 4 + 3]!,
      ],
      score: merged.scores[i]!,
      kps: merged.kps ? merged.kps.slice(i * 10, i * 10 + 10) : null,
    }));
    const maxNum = opts.maxNum ?? 0;
    if (maxNum > 0 && dets.length > maxNum)
      dets = selectMaxNum(dets, img.width, img.height, maxNum, opts.metric);
    stageClock.stop('det_post', t0);
    return dets;
  }
}

/**
 * cv2.resize into the top-left of a zeroed inW×inH image, then blobFromImage(1/128, mean 127.5,
 * swapRB), fused: the resize reads the frame in its own layout (an RGBA camera frame is never
 * converted as a whole: only the source rows and columns the resize samples are read), and each
 * resized row goes straight into the three planes of the blob, which is reused across frames.
 * The zero padding is a constant in the blob, written only when the letterbox changes.
 */
function letterboxBlob(
  img: LayoutImage,
  newW: number,
  newH: number,
  inW: number,
  inH: number,
  buf: SizeBuffers,
): void {
  const blob = buf.blob;
  const plane = inW * inH;
  const scale = 1 / INPUT_STD;
  if (buf.fillW !== newW || buf.fillH !== newH) {
    blob.fill((0 - INPUT_MEAN) * scale);
    buf.fillW = newW;
    buf.fillH = newH;
  }
  resizeLinearRows(img, newW, newH, (dy, row) => {
    let o = dy * inW;
    for (let x = 0; x < newW * 3; x += 3, o++) {
      // BGR → RGB planes.
      blob[o] = (row[x + 2]! - INPUT_MEAN) * scale;
      blob[plane + o] = (row[x + 1]! - INPUT_MEAN) * scale;
      blob[2 * plane + o] = (row[x]! - INPUT_MEAN) * scale;
    }
  });
}

function concatCandidates(parts: Candidates[]): Candidates {
  const n = parts.reduce((a, p) => a + p.scores.length, 0);
  const out: Candidates = {
    boxes: new Float32Array(n * 4),
    scores: new Float32Array(n),
    kps: parts[0]!.kps ? new Float32Array(n * 10) : null,
  };
  let at = 0;
  for (const p of parts) {
    out.boxes.set(p.boxes, at * 4);
    out.scores.set(p.scores, at);
    if (out.kps && p.kps) out.kps.set(p.kps, at * 10);
    at += p.scores.length;
  }
  return out;
}

/** Reorders candidates by score, highest first (detect()'s `order = scores.argsort()[::-1]`). */
export function rankByScore(c: Candidates): Candidates {
  const n = c.scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => c.scores[b]! - c.scores[a]! || b - a);
  const out: Candidates = {
    boxes: new Float32Array(n * 4),
    scores: new Float32Array(n),
    kps: c.kps ? new Float32Array(n * 10) : null,
  };
  order.forEach((src, dst) => {
    out.scores[dst] = c.scores[src]!;
    out.boxes.set(c.boxes.subarray(src * 4, src * 4 + 4), dst * 4);
    if (out.kps && c.kps) out.kps.set(c.kps.subarray(src * 10, src * 10 + 10), dst * 10);
  });
  return out;
}

/** SCRFD.nms: greedy suppression with InsightFace's +1 pixel area convention. Returns kept indices. */
export function nms(boxes: Float32Array, scores: Float32Array, thresh: number): number[] {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const area = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    area[i] = (boxes[i * 4 + 2]! - boxes[i * 4]! + 1) * (boxes[i * 4 + 3]! - boxes[i * 4 + 1]! + 1);
  }
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  for (let oi = 0; oi < n; oi++) {
    const i = order[oi]!;
    if (suppressed[i]) continue;
    keep.push(i);
    for (let oj = oi + 1; oj < n; oj++) {
      const j = order[oj]!;
      if (suppressed[j]) continue;
      const w = Math.max(
        0,
        Math.min(boxes[i * 4 + 2]!, boxes[j * 4 + 2]!) - Math.max(boxes[i * 4]!, boxes[j * 4]!) + 1,
      );
      const h = Math.max(
        0,
        Math.min(boxes[i * 4 + 3]!, boxes[j * 4 + 3]!) - Math.max(boxes[i * 4 + 1]!, boxes[j * 4 + 1]!) + 1,
      );
      const inter = w * h;
      if (inter / (area[i]! + area[j]! - inter) > thresh) suppressed[j] = 1;
    }
  }
  return keep;
}

/**
 * max_num: keep the faces with the largest area minus twice the squared distance of the box
 * centre from the image centre ('default'), or the largest area ('max').
 */
export function selectMaxNum(
  dets: Detection[],
  width: number,
  height: number,
  maxNum: number,
  metric: 'default' | 'max' = 'default',
): Detection[] {
  const cx = Math.floor(width / 2);
  const cy = Math.floor(height / 2);
  const value = (d: Detection): number => {
    const [x1, y1, x2, y2] = d.box;
    const area = (x2 - x1) * (y2 - y1);
    if (metric === 'max') return area;
    const ox = (x1 + x2) / 2 - cx;
    const oy = (y1 + y2) / 2 - cy;
    return area - (ox * ox + oy * oy) * 2;
  };
  return dets
    .map((d, i) => ({ d, v: value(d), i }))
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, maxNum)
    .map((e) => e.d);
}
