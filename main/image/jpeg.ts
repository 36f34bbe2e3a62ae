// The one JPEG encoder for camera frames and photos (audit snapshots, thumbnails, Compare's
// previews): sharp, from any PixelImage format, never touching the caller's pixels.
import sharp from 'sharp';
import type { PixelImage } from '../insightface/types.js';

export interface JpegOptions {
  /** Cut out this box (integer pixels, inside the image) before anything else. */
  crop?: { left: number; top: number; width: number; height: number };
  /** Resize to exactly this square, covering it (thumbnails). */
  square?: number;
  /** Shrink to at most this width, never enlarging. */
  maxWidth?: number;
  quality?: number;
}

export async function encodeJpeg(image: PixelImage, options: JpegOptions = {}): Promise<Buffer> {
  const channels = image.format === 'rgba' ? 4 : 3;
  let pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  if (image.format === 'bgr') {
    pixels = Buffer.from(pixels); // swap to RGB on a copy, never in the caller's frame
    for (let i = 0; i < pixels.length; i += 3) [pixels[i], pixels[i + 2]] = [pixels[i + 2]!, pixels[i]!];
  }
  let pipeline = sharp(pixels, { raw: { width: image.width, height: image.height, channels } });
  if (options.crop) pipeline = pipeline.extract(options.crop);
  if (options.square) pipeline = pipeline.resize(options.square, options.square, { fit: 'cover' });
  else if (options.maxWidth)
    pipeline = pipeline.resize({ width: options.maxWidth, withoutEnlargement: true });
  return pipeline
    .removeAlpha()
    .jpeg({ quality: options.quality ?? 80 })
    .toBuffer();
}
