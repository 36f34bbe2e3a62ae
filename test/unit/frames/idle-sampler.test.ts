// Idle sampling on real frames: with nobody in view an unchanged picture is analysed about
// three times a second instead of ten; a changed picture, or a face, brings back every frame.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdleSampler, IDLE_INTERVAL_MS } from '../../../main/frames/idle-sampler.js';
import { facePath } from '../../helpers/fixtures.js';
import { noisy, rgbaFrameOf, type RgbaFrame } from '../../helpers/camera-frames.js';

const pixels = (f: RgbaFrame) => ({
  data: f.rgba,
  width: f.width,
  height: f.height,
  format: 'rgba' as const,
});

describe('idle sampling', () => {
  let scene: RgbaFrame;
  let person: RgbaFrame;
  before(async () => {
    scene = await rgbaFrameOf(facePath('photos/face_recognition/knn_examples/train/biden/biden2.jpg'));
    person = await rgbaFrameOf(facePath('photos/face_recognition/knn_examples/test/obama1.jpg'));
  });

  /** Frames at 10 fps; `hasFace` says what detection would have found. */
  function run(sampler: IdleSampler, frames: RgbaFrame[], hasFace: (i: number) => boolean, start = 0) {
    const analysed: number[] = [];
    frames.forEach((frame, i) => {
      const now = start + i * 100;
      if (sampler.shouldAnalyze(pixels(frame), now)) {
        analysed.push(i);
        sampler.analyzed(hasFace(i), now);
      }
    });
    return analysed;
  }

  test('an unchanged scene with no face is analysed every IDLE_INTERVAL_MS, not every frame', () => {
    const frames = Array.from({ length: 30 }, (_, i) => noisy(scene, i + 1));
    const analysed = run(new IdleSampler(), frames, () => false);
    // 3 s at 10 fps: the first frame, then one per IDLE_INTERVAL_MS.
    assert.equal(analysed.length, Math.ceil(3000 / IDLE_INTERVAL_MS));
    const step = IDLE_INTERVAL_MS / 100;
    assert.deepEqual(analysed.slice(0, 3), [0, step, 2 * step]);
  });

  test('a changed picture is analysed at once, and with a face in view every frame is', () => {
    const sampler = new IdleSampler();
    const empty = Array.from({ length: 5 }, (_, i) => noisy(scene, i + 1));
    const arrives = Array.from({ length: 5 }, (_, i) => noisy(person, i + 100));
    const analysed = run(sampler, [...empty, ...arrives], (i) => i >= 5);
    assert.ok(analysed.includes(5), `the frame where the person steps in was skipped: ${analysed}`);
    assert.deepEqual(
      analysed.filter((i) => i >= 5),
      [5, 6, 7, 8, 9],
    );
  });
});
