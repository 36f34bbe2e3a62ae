// InsightFace's utils/transform.py: mapping points through an affine matrix, and head pose
// from 68 3-D landmarks (an affine camera fitted to a mean shape, then Euler angles).
import type { Affine } from './opencv.js';
import type { Pose } from './types.js';

/** trans_points2d / trans_points3d: (x, y) through M; z scaled by M's scale (3-D points). */
export function transPoints(pts: Float32Array, dim: 2 | 3, M: Affine): Float32Array {
  const out = new Float32Array(pts.length);
  const scale = Math.sqrt(M[0] * M[0] + M[1] * M[1]);
  for (let i = 0; i < pts.length; i += dim) {
    const x = pts[i]!;
    const y = pts[i + 1]!;
    out[i] = M[0] * x + M[1] * y + M[2];
    out[i + 1] = M[3] * x + M[4] * y + M[5];
    if (dim === 3) out[i + 2] = pts[i + 2]! * scale;
  }
  return out;
}

/** A 3×4 affine camera, row-major. */
export type Camera = Float64Array;

/**
 * estimate_affine_matrix_3d23d(X, Y): least squares P (3×4) with Y ≈ P·[X; 1], for n×3 point
 * sets given flat. Solved by the normal equations (XᵀX) P ᵀ = XᵀY, as np.linalg.lstsq does for a
 * full-rank X.
 */
export function estimateAffineMatrix3d23d(X: ArrayLike<number>, Y: ArrayLike<number>): Camera {
  const n = X.length / 3;
  if (Y.length !== X.length) throw new RangeError('estimateAffineMatrix3d23d: X and Y differ in size');
  const ata = new Float64Array(16);
  const aty = new Float64Array(12);
  const row = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    row[0] = X[i * 3]!;
    row[1] = X[i * 3 + 1]!;
    row[2] = X[i * 3 + 2]!;
    row[3] = 1;
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) ata[r * 4 + c]! += row[r]! * row[c]!;
      for (let c = 0; c < 3; c++) aty[r * 3 + c]! += row[r]! * Y[i * 3 + c]!;
    }
  }
  const sol = solve(ata, aty, 4, 3);
  const P = new Float64Array(12);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) P[r * 4 + c] = sol[c * 3 + r]!;
  return P;
}

/** Gaussian elimination with partial pivoting: A (n×n) · S = B (n×m). */
function solve(A: Float64Array, B: Float64Array, n: number, m: number): Float64Array {
  const a = Float64Array.from(A);
  const b = Float64Array.from(B);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    if (Math.abs(a[pivot * n + col]!) < 1e-12)
      throw new RangeError('estimateAffineMatrix3d23d: points are degenerate');
    if (pivot !== col) {
      for (let c = 0; c < n; c++) [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c]!, a[col * n + c]!];
      for (let c = 0; c < m; c++) [b[col * m + c], b[pivot * m + c]] = [b[pivot * m + c]!, b[col * m + c]!];
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r * n + col]! / a[col * n + col]!;
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c]! -= f * a[col * n + c]!;
      for (let c = 0; c < m; c++) b[r * m + c]! -= f * b[col * m + c]!;
    }
  }
  for (let r = 0; r < n; r++) for (let c = 0; c < m; c++) b[r * m + c]! /= a[r * n + r]!;
  return b;
}

/** P2sRt: scale, rotation (3×3 row-major) and translation of an affine camera. */
export function P2sRt(P: Camera): { s: number; R: Float64Array; t: [number, number, number] } {
  const r1 = [P[0]!, P[1]!, P[2]!];
  const r2 = [P[4]!, P[5]!, P[6]!];
  const n1 = Math.hypot(r1[0]!, r1[1]!, r1[2]!);
  const n2 = Math.hypot(r2[0]!, r2[1]!, r2[2]!);
  const s = (n1 + n2) / 2;
  const a = r1.map((v) => v / n1);
  const b = r2.map((v) => v / n2);
  const c = [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
  return { s, R: Float64Array.from([...a, ...b, ...c]), t: [P[3]!, P[7]!, P[11]!] };
}

/** matrix2angle: Euler angles in degrees (pitch about x, yaw about y, roll about z). */
export function matrix2angle(R: ArrayLike<number>): Pose {
  const sy = Math.sqrt(R[0]! * R[0]! + R[3]! * R[3]!);
  let x: number;
  let z: number;
  const y = Math.atan2(-R[6]!, sy);
  if (sy >= 1e-6) {
    x = Math.atan2(R[7]!, R[8]!);
    z = Math.atan2(R[3]!, R[0]!);
  } else {
    x = Math.atan2(-R[5]!, R[4]!);
    z = 0;
  }
  const deg = 180 / Math.PI;
  return { pitch: x * deg, yaw: y * deg, roll: z * deg };
}

/** InsightFace's pose for a 1k3d68 prediction: fit a camera to the mean shape, decompose, angles. */
export function estimatePose(meanShape: ArrayLike<number>, landmarks: ArrayLike<number>): Pose {
  return matrix2angle(P2sRt(estimateAffineMatrix3d23d(meanShape, landmarks)).R);
}
