// Image files → PixelImage, the way InsightFace reads them with cv2.imread(path) (IMREAD_COLOR):
// 8-bit BGR, EXIF orientation applied, alpha dropped (not composited), grey replicated to 3
// channels, no colour management.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { PixelImage } from '../insightface/types.js';
import { messageOf } from '../util/message-of.js';

/** A file that is missing, unreadable, or not an image sharp can decode. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
  constructor(
    readonly file: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${detail}`, options);
  }
}

// JPEG, PNG and WebP are what the kiosk's cameras and enrolment photos produce.
const FORMATS = new Set(['jpeg', 'png', 'webp']);

/** Decodes a JPEG, PNG or WebP file into packed BGR (cv2.imread's layout). */
export async function decodeImageFile(file: string): Promise<PixelImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new ImageDecodeError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      cause: err,
    });
  }
  return decodeImageBytes(bytes, file);
}

/** Decodes encoded image bytes; `name` is used in errors. */
export async function decodeImageBytes(bytes: Uint8Array, name: string): Promise<PixelImage> {
  let data: Buffer;
  let info: sharp.OutputInfo;
  try {
    // ignoreIcc: cv2.imread applies no colour profile; sharp would convert to sRGB.
    const image = sharp(bytes, { failOn: 'error', ignoreIcc: true });
    const meta = await image.metadata();
    if (!meta.format || !FORMATS.has(meta.format)) {
      throw new ImageDecodeError(
        name,
        `unsupported image format '${meta.format ?? 'unknown'}' (JPEG, PNG, WebP)`,
      );
    }
    // rotate(): apply EXIF orientation, as cv2.imread does by default.
    ({ data, info } = await image
      .rotate()
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true }));
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    throw new ImageDecodeError(name, `not a decodable image (${messageOf(err)})`, { cause: err });
  }
  const { width, height, channels } = info;
  const n = width * height;
  const bgr = new Uint8Array(n * 3);
  if (channels === 1) {
    for (let i = 0; i < n; i++) bgr[i * 3] = bgr[i * 3 + 1] = bgr[i * 3 + 2] = data[i]!;
  } else if (channels === 3) {
    for (let i = 0; i < n * 3; i += 3) {
      bgr[i] = data[i + 2]!;
      bgr[i + 1] = data[i + 1]!;
      bgr[i + 2] = data[i]!;
    }
  } else {
    throw new ImageDecodeError(name, `unexpected ${channels}-channel decode`);
  }
  return { data: bgr, width, height, format: 'bgr' };
}
