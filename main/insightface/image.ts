// PixelImage checks and conversion to the packed BGR layout InsightFace works in (it reads
// images with cv2.imread, which gives BGR, and swaps to RGB only when building blobs).
import type { PackedImage } from './opencv.js';
import type { PixelImage } from './types.js';

/** A PixelImage whose size, format or buffer length is wrong. */
export class ImageError extends Error {
  override readonly name = 'ImageError';
}

const CHANNELS: Record<PixelImage['format'], number> = { rgba: 4, rgb: 3, bgr: 3 };

/** Throws ImageError unless width/height are positive integers and the buffer fits exactly. */
export function checkPixelImage(image: unknown): asserts image is PixelImage {
  if (typeof image !== 'object' || image === null) throw new ImageError('image: expected an object');
  const img = image as Partial<PixelImage>;
  const { width, height, format, data } = img;
  if (format === undefined || !(format in CHANNELS)) {
    throw new ImageError(`image.format: expected 'rgba', 'rgb' or 'bgr', got ${JSON.stringify(format)}`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width! <= 0 || height! <= 0) {
    throw new ImageError(`image size: expected positive integers, got ${String(width)}x${String(height)}`);
  }
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new ImageError('image.data: expected a Uint8Array or Uint8ClampedArray');
  }
  const want = width! * height! * CHANNELS[format];
  if (data.length !== want) {
    throw new ImageError(`image.data: ${width}x${height} ${format} needs ${want} bytes, got ${data.length}`);
  }
}

/**
 * The image as packed BGR. A `bgr` image is used as is (no copy); other formats are converted
 * into `out` when it is large enough, so a caller can reuse one buffer across frames.
 */
export function toBgr(image: PixelImage, out?: Uint8Array): PackedImage {
  checkPixelImage(image);
  const { width, height, format } = image;
  const n = width * height;
  const src = image.data;
  if (format === 'bgr') {
    const data = src instanceof Uint8Array ? src : new Uint8Array(src.buffer, src.byteOffset, src.length);
    return { data, width, height };
  }
  const dst = out && out.length >= n * 3 ? out.subarray(0, n * 3) : new Uint8Array(n * 3);
  if (format === 'rgba' && src.byteOffset % 4 === 0) {
    // One 32-bit load per pixel (little-endian: R in the low byte); the renderer's frames are rgba.
    const words = new Uint32Array(src.buffer, src.byteOffset, n);
    for (let i = 0, d = 0; i < n; i++, d += 3) {
      const w = words[i]!;
      dst[d] = (w >>> 16) & 0xff;
      dst[d + 1] = (w >>> 8) & 0xff;
      dst[d + 2] = w & 0xff;
    }
    return { data: dst, width, height };
  }
  const step = CHANNELS[format];
  for (let i = 0, s = 0, d = 0; i < n; i++, s += step, d += 3) {
    // rgb/rgba → bgr; alpha is dropped, as cv2.imread(IMREAD_COLOR) drops it.
    dst[d] = src[s + 2]!;
    dst[d + 1] = src[s + 1]!;
    dst[d + 2] = src[s]!;
  }
  return { data: dst, width, height };
}
