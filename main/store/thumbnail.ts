// A small face thumbnail for the admin list (stored encrypted with the templates).
import { encodeJpeg } from '../image/jpeg.js';
import type { PixelImage } from '../insightface/types.js';

/** 96 px square JPEG of the box plus a 20% margin, clipped to the image. */
export async function faceThumbnail(
  image: PixelImage,
  bbox: readonly [number, number, number, number],
): Promise<Buffer> {
  const [x1, y1, x2, y2] = bbox;
  const margin = 0.2 * Math.max(x2 - x1, y2 - y1);
  const left = Math.max(0, Math.floor(x1 - margin));
  const top = Math.max(0, Math.floor(y1 - margin));
  const width = Math.min(image.width, Math.ceil(x2 + margin)) - left;
  const height = Math.min(image.height, Math.ceil(y2 + margin)) - top;
  if (width < 1 || height < 1) throw new Error(`thumbnail: box ${bbox.join(',')} is outside the image`);
  return encodeJpeg(image, { crop: { left, top, width, height }, square: 96 });
}
