// decodeImageFile reads files the way cv2.imread(path) does: BGR, EXIF orientation applied,
// alpha dropped, grey replicated, no colour management.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImageFile } from '../../../main/image/decode.js';
import { facePath } from '../../helpers/fixtures.js';

/** The file's pixels as sharp reads them raw (RGB(A), no profile applied, not rotated). */
async function rawRgb(file: string) {
  return sharp(file, { ignoreIcc: true }).raw().toBuffer({ resolveWithObject: true });
}

describe('decodeImageFile', () => {
  it('32-bit PNG with alpha: BGR with the alpha dropped, not composited', async () => {
    const file = facePath('photos/face_recognition/32bit.png');
    const img = await decodeImageFile(file);
    const { data, info } = await rawRgb(file);
    assert.equal(info.channels, 4);
    assert.deepEqual([img.width, img.height, img.format], [info.width, info.height, 'bgr']);
    for (const i of [0, 1234, 99_999, info.width * info.height - 1]) {
      assert.deepEqual(
        [...img.data.subarray(i * 3, i * 3 + 3)],
        [data[i * 4 + 2], data[i * 4 + 1], data[i * 4]],
      );
    }
  });

  it('greyscale PNG: the grey value in all three channels', async () => {
    const file = facePath('photos/scrfd_portraits/solvay_conference_1927.png');
    const img = await decodeImageFile(file);
    const { data, info } = await rawRgb(file);
    const ch = info.channels;
    for (const i of [0, 5000, 1_000_000]) {
      const g = data[i * ch];
      assert.deepEqual([...img.data.subarray(i * 3, i * 3 + 3)], [g, g, g]);
    }
  });

  it('applies the EXIF orientation (image_T1.jpeg is stored 640×480, orientation 6)', async () => {
    const img = await decodeImageFile(facePath('photos/inspireface/image_T1.jpeg'));
    assert.deepEqual([img.width, img.height], [480, 640]);
  });

  it('ignores embedded colour profiles, as OpenCV does', async () => {
    // woman.png carries a non-sRGB profile: sharp's colour-managed read differs from the raw pixels.
    const file = facePath('photos/inspireface/woman.png');
    const img = await decodeImageFile(file);
    const { data } = await rawRgb(file);
    assert.deepEqual([...img.data.subarray(0, 3)], [data[2], data[1], data[0]]);
  });

  it('reads WebP', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-webp-'));
    try {
      const file = path.join(dir, 'kun.webp');
      writeFileSync(
        file,
        await sharp(facePath('photos/inspireface/kun.jpg')).webp({ lossless: true }).toBuffer(),
      );
      const img = await decodeImageFile(file);
      const jpg = await decodeImageFile(facePath('photos/inspireface/kun.jpg'));
      assert.deepEqual([img.width, img.height], [jpg.width, jpg.height]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
