// The few OpenCV operations InsightFace's Python code calls, reproduced bit for bit on
// packed 3-channel uint8 images (HWC). Parity with InsightFace depends on OpenCV's exact
// fixed-point arithmetic, so the constants below are OpenCV's own (imgproc/src/resize.cpp,
// imgproc/src/imgwarp.cpp), not approximations.

/** A packed HWC image with `channels` bytes per pixel (3 here: BGR or RGB). */
export interface PackedImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Where the B, G and R bytes of a pixel sit in a source image, and how many bytes a pixel takes:
 * packed BGR (InsightFace's layout), or a camera frame read in place (RGBA, alpha skipped), so
 * a resize can read a frame without converting all of it first.
 */
export interface SourceLayout {
  stride: 3 | 4;
  b: number;
  g: number;
  r: number;
}
export const BGR_LAYOUT: SourceLayout = { stride: 3, b: 0, g: 1, r: 2 };
export const RGB_LAYOUT: SourceLayout = { stride: 3, b: 2, g: 1, r: 0 };
export const RGBA_LAYOUT: SourceLayout = { stride: 4, b: 2, g: 1, r: 0 };

/** A packed image of any SourceLayout; without `layout`, packed BGR. */
export interface LayoutImage extends PackedImage {
  layout?: SourceLayout;
}

/** A 2×3 affine matrix, row-major: [a, b, c, d, e, f] maps (x, y) → (ax+by+c, dx+ey+f). */
export type Affine = [number, number, number, number, number, number];

// 11: INTER_RESIZE_COEF_BITS in resize.cpp.
const RESIZE_COEF_SCALE = 1 << 11;

/** cvRound / saturate_cast<int>(double): round half to even, as lrint does. */
export function cvRound(v: number): number {
  const r = Math.round(v);
  // Math.round rounds .5 up; lrint rounds ties to even.
  if (r - v === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

function shortCoef(v: number): number {
  return Math.max(-32768, Math.min(32767, cvRound(v)));
}

interface AxisTable {
  index: Int32Array;
  alpha: Int16Array; // two weights per destination index
}

const float32 = new Float32Array(1);
function toFloat32(v: number): number {
  float32[0] = v;
  return float32[0]!;
}

/** Source indices and fixed-point weights along one axis, as resize.cpp's INTER_LINEAR set-up. */
function linearAxis(dst: number, src: number): AxisTable {
  const scale = 1 / (dst / src);
  const index = new Int32Array(dst);
  const alpha = new Int16Array(dst * 2);
  for (let d = 0; d < dst; d++) {
    // OpenCV computes the source coordinate in float, with pixel centres at +0.5.
    let f = toFloat32((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = toFloat32(f - s);
    if (s < 0) {
      f = 0;
      s = 0;
    }
    if (s + 1 >= src) {
      f = 0;
      s = src - 1;
    }
    index[d] = s;
    alpha[d * 2] = shortCoef((1 - f) * RESIZE_COEF_SCALE);
    alpha[d * 2 + 1] = shortCoef(f * RESIZE_COEF_SCALE);
  }
  return { index, alpha };
}

/**
 * cv2.resize(src, (dstW, dstH)) with INTER_LINEAR for 3-channel uint8, handing each output row
 * (packed BGR) to `onRow` (the row buffer is reused: copy or consume it before returning). An
 * exact 2× reduction takes OpenCV's INTER_AREA path, as OpenCV itself does. The source may be
 * any SourceLayout: the arithmetic per channel is the same, only where each byte is read from
 * differs, so an RGBA frame resizes to exactly what its BGR conversion would.
 */
export function resizeLinearRows(
  src: LayoutImage,
  dstW: number,
  dstH: number,
  onRow: (dy: number, row: Uint8Array) => void,
): void {
  const { stride: cn, b: cb, g: cg, r: cr } = src.layout ?? BGR_LAYOUT;
  const rowLen = dstW * 3;
  const s = src.data;
  const srcStride = src.width * cn;
  const out = new Uint8Array(rowLen);
  if (src.width === dstW && src.height === dstH) {
    const packedBgr = cn === 3 && cb === 0 && cg === 1 && cr === 2;
    for (let y = 0; y < dstH; y++) {
      if (packedBgr) {
        onRow(y, s.subarray(y * srcStride, y * srcStride + rowLen));
        continue;
      }
      for (let x = 0, p = y * srcStride; x < rowLen; x += 3, p += cn) {
        out[x] = s[p + cb]!;
        out[x + 1] = s[p + cg]!;
        out[x + 2] = s[p + cr]!;
      }
      onRow(y, out);
    }
    return;
  }
  if (src.width === dstW * 2 && src.height === dstH * 2) {
    resizeAreaHalfRows(src, cn, [cb, cg, cr], dstW, dstH, out, onRow);
    return;
  }
  const xs = linearAxis(dstW, src.width);
  const ys = linearAxis(dstH, src.height);
  // Per destination column: byte offsets of the two source pixels and their weights.
  const x0 = new Int32Array(dstW);
  const x1 = new Int32Array(dstW);
  const a0 = new Int32Array(dstW);
  const a1 = new Int32Array(dstW);
  for (let dx = 0; dx < dstW; dx++) {
    const sx = xs.index[dx]!;
    x0[dx] = sx * cn;
    x1[dx] = (sx + 1 < src.width ? sx + 1 : sx) * cn;
    a0[dx] = xs.alpha[dx * 2]!;
    a1[dx] = xs.alpha[dx * 2 + 1]!;
  }
  let row0 = new Int16Array(rowLen);
  let row1 = new Int16Array(rowLen);
  let row0Src = -1;
  let row1Src = -1;
  const hresize = (sy: number, buf: Int16Array): void => {
    const base = sy * srcStride;
    for (let dx = 0, o = 0; dx < dstW; dx++, o += 3) {
      const p = base + x0[dx]!;
      const q = base + x1[dx]!;
      const w0 = a0[dx]!;
      const w1 = a1[dx]!;
      // Stored already shifted: VResizeLinear only ever uses (sum >> 4), which fits in 16 bits.
      buf[o] = (s[p + cb]! * w0 + s[q + cb]! * w1) >> 4;
      buf[o + 1] = (s[p + cg]! * w0 + s[q + cg]! * w1) >> 4;
      buf[o + 2] = (s[p + cr]! * w0 + s[q + cr]! * w1) >> 4;
    }
  };
  for (let dy = 0; dy < dstH; dy++) {
    const sy0 = ys.index[dy]!;
    const sy1 = Math.min(sy0 + 1, src.height - 1);
    if (row0Src !== sy0) {
      if (row1Src === sy0) {
        [row0, row1] = [row1, row0];
        row1Src = -1;
      } else hresize(sy0, row0);
      row0Src = sy0;
    }
    if (row1Src !== sy1) {
      hresize(sy1, row1);
      row1Src = sy1;
    }
    const b0 = ys.alpha[dy * 2]!;
    const b1 = ys.alpha[dy * 2 + 1]!;
    for (let x = 0; x < rowLen; x++) {
      // VResizeLinear<uchar, int, short>: two 16-bit products, then >>2 with rounding. With
      // b0 + b1 = 2048 the result is always within 0..255.
      out[x] = (((b0 * row0[x]!) >> 16) + ((b1 * row1[x]!) >> 16) + 2) >> 2;
    }
    onRow(dy, out);
  }
}

/** cv2.resize(src, (dstW, dstH)) (INTER_LINEAR), packed, into `out` when given. */
export function resizeLinear(src: PackedImage, dstW: number, dstH: number, out?: Uint8Array): Uint8Array {
  const rowLen = dstW * 3;
  const dst = out ?? new Uint8Array(rowLen * dstH);
  if (dst.length < rowLen * dstH) throw new RangeError(`resize output buffer too small for ${dstW}x${dstH}`);
  resizeLinearRows(src, dstW, dstH, (dy, row) => dst.set(row, dy * rowLen));
  return dst;
}

/** resizeAreaFast for an exact 2× reduction: the rounded mean of each 2×2 block. */
function resizeAreaHalfRows(
  src: PackedImage,
  cn: number,
  channels: readonly [number, number, number],
  dstW: number,
  dstH: number,
  out: Uint8Array,
  onRow: (dy: number, row: Uint8Array) => void,
): void {
  const s = src.data;
  const step = src.width * cn;
  for (let y = 0; y < dstH; y++) {
    const r0 = y * 2 * step;
    const r1 = r0 + step;
    for (let x = 0, sx = 0; x < dstW * 3; x += 3, sx += 2 * cn) {
      for (let c = 0; c < 3; c++) {
        const p = sx + channels[c]!;
        out[x + c] = (s[r0 + p]! + s[r0 + p + cn]! + s[r1 + p]! + s[r1 + p + cn]! + 2) >> 2;
      }
    }
    onRow(y, out);
  }
}

/** cv2.invertAffineTransform. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  let det = a * e - b * d;
  det = det !== 0 ? 1 / det : 0;
  const ia = e * det;
  const ib = -b * det;
  const id = -d * det;
  const ie = a * det;
  return [ia, ib, -ia * c - ib * f, id, ie, -id * c - ie * f];
}

// 5: INTER_BITS; 10: AB_BITS = max(10, INTER_BITS); 15: INTER_REMAP_COEF_BITS (imgwarp.cpp).
const INTER_BITS = 5;
const INTER_TAB = 1 << INTER_BITS;
const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const REMAP_BITS = 15;

/** OpenCV's bilinear weight table: 32×32 sub-pixel cells, four Q15 weights each. */
const bilinearTab = ((): Int16Array => {
  const tab = new Int16Array(INTER_TAB * INTER_TAB * 4);
  for (let ty = 0; ty < INTER_TAB; ty++) {
    for (let tx = 0; tx < INTER_TAB; tx++) {
      const fy = ty / INTER_TAB;
      const fx = tx / INTER_TAB;
      const k = (ty * INTER_TAB + tx) * 4;
      const scale = 1 << REMAP_BITS;
      // Products of k/32 are multiples of 1/1024, exact in Q15, and sum to 1.
      tab[k] = cvRound((1 - fy) * (1 - fx) * scale);
      tab[k + 1] = cvRound((1 - fy) * fx * scale);
      tab[k + 2] = cvRound(fy * (1 - fx) * scale);
      tab[k + 3] = cvRound(fy * fx * scale);
    }
  }
  // Except cell (0, 0): 32768 saturates to 32767 in a short, and initInterTab2D's sum fix-up
  // then adds the missing 1 to the bottom-right weight.
  tab[0] = 32767;
  tab[3] = 1;
  return tab;
})();

/**
 * cv2.warpAffine(src, M, (dstW, dstH), flags=INTER_LINEAR, borderValue=0) for 3-channel uint8.
 * `m` maps source to destination, as in OpenCV; it is inverted the way OpenCV inverts it and the
 * source coordinates are quantised to 1/32 px, with Q15 bilinear weights.
 */
export function warpAffine(
  src: PackedImage,
  m: Affine,
  dstW: number,
  dstH: number,
  out?: Uint8Array,
): Uint8Array {
  const cn = 3;
  const dst = out ?? new Uint8Array(dstW * dstH * cn);
  const [a, b, c, d, e, f] = invertAffine(m);
  const sw = src.width;
  const sh = src.height;
  const s = src.data;
  const roundDelta = AB_SCALE / INTER_TAB / 2;
  const adelta = new Int32Array(dstW);
  const bdelta = new Int32Array(dstW);
  for (let x = 0; x < dstW; x++) {
    adelta[x] = cvRound(a * x * AB_SCALE);
    bdelta[x] = cvRound(d * x * AB_SCALE);
  }
  const half = 1 << (REMAP_BITS - 1);
  for (let y = 0; y < dstH; y++) {
    const x0 = cvRound((b * y + c) * AB_SCALE) + roundDelta;
    const y0 = cvRound((e * y + f) * AB_SCALE) + roundDelta;
    for (let x = 0; x < dstW; x++) {
      const X = (x0 + adelta[x]!) >> (AB_BITS - INTER_BITS);
      const Y = (y0 + bdelta[x]!) >> (AB_BITS - INTER_BITS);
      const sx = X >> INTER_BITS;
      const sy = Y >> INTER_BITS;
      const w = ((Y & (INTER_TAB - 1)) * INTER_TAB + (X & (INTER_TAB - 1))) * 4;
      const w0 = bilinearTab[w]!;
      const w1 = bilinearTab[w + 1]!;
      const w2 = bilinearTab[w + 2]!;
      const w3 = bilinearTab[w + 3]!;
      const o = (y * dstW + x) * cn;
      if (sx >= 0 && sy >= 0 && sx < sw - 1 && sy < sh - 1) {
        const p = (sy * sw + sx) * cn;
        const q = p + sw * cn;
        for (let k = 0; k < cn; k++) {
          const v =
            (s[p + k]! * w0 + s[p + cn + k]! * w1 + s[q + k]! * w2 + s[q + cn + k]! * w3 + half) >>
            REMAP_BITS;
          dst[o + k] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      } else if (sx >= sw || sx + 1 < 0 || sy >= sh || sy + 1 < 0) {
        dst[o] = 0;
        dst[o + 1] = 0;
        dst[o + 2] = 0;
      } else {
        // Partly outside: outside neighbours take the border value 0 (BORDER_CONSTANT).
        const in0 = sx >= 0 && sx < sw;
        const in1 = sx + 1 >= 0 && sx + 1 < sw;
        const rowIn0 = sy >= 0 && sy < sh;
        const rowIn1 = sy + 1 >= 0 && sy + 1 < sh;
        for (let k = 0; k < cn; k++) {
          const v00 = rowIn0 && in0 ? s[(sy * sw + sx) * cn + k]! : 0;
          const v01 = rowIn0 && in1 ? s[(sy * sw + sx + 1) * cn + k]! : 0;
          const v10 = rowIn1 && in0 ? s[((sy + 1) * sw + sx) * cn + k]! : 0;
          const v11 = rowIn1 && in1 ? s[((sy + 1) * sw + sx + 1) * cn + k]! : 0;
          const v = (v00 * w0 + v01 * w1 + v10 * w2 + v11 * w3 + half) >> REMAP_BITS;
          dst[o + k] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
  }
  return dst;
}

/**
 * cv2.dnn.blobFromImage(img, 1/std, size, (mean,)*3, swapRB) for an image already at `size`:
 * NCHW float32, channels reversed when `swapRB` (BGR → RGB), (v - mean) / std.
 */
export function blobFromImage(
  img: PackedImage,
  mean: number,
  std: number,
  swapRB: boolean,
  out?: Float32Array,
): Float32Array {
  const plane = img.width * img.height;
  const blob = out ?? new Float32Array(plane * 3);
  const scale = 1 / std;
  const s = img.data;
  const c0 = swapRB ? 2 : 0;
  const c2 = swapRB ? 0 : 2;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    blob[i] = (s[p + c0]! - mean) * scale;
    blob[plane + i] = (s[p + 1]! - mean) * scale;
    blob[2 * plane + i] = (s[p + c2]! - mean) * scale;
  }
  return blob;
}
