// Brightness and sharpness of a face crop. The crop is resampled to a fixed
// 112×112 grid (ArcFace's input size) so the blur measure does not depend on how
// large the face is in the frame.
import type { PixelImage } from '../insightface/types.js';

export const STATS_SIDE = 112;

export interface CropStats {
  /** Mean grey level 0..255. */
  meanGrey: number;
  /** Variance of the 4-neighbour Laplacian (OpenCV's Laplacian, ksize 1) of the grey crop. */
  laplacianVariance: number;
}

/** Grey crop of `bbox` (clipped to the image), box-averaged onto a side×side grid; null if empty. */
export function greyCrop(
  image: PixelImage,
  bbox: readonly [number, number, number, number],
  side = STATS_SIDE,
): Float32Array | null {
  const channels = image.format === 'rgba' ? 4 : 3;
  const expected = image.width * image.height * channels;
  if (image.data.length !== expected) {
    throw new Error(
      `image: ${image.format} ${image.width}x${image.height} needs ${expected} bytes, got ${image.data.length}`,
    );
  }
  const x1 = Math.max(0, Math.floor(bbox[0]));
  const y1 = Math.max(0, Math.floor(bbox[1]));
  const x2 = Math.min(image.width, Math.ceil(bbox[2]));
  const y2 = Math.min(image.height, Math.ceil(bbox[3]));
  if (x2 - x1 < 2 || y2 - y1 < 2) return null;
  // BT.601 luma weights, as OpenCV's RGB2GRAY.
  const [wr, wg, wb] = image.format === 'bgr' ? [0.114, 0.587, 0.299] : [0.299, 0.587, 0.114];
  const data = image.data;
  const out = new Float32Array(side * side);
  const stepX = (x2 - x1) / side;
  const stepY = (y2 - y1) / side;
  for (let oy = 0; oy < side; oy++) {
    const ys = y1 + Math.floor(oy * stepY);
    const ye = Math.max(ys + 1, y1 + Math.floor((oy + 1) * stepY));
    for (let ox = 0; ox < side; ox++) {
      const xs = x1 + Math.floor(ox * stepX);
      const xe = Math.max(xs + 1, x1 + Math.floor((ox + 1) * stepX));
      let sum = 0;
      for (let y = ys; y < ye; y++) {
        let i = (y * image.width + xs) * channels;
        for (let x = xs; x < xe; x++, i += channels)
          sum += wr * data[i]! + wg * data[i + 1]! + wb * data[i + 2]!;
      }
      out[oy * side + ox] = sum / ((ye - ys) * (xe - xs));
    }
  }
  return out;
}

export function cropStats(
  image: PixelImage,
  bbox: readonly [number, number, number, number],
): CropStats | null {
  const side = STATS_SIDE;
  const grey = greyCrop(image, bbox, side);
  if (!grey) return null;
  let total = 0;
  for (const v of grey) total += v;
  let sum = 0;
  let sumSq = 0;
  const n = (side - 2) * (side - 2);
  for (let y = 1; y < side - 1; y++) {
    for (let x = 1; x < side - 1; x++) {
      const i = y * side + x;
      const lap = grey[i - 1]! + grey[i + 1]! + grey[i - side]! + grey[i + side]! - 4 * grey[i]!;
      sum += lap;
      sumSq += lap * lap;
    }
  }
  const mean = sum / n;
  return { meanGrey: total / grey.length, laplacianVariance: sumSq / n - mean * mean };
}
