// The hand-written tracker of flow.ts on textures whose motion is known exactly: a sum of
// sines sampled at any real position, moved by a translation, or by a scale (a foreshortened
// surface), so the true position of every tracked corner is known.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point } from '../../../main/insightface/types.js';
import { goodFeatures, greyRegion, pyramid, trackPoints, type Grey } from '../../../main/liveness/flow.js';

/** A smooth texture with corners everywhere: products of sines of incommensurate periods. */
const texture = (x: number, y: number): number =>
  128 +
  40 * Math.sin(x / 3.1) * Math.sin(y / 2.7) +
  30 * Math.sin((x + 2 * y) / 5.3) +
  25 * Math.cos((3 * x - y) / 7.9);

/** The plane whose pixel (x, y) shows the texture at map(x, y). */
function plane(map: (x: number, y: number) => Point, width = 120, height = 120): Grey {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [u, v] = map(x, y);
      data[y * width + x] = texture(u, v);
    }
  return { width, height, data };
}

const TRACK = { half: 7, iterations: 20 };
const inner: [number, number, number, number] = [30, 30, 90, 90];

describe('sparse optical flow (flow.ts)', () => {
  it('finds corners spread at least minDistance apart, inside the region asked', () => {
    const g = plane((x, y) => [x, y]);
    const corners = goodFeatures(g, inner, { maxCorners: 40, quality: 0.01, minDistance: 6, half: 3 });
    assert.ok(corners.length >= 20, `${corners.length} corners`);
    for (const [x, y] of corners) assert.ok(x >= 30 && x <= 90 && y >= 30 && y <= 90, `${x},${y}`);
    for (let i = 0; i < corners.length; i++)
      for (let j = i + 1; j < corners.length; j++)
        assert.ok(Math.hypot(corners[i]![0] - corners[j]![0], corners[i]![1] - corners[j]![1]) >= 6);
  });

  it('a plane without texture has no corners', () => {
    const flat: Grey = { width: 60, height: 60, data: new Float32Array(3600).fill(100) };
    assert.deepEqual(
      goodFeatures(flat, [0, 0, 60, 60], { maxCorners: 10, quality: 0.01, minDistance: 3, half: 3 }),
      [],
    );
  });

  it('tracks a sub-pixel translation to within 0.05 px, over 5 px of motion', () => {
    const a = plane((x, y) => [x, y]);
    const b = plane((x, y) => [x - 4.3, y + 2.6]); // the texture moved by (+4.3, −2.6); its shortest period is 19 px
    const corners = goodFeatures(a, inner, { maxCorners: 30, quality: 0.01, minDistance: 6, half: 3 });
    const tracked = trackPoints(pyramid(a, 3), pyramid(b, 3), corners, TRACK);
    corners.forEach((p, i) => {
      const q = tracked[i];
      assert.ok(q, `corner ${p} lost`);
      assert.ok(Math.hypot(q[0] - p[0] - 4.3, q[1] - p[1] + 2.6) < 0.05, `${p} → ${q}`);
    });
  });

  it("a foreshortened surface: the affine warp removes the translation window's drift", () => {
    // The texture compressed to 85% along x about x = 60 (a surface turned by about 32°).
    const s = 0.85;
    const a = plane((x, y) => [x, y]);
    const b = plane((x, y) => [60 + (x - 60) / s, y]);
    const corners = goodFeatures(a, inner, { maxCorners: 30, quality: 0.01, minDistance: 6, half: 3 });
    const truth = corners.map(([x, y]): Point => [60 + (x - 60) * s, y]);
    const error = (tracked: (Point | null)[]) =>
      Math.max(...tracked.map((q, i) => (q ? Math.hypot(q[0] - truth[i]![0], q[1] - truth[i]![1]) : 99)));
    const plain = error(trackPoints(pyramid(a, 3), pyramid(b, 3), corners, TRACK, truth));
    // The template read through the inverse of the local map: 1/s along x.
    const warps = corners.map(() => [1 / s, 0, 0, 1] as const);
    const warped = error(trackPoints(pyramid(a, 3), pyramid(b, 3), corners, TRACK, truth, warps));
    console.log(
      `foreshortened to ${s}: worst error ${plain.toFixed(3)} px plain, ${warped.toFixed(3)} px warped`,
    );
    assert.ok(warped < 0.05, `warped ${warped}`);
    assert.ok(warped < plain / 3, `plain ${plain}, warped ${warped}`);
  });

  it('greyRegion refuses a scale that is not positive', () => {
    const img = { data: new Uint8Array(12), width: 2, height: 2, format: 'rgb' as const };
    for (const scale of [0, -1, Number.NaN])
      assert.throws(() => greyRegion(img, [0, 0, 2, 2], scale), /scale/);
  });
});
