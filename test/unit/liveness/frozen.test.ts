// Replay hygiene on real camera-sized frames: a frozen feed and a looping recording are caught;
// a live feed (sensor noise) and a slow camera's repeated frames are not.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeImageFile } from '../../../main/image/decode.js';
import { frameHash, FrozenFrameDetector } from '../../../main/liveness/frozen.js';
import { facePath } from '../../helpers/fixtures.js';
import { LIVE, PRINT } from './setup.js';

let base: Uint8Array;
let other: Uint8Array;

before(async () => {
  base = (await decodeImageFile(facePath(LIVE[0]))).data as Uint8Array;
  other = (await decodeImageFile(facePath(PRINT))).data as Uint8Array;
});

/** The base frame with ±1 sensor noise on a few pixels, different for every `seed`. */
function noisy(seed: number): Uint8Array {
  const f = Uint8Array.from(base);
  let s = seed * 2654435761;
  for (let k = 0; k < 50; k++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const i = s % f.length;
    f[i] = f[i]! < 255 ? f[i]! + 1 : 254;
  }
  return f;
}

describe('frameHash', () => {
  it('changes with a single bit and is the same for unaligned copies', () => {
    const flipped = Uint8Array.from(base);
    flipped[base.length - 1]! ^= 1;
    assert.notEqual(frameHash(base), frameHash(flipped));
    const shifted = new Uint8Array(base.length + 1).subarray(1);
    shifted.set(base);
    assert.equal(shifted.byteOffset % 4, 1);
    assert.equal(frameHash(shifted), frameHash(base));
    assert.equal(frameHash(new Uint8ClampedArray(base)), frameHash(base));
  });
});

describe('FrozenFrameDetector', () => {
  it('refuses a frozen feed once the same image lasts a second', () => {
    const d = new FrozenFrameDetector();
    const verdicts = [0, 100, 500, 999, 1000, 1500].map((t) => d.check(base, t));
    assert.deepEqual(
      verdicts.map((v) => v.frozen),
      [false, false, false, false, true, true],
    );
    assert.equal(verdicts.at(-1)!.reason, 'frozen');
  });

  it('accepts a live feed, where sensor noise makes every frame different', () => {
    const d = new FrozenFrameDetector();
    for (let i = 0; i < 60; i++) assert.equal(d.check(noisy(i), i * 66).frozen, false, `frame ${i}`);
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
    assert.deepEqual(d.check(noisy(1), 200), { frozen: true, reason: 'replayed' });
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
