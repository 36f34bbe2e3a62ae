// Replay hygiene on real camera-sized frames: a frozen feed, a still picture re-sent with bits
// flipped, and a looping recording are caught; a live feed (sensor noise) and a slow camera's
// repeated frames are not.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeImageFile } from '../../../main/image/decode.js';
import {
  FrozenFrameDetector,
  frameSignature,
  signatureDistance,
  STILL_MAD,
  type FramePixels,
} from '../../../main/liveness/frozen.js';
import type { PixelImage } from '../../../main/insightface/types.js';
import { facePath } from '../../helpers/fixtures.js';
import { LIVE, PRINT } from './setup.js';

let base: PixelImage;
let other: PixelImage;

before(async () => {
  base = await decodeImageFile(facePath(LIVE[0]));
  other = await decodeImageFile(facePath(PRINT));
});

/**
 * The base frame with sensor-like noise on every value: uniform ±2 levels, as the tests' fake
 * camera adds (ffmpeg `noise=alls=2`), different for every `seed`.
 */
function noisy(seed: number): FramePixels {
  const data = Uint8Array.from(base.data);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const n = (s >>> 29) - 4; // -4..3: about ±2 with a mean near zero
    data[i] = Math.max(0, Math.min(255, data[i]! + (n >= 0 ? n - 1 : n + 2)));
  }
  return { ...base, data };
}

/** The base frame with one bit flipped: never bit-identical, still the same picture. */
function flipped(n: number): FramePixels {
  const data = Uint8Array.from(base.data);
  data[(n * 7919) % data.length]! ^= 1;
  return { ...base, data };
}

describe('frame signatures', () => {
  it('tell sensor noise from bit flips, on either side of the tolerance', () => {
    const a = frameSignature(noisy(1));
    const b = frameSignature(noisy(2));
    const live = signatureDistance(a, b);
    const still = signatureDistance(frameSignature(flipped(1)), frameSignature(flipped(2)));
    assert.ok(live > 1.5 * STILL_MAD, `two noisy frames differ by ${live}`);
    assert.ok(still < STILL_MAD / 10, `two bit-flipped frames differ by ${still}`);
    assert.ok(signatureDistance(a, frameSignature(other)) > 10, 'a different picture is far away');
  });

  it('read RGBA, RGB and BGR frames of the same picture alike', () => {
    const { width, height } = base;
    const rgba = new Uint8Array(width * height * 4);
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      for (let c = 0; c < 3; c++) {
        rgba[i * 4 + c] = base.data[i * 3 + 2 - c]!;
        rgb[i * 3 + c] = base.data[i * 3 + 2 - c]!;
      }
      rgba[i * 4 + 3] = 255;
    }
    const ref = frameSignature(base);
    assert.deepEqual(frameSignature({ data: rgba, width, height, format: 'rgba' }), ref);
    assert.deepEqual(frameSignature({ data: rgb, width, height, format: 'rgb' }), ref);
  });
});

describe('FrozenFrameDetector', () => {
  it('refuses a frozen feed once the same image lasts 600 ms', () => {
    const d = new FrozenFrameDetector();
    const verdicts = [0, 100, 300, 599, 600, 900].map((t) => d.check(base, t));
    assert.deepEqual(
      verdicts.map((v) => v.frozen),
      [false, false, false, false, true, true],
    );
    assert.equal(verdicts.at(-1)!.reason, 'frozen');
  });

  it('refuses a still picture re-sent with one bit flipped per frame (issue 9)', () => {
    const d = new FrozenFrameDetector();
    const verdicts = Array.from({ length: 10 }, (_, i) => d.check(flipped(i), i * 120));
    assert.deepEqual(
      verdicts.map((v) => v.frozen),
      // 120 ms apart: the 6th frame (600 ms) ends the still window.
      [false, false, false, false, false, true, true, true, true, true],
    );
  });

  it('accepts a live feed, where sensor noise makes every frame different', () => {
    const d = new FrozenFrameDetector();
    for (let i = 0; i < 60; i++) assert.equal(d.check(noisy(i), i * 66).frozen, false, `frame ${i}`);
  });

  it('says which frames show a new image: every frame of a live feed, none of a still one', () => {
    const live = new FrozenFrameDetector();
    assert.ok(Array.from({ length: 10 }, (_, i) => live.check(noisy(i), i * 100).newImage).every(Boolean));
    const still = new FrozenFrameDetector();
    assert.deepEqual(
      Array.from({ length: 5 }, (_, i) => still.check(flipped(i), i * 100).newImage),
      [true, false, false, false, false],
    );
    // A 5 fps camera read at 10 fps: a new image every other frame.
    const slow = new FrozenFrameDetector();
    assert.deepEqual(
      Array.from({ length: 6 }, (_, i) => slow.check(noisy(Math.floor(i / 2)), i * 100).newImage),
      [true, false, true, false, true, false],
    );
  });

  it('accepts a slow camera whose frames are sampled two or three times', () => {
    const d = new FrozenFrameDetector();
    // A 5 fps camera read at 15 fps: each image appears 3 times over 200 ms.
    for (let i = 0; i < 45; i++)
      assert.equal(d.check(noisy(Math.floor(i / 3)), i * 66).frozen, false, `frame ${i}`);
  });

  it('refuses a looping recording: a frame seen before comes back after others', () => {
    const d = new FrozenFrameDetector();
    assert.equal(d.check(noisy(1), 0).frozen, false);
    assert.equal(d.check(other, 100).frozen, false);
    assert.deepEqual(d.check(noisy(1), 200), { frozen: true, reason: 'replayed', newImage: true });
  });

  it('forgets frames older than its window', () => {
    const d = new FrozenFrameDetector({ windowMs: 1000 });
    d.check(noisy(1), 0);
    d.check(other, 100);
    assert.equal(d.check(noisy(1), 2000).frozen, false);
    d.reset();
    assert.equal(d.check(other, 2100).frozen, false);
  });
});
