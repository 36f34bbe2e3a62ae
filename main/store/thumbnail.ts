// A small face thumbnail for the admin list (stored encrypted with the templates).
import sharp from 'sharp';
import type { PixelImage } from '../insightface/types.js';

/** 96 px square JPEG of the box plus a 20% margin, clipped to the image. */
export async function faceThumbnail(
  image: PixelImage,
  bbox: readonly [number, number, number, number],
): Promise<Buffer> {
  const channels = image.format === 'rgba' ? 4 : 3;
  const [x1, y1, x2, y2] = bbox;
  const margin = 0.2 * Math.max(x2 - x1, y2 - y1);
  const left = Math.max(0, Math.floor(x1 - margin));
  const top = Math.max(0, Math.floor(y1 - margin));
  const width = Math.min(image.width, Math.ceil(x2 + margin)) - left;
  const height = Math.min(image.height, Math.ceil(y2 + margin)) - top;
  if (width < 1 || height < 1) throw new Error(`thumbnail: box ${bbox.join(',')} is outside the image`);
  let pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  if (image.format === 'bgr') {
    pixels = Buffer.from(pixels); // swap to RGB on a copy, never in the caller's frame
    for (let i = 0; i < pixels.length; i += 3) [pixels[i], pixels[i + 2]] = [pixels[i + 2]!, pixels[i]!];
  }
  return sharp(pixels, { raw: { width: image.width, height: image.height, channels } })
    .extract({ left, top, width, height })
    .resize(96, 96, { fit: 'cover' })
    .removeAlpha()
    .jpeg({ quality: 80 })
    .toBuffer();
}
