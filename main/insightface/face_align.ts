// InsightFace's utils/face_align.py: the similarity transform from five detected keypoints
// onto ArcFace's 112×112 template (estimate_norm), the aligned crop (norm_crop), and the
// centre/scale crop the landmark and attribute models use (transform).
import { warpAffine, type Affine, type PackedImage } from './opencv.js';
import type { Point } from './types.js';
import { similarityTransform32 } from './umeyama.js';

/** ArcFace's five-point template in a 112×112 crop (face_align.arcface_dst). */
export const ARCFACE_DST: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** face_align.estimate_norm(lmk, 112, 'arcface'): the 2×3 matrix onto the template. */
export function estimateNorm(kps: readonly Point[], imageSize = 112): Affine {
  if (kps.length !== 5) throw new RangeError(`estimateNorm: expected 5 keypoints, got ${kps.length}`);
  // InsightFace scales the template for other sizes: ratio = size/112 (size/128 with +8 x-shift).
  let ratio = imageSize / 112;
  let diffX = 0;
  if (imageSize % 112 !== 0) {
    ratio = imageSize / 128;
    diffX = 8 * ratio;
  }
  const dst = ARCFACE_DST.map(([x, y]): Point => [x * ratio + diffX, y * ratio]);
  // InsightFace passes float32 keypoints and a float32 template: skimage then works in float32.
  return similarityTransform32(kps, dst);
}

/** face_align.norm_crop: the aligned imageSize×imageSize crop (packed, same channel order as `img`). */
export function normCrop(
  img: PackedImage,
  kps: readonly Point[],
  imageSize = 112,
  out?: Uint8Array,
): Uint8Array {
  return warpAffine(img, estimateNorm(kps, imageSize), imageSize, imageSize, out);
}

/**
 * face_align.transform(data, center, output_size, scale, rotation): scale about `center`,
 * rotate by `rotationDeg`, and put the centre in the middle of an outputSize square.
 * Returns the crop and the matrix M (image → crop).
 */
export function cropTransform(
  img: PackedImage,
  center: Point,
  outputSize: number,
  scale: number,
  rotationDeg: number,
  out?: Uint8Array,
): { crop: Uint8Array; M: Affine } {
  const rot = (rotationDeg * Math.PI) / 180;
  const cos = Math.cos(rot);
  const sin = Math.sin(rot);
  const cx = center[0] * scale;
  const cy = center[1] * scale;
  // t1 (scale) + t2 (translate by -centre·scale) + t3 (rotate) + t4 (translate to the middle).
  const M: Affine = [
    scale * cos,
    -scale * sin,
    -cx * cos + cy * sin + outputSize / 2,
    scale * sin,
    scale * cos,
    -cx * sin - cy * cos + outputSize / 2,
  ];
  return { crop: warpAffine(img, M, outputSize, outputSize, out), M };
}
