/** Mean Rec. 601 luma of RGBA pixels, sampled on a grid: cheap enough for every frame. */
export function meanLuma(rgba: Uint8Array, width: number, height: number, step = 4): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < height; y += step) {
    let i = y * width * 4;
    for (let x = 0; x < width; x += step, i += 4 * step) {
      sum += 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
      count += 1;
    }
  }
  return count === 0 ? 0 : sum / count;
}

/**
 * Signature grid: 64×48 = 3072 point samples, enough that a mean difference over it is a
 * stable statistic, and cheap (a fraction of a millisecond) for every frame.
 */
const GRID_W = 64;
const GRID_H = 48;

/** Pixels as the frame path carries them (a PixelImage fits). */
export interface FramePixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  format: 'rgba' | 'rgb' | 'bgr';
}

/**
 * The grey signature of a frame: BT.601 luma at GRID_W × GRID_H point samples. Point samples,
 * not block means: averaging would smooth away the sensor noise that tells a live feed from a
 * still one (liveness/frozen.ts).
 */
export function frameSignature(image: FramePixels): Uint8Array {
  const channels = image.format === 'rgba' ? 4 : 3;
  const [r, b] = image.format === 'bgr' ? [2, 0] : [0, 2];
  const out = new Uint8Array(GRID_W * GRID_H);
  for (let gy = 0; gy < GRID_H; gy++) {
    const y = Math.min(image.height - 1, Math.floor(((gy + 0.5) * image.height) / GRID_H));
    for (let gx = 0; gx < GRID_W; gx++) {
      const x = Math.min(image.width - 1, Math.floor(((gx + 0.5) * image.width) / GRID_W));
      const i = (y * image.width + x) * channels;
      const d = image.data;
      out[gy * GRID_W + gx] = (77 * d[i + r]! + 150 * d[i + 1]! + 29 * d[i + b]!) >> 8;
    }
  }
  return out;
}

/** Mean absolute difference of two signatures, in grey levels. */
export function signatureDistance(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
