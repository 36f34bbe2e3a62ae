// utils/transform.py: points through affine matrices, and head pose from an affine camera.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cropTransform } from '../../../main/insightface/face_align.js';
import {
  estimateAffineMatrix3d23d,
  matrix2angle,
  P2sRt,
  transPoints,
} from '../../../main/insightface/transform.js';

const deg = Math.PI / 180;

/** R = Rz(roll)·Ry(yaw)·Rx(pitch), row-major, written out by hand. */
function eulerToMatrix(pitch: number, yaw: number, roll: number): number[] {
  const [cx, sx, cy, sy, cz, sz] = [pitch, pitch, yaw, yaw, roll, roll].map((a, i) =>
    i % 2 ? Math.sin(a * deg) : Math.cos(a * deg),
  );
  return [
    cz! * cy!,
    cz! * sy! * sx! - sz! * cx!,
    cz! * sy! * cx! + sz! * sx!,
    sz! * cy!,
    sz! * sy! * sx! + cz! * cx!,
    sz! * sy! * cx! - cz! * sx!,
    -sy!,
    cy! * sx!,
    cy! * cx!,
  ];
}

describe('matrix2angle', () => {
  for (const [p, y, r] of [
    [0, 0, 0],
    [15, -30, 10],
    [-45, 60, -80],
    [5, 89, 0],
  ] as const) {
    it(`recovers pitch ${p}, yaw ${y}, roll ${r}`, () => {
      const pose = matrix2angle(eulerToMatrix(p, y, r));
      assert.ok(
        Math.abs(pose.pitch - p) < 1e-6 && Math.abs(pose.yaw - y) < 1e-6 && Math.abs(pose.roll - r) < 1e-6,
        JSON.stringify(pose),
      );
    });
  }
  it('at yaw 90° (gimbal lock) puts the rotation in pitch and roll = 0', () => {
    const pose = matrix2angle(eulerToMatrix(20, 90, 0));
    assert.ok(Math.abs(pose.yaw - 90) < 1e-6);
    assert.equal(pose.roll, 0);
  });
});

describe('affine camera fit and decomposition', () => {
  it('estimateAffineMatrix3d23d recovers P from exact correspondences; P2sRt splits it', () => {
    const R = eulerToMatrix(12, -25, 7);
    const s = 1.7;
    const t = [300, 200, -5];
    const X: number[] = [];
    const Y: number[] = [];
    for (let i = 0; i < 20; i++) {
      const p = [Math.sin(i) * 50, Math.cos(i * 1.7) * 60, Math.sin(i * 0.3 + 2) * 40];
      X.push(...p);
      for (let r = 0; r < 3; r++)
        Y.push(s * (R[r * 3]! * p[0]! + R[r * 3 + 1]! * p[1]! + R[r * 3 + 2]! * p[2]!) + t[r]!);
    }
    const P = estimateAffineMatrix3d23d(X, Y);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(P[r * 4 + c]! - s * R[r * 3 + c]!) < 1e-9);
      assert.ok(Math.abs(P[r * 4 + 3]! - t[r]!) < 1e-7);
    }
    const d = P2sRt(P);
    assert.ok(Math.abs(d.s - s) < 1e-9);
    d.R.forEach((v, k) => assert.ok(Math.abs(v - R[k]!) < 1e-9));
  });
});

describe('transPoints and the landmark crop', () => {
  it('maps 2-D points and scales z by the matrix scale', () => {
    const M = [2, 0, 10, 0, 2, 20] as const;
    assert.deepEqual(Array.from(transPoints(Float32Array.from([1, 2, 3]), 3, [...M])), [12, 24, 6]);
  });
  it('cropTransform centres the box and scales it: centre → (size/2, size/2)', () => {
    const img = { data: new Uint8Array(100 * 100 * 3), width: 100, height: 100 };
    const { M } = cropTransform(img, [40, 60], 192, 0.5, 0);
    assert.deepEqual(M, [0.5, -0, 96 - 20, 0, 0.5, 96 - 30]);
  });
});
