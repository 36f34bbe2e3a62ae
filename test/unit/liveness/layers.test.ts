// Layers 1 and 2 as pure functions: the fusion of per-frame passive scores, and the planar fit
// on synthetic keypoints of a 3-D head and of a flat picture.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point } from '../../../main/insightface/types.js';
import { applyHomography, fitHomography, type Mat3 } from '../../../main/liveness/homography.js';
import {
  ActiveCheck,
  judgeSequence,
  replayUnlock,
  type LayeredFrame,
} from '../../../main/liveness/levels.js';
import { fusePassive, PassiveWindow } from '../../../main/liveness/passive-fusion.js';
import { DEFAULT_MIN_PARALLAX, judgeStructure, structurePoints } from '../../../main/liveness/structure.js';

describe('layer 1: passive scores fused over the window', () => {
  it('a single lucky frame does not carry the decision', () => {
    // An attack the models see through on every frame but one.
    assert.deepEqual(
      [
        fusePassive([0.05, 0.1, 0.999]).live,
        fusePassive([0.35, 0.35, 0.999]).live,
        fusePassive([0.3, 0.3, 0.3, 0.999]).live,
      ],
      [false, false, false],
    );
    // Today's per-frame rule with framesToAgree 1 (the setting allows it) let such a frame open the door.
    assert.equal(fusePassive([0.999]).reason, 'too_few_frames');
  });

  it('a floor on the worst frame: one frame the models are sure is an attack refuses the window', () => {
    const v = fusePassive([0.99, 0.99, 0.99, 0.15]);
    assert.deepEqual([v.live, v.reason, v.worst], [false, 'below_floor', 0.15]);
  });

  it('passes a live window, and judges a still shown for N frames as the one frame would be', () => {
    assert.equal(fusePassive([0.97, 0.99, 0.999]).live, true);
    assert.equal(fusePassive([0.6, 0.6, 0.6]).live, true);
    assert.equal(fusePassive([0.45, 0.45, 0.45]).reason, 'below_threshold');
    const v = fusePassive([0.7, 0.7, 0.7]);
    assert.ok(Math.abs(v.score - 0.7) < 1e-9);
  });

  it('keeps the scores of the last window only', () => {
    const w = new PassiveWindow(1000);
    w.add(0.1, 0);
    w.add(0.9, 900);
    w.add(0.8, 1500);
    assert.deepEqual(w.last(5), [0.9, 0.8]);
    assert.deepEqual(w.last(1), [0.8]);
  });
});

/** A generic 3-D face (eye centres at ±1, nose 0.45 in front; yaw.ts NOSE_DEPTH_RATIO) seen turned by `yawDeg`. */
function head(yawDeg: number, extra: [number, number, number][] = []): Point[] {
  const pts: [number, number, number][] = [
    [-0.5, -0.4, 0],
    [0.5, -0.4, 0],
    [0, 0.1, -0.45],
    [-0.4, 0.6, -0.05],
    [0.4, 0.6, -0.05],
    ...extra,
  ];
  const a = (yawDeg * Math.PI) / 180;
  return pts.map(([x, y, z]) => {
    const X = x * Math.cos(a) + z * Math.sin(a);
    const Z = -x * Math.sin(a) + z * Math.cos(a) + 6;
    return [320 + (400 * X) / Z, 240 + (400 * y) / Z] as Point;
  });
}

describe('layer 2: 3-D structure from motion', () => {
  it('fits an exact homography and recovers it', () => {
    const h: Mat3 = [1.1, 0.05, 12, -0.03, 0.95, -7, 0.0004, -0.0002, 1];
    const from: Point[] = [
      [10, 10],
      [200, 15],
      [190, 220],
      [20, 200],
      [100, 120],
    ];
    const to = from.map((p) => applyHomography(h, p));
    const fit = fitHomography(from, to);
    for (const p of from) {
      const [x, y] = applyHomography(fit, p);
      const [u, v] = applyHomography(h, p);
      assert.ok(Math.hypot(x - u, y - v) < 1e-6);
    }
  });

  it('a turning head is 3-D; the same points on a flat picture are not', () => {
    const real = judgeStructure([head(-20), head(0), head(20)]);
    assert.equal(real.live, true, JSON.stringify(real));
    const flatFace = head(0);
    const tilt: Mat3 = [0.9, 0.02, 20, 0.01, 1, 5, 0.0006, 0, 1];
    const flat = judgeStructure([flatFace, flatFace.map((p) => applyHomography(tilt, p))]);
    // The picture's keypoints show no turn either: too small to tell, so the door asks for more.
    assert.deepEqual([flat.live, flat.reason], [false, 'turn_further']);
    assert.ok(flat.turn! < flat.neededTurn, `turn ${flat.turn}`);
    assert.ok(flat.parallax < 1e-6);
    assert.equal(judgeStructure([flatFace, flatFace]).reason, 'not_enough_motion');
    assert.equal(judgeStructure([flatFace]).reason, 'not_enough_motion');
  });

  it('uses the 106 landmarks when the pack has 2d106det', () => {
    // 106 points: the 5 of the generic head, and 101 on the face contour, which on a real head
    // lies up to ≈ 0.8 eye distances behind the eyes at the cheeks (ear side of the jaw line).
    const extra: [number, number, number][] = Array.from({ length: 101 }, (_, i) => {
      const t = (i / 100) * Math.PI;
      return [-0.7 * Math.cos(t), -0.2 + 0.8 * Math.sin(t), 0.8 * Math.cos(t) ** 2];
    });
    const frames = [-20, 0, 20].map((yaw) => {
      const kps = head(yaw);
      return { kps, landmark2d106: head(yaw, extra) };
    });
    assert.equal(structurePoints(frames[0]!).length, 106);
    const v = judgeSequence(
      frames.map((face, i) => ({ nowMs: i * 100, face, passive: 0.99 })),
      'high',
    );
    assert.equal(v.structure?.points, 106);
    assert.equal(v.live, true, JSON.stringify(v));
  });
});

