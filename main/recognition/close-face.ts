// Tobira's own, not InsightFace's: a second detector pass for a face that fills the picture.
// SCRFD (det_500m, det_2.5g, scrfd_*_bnkps) regresses boxes from anchors at strides 8/16/32
// whose training faces reach at most about 16 × stride = 512 px of the 640 px input; a face
// larger than that (someone close to the camera, a tight crop in photo import) gets no box at
// all. When the first pass (InsightFace's detect, unchanged, so parity holds) finds nothing,
// the frame is shrunk 2× into the middle of a black canvas of its own longer side and detected
// once more; boxes and keypoints are mapped back to the frame and the faces are marked
// `tooClose`, so the door asks the person to step back (quality gate `face_fits`).
import type { FaceAnalysis } from '../insightface/face_analysis.js';
import type { Face, PixelImage, Point } from '../insightface/types.js';

/** The retry's shrink factor: a face up to the whole frame lands at ≤ 320 px of 640, inside the anchors. */
export const CLOSE_SHRINK = 2;

/**
 * A face the retry finds must be at least this share of the frame's shorter side (box's
 * shorter side), else the first pass would have seen it: small finds on the shrunk canvas are
 * dropped, so the retry never adds faces the first pass rightly left out.
 */
export const CLOSE_MIN_SHARE = 0.4;

const CHANNELS: Record<PixelImage['format'], number> = { rgba: 4, rgb: 3, bgr: 3 };

export interface PaddedCanvas {
  image: PixelImage;
  /** Where the frame's (0, 0) lies on the canvas. */
  offsetX: number;
  offsetY: number;
}

/**
 * The frame box-averaged CLOSE_SHRINK× and centred on a black square canvas of the frame's
 * longer side, in the frame's own pixel format. The frame is one the first pass has already
 * checked (detectFaces): it is not checked twice on the per-frame path.
 */
export function paddedCanvas(image: PixelImage): PaddedCanvas {
  const ch = CHANNELS[image.format];
  const s = CLOSE_SHRINK;
  const side = Math.max(image.width, image.height);
  const w = Math.floor(image.width / s);
  const h = Math.floor(image.height / s);
  const offsetX = Math.floor((side - w) / 2);
  const offsetY = Math.floor((side - h) / 2);
  const size = side * side * ch;
  const data = new Uint8Array(size);
  if (image.format === 'rgba') for (let i = 3; i < size; i += 4) data[i] = 255;
  const src = image.data;
  const stride = image.width * ch;
  const n = s * s;
  for (let y = 0; y < h; y++) {
    let d = ((offsetY + y) * side + offsetX) * ch;
    const row = y * s * stride;
    for (let x = 0; x < w; x++) {
      const col = row + x * s * ch;
      for (let c = 0; c < ch; c++) {
        let sum = 0;
        for (let dy = 0; dy < s; dy++)
          for (let dx = 0; dx < s; dx++) sum += src[col + dy * stride + dx * ch + c]!;
        data[d++] = Math.round(sum / n);
      }
    }
  }
  return { image: { data, width: side, height: side, format: image.format }, offsetX, offsetY };
}

/** A canvas face mapped back to frame pixels. */
function mapBack(face: Face, canvas: PaddedCanvas): Face {
  const x = (v: number) => (v - canvas.offsetX) * CLOSE_SHRINK;
  const y = (v: number) => (v - canvas.offsetY) * CLOSE_SHRINK;
  const [x1, y1, x2, y2] = face.bbox;
  const kps: Point[] = face.kps.map(([px, py]) => [x(px), y(py)]);
  return { ...face, bbox: [x(x1), y(y1), x(x2), y(y2)], kps, tooClose: true };
}

/**
 * Detection with the close-face retry: InsightFace's pass first; only when it finds no face,
 * one pass on the padded canvas, keeping faces at least CLOSE_MIN_SHARE of the frame. The
 * canvas is allocated per retry (a shared buffer could be rewritten while an 'auto' detector
 * awaits its second input size).
 */
export async function detectFaces(
  analysis: Pick<FaceAnalysis, 'detect'>,
  image: PixelImage,
  opts: { maxNum?: number } = {},
): Promise<Face[]> {
  const faces = await analysis.detect(image, opts);
  if (faces.length > 0) return faces;
  const canvas = paddedCanvas(image);
  const found = await analysis.detect(canvas.image, opts);
  const minSide = CLOSE_MIN_SHARE * Math.min(image.width, image.height);
  return found
    .map((f) => mapBack(f, canvas))
    .filter((f) => Math.min(f.bbox[2] - f.bbox[0], f.bbox[3] - f.bbox[1]) >= minSide);
}

/**
 * A still photo's faces with every model run (FaceAnalysis.get with the retry), for photo
 * import and `tobira identify`: a tight crop is how a photo was framed, not a person standing
 * too close, so its faces are judged as any other (`tooClose` is dropped).
 */
export async function photoFaces(
  analysis: Pick<FaceAnalysis, 'detect' | 'analyze'>,
  image: PixelImage,
  opts: { maxNum?: number } = {},
): Promise<Face[]> {
  const out: Face[] = [];
  for (const found of await detectFaces(analysis, image, opts)) {
    const face = { ...found };
    delete face.tooClose;
    out.push(await analysis.analyze(image, face));
  }
  return out;
}