/** Frames 100 ms apart: the head still at 0° for `rest` frames, then at each yaw in `yaws`. */
function turning(yaws: readonly number[], rest = 7, points = head): LayeredFrame[] {
  return [...Array<number>(rest).fill(0), ...yaws].map((yaw, i) => ({
    nowMs: i * 100,
    face: { kps: points(yaw) },
    passive: 0.99,
  }));
}

describe('layer 2: a turn too small to tell asks for a larger one', () => {
  it('measures the turn: ±8° is too small for the parallax a real head needs, ±25° is not', () => {
    const small = judgeStructure([head(-8), head(0), head(8)]);
    assert.ok(small.parallax < DEFAULT_MIN_PARALLAX, `parallax ${small.parallax}`);
    assert.ok(small.turn! < small.neededTurn, `turn ${small.turn} of ${small.neededTurn}`);
    assert.deepEqual([small.live, small.reason], [false, 'turn_further']);
    const large = judgeStructure([head(-25), head(0), head(25)]);
    assert.equal(large.live, true, JSON.stringify(large));
  });

  it('at the door, small turns pass the challenge and are asked to go further, then pass', () => {
    // The challenge counts 15°; ±18° turns show too little depth for layer 2.
    const small = [-9, -18, -18, -9, 0, 0, 9, 18, 18, 9, 0];
    const frames = turning([...small, 0]);
    const check = new ActiveCheck('subject', frames[2]!.nowMs, frames[2]!.face, {
      challenge: { directions: ['left', 'right'] },
    });
    const seen = frames.slice(3).map((f) => check.observe({ ...f, identity: 'subject' }));
    assert.equal(check.challenge.current.state, 'passed');
    assert.deepEqual(seen.at(-1), { state: 'pending', direction: 'right', step: 1, further: true });
    assert.equal(check.turningFurther, true);
    // Another person turning fully in the meantime ends it; their depth does not count.
    const other = check.observe({
      nowMs: frames.at(-1)!.nowMs + 100,
      face: { kps: head(-30) },
      passive: 0.99,
      identity: 'other',
    });
    assert.equal(other.state, 'done');
    assert.deepEqual(other.state === 'done' && [other.verdict.live, other.verdict.reason], [
      false,
      'identity-changed',
    ]);
    const further = replayUnlock(turning([...small, -12, -24, -32, -24, -12, 0]), 'high', ['left', 'right']);
    assert.equal(further.live, true, JSON.stringify(further));
    assert.ok(further.structure!.parallax >= DEFAULT_MIN_PARALLAX);
  });

  it('a flat picture shown while the door asks for more never passes, and is refused when time runs out', () => {
    const small = [-9, -18, -18, -9, 0, 0, 9, 18, 18, 9, 0];
    const tilt: Mat3 = [0.9, 0.02, 20, 0.01, 1, 5, 0.0006, 0, 1];
    const picture = head(0).map((p) => applyHomography(tilt, p));
    const frames = turning(small);
    const last = frames.at(-1)!.nowMs;
    for (let i = 1; i <= 40; i++)
      frames.push({ nowMs: last + i * 100, face: { kps: i % 2 ? picture : head(0) }, passive: 0.99 });
    const v = replayUnlock(frames, 'high', ['left', 'right']);
    assert.deepEqual([v.live, v.failedLayer, v.reason], [false, 'structure', 'turn_further']);
  });
});
