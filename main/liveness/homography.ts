// Planar and similarity fits between two sets of image points, for the 3-D structure layer
// (structure.ts). Hand-written and small: a homography by the normalised DLT (Hartley &
// Zisserman, Multiple View Geometry, 2nd ed., algorithm 4.2, with h33 fixed to 1, which is
// safe here because a face never maps to the line at infinity), and a similarity by the
// closed-form least-squares fit (Umeyama 1991, 2-D case).
import type { Point } from '../insightface/types.js';

/** Row-major 3×3 matrix. */
export type Mat3 = [number, number, number, number, number, number, number, number, number];

export function applyHomography(h: Readonly<Mat3>, p: Readonly<Point>): Point {
  const w = h[6] * p[0] + h[7] * p[1] + h[8];
  return [(h[0] * p[0] + h[1] * p[1] + h[2]) / w, (h[3] * p[0] + h[4] * p[1] + h[5]) / w];
}

export function multiply(a: Readonly<Mat3>, b: Readonly<Mat3>): Mat3 {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[r * 3 + c]! += a[r * 3 + k]! * b[k * 3 + c]!;
  return out as Mat3;
}

export function invert(m: Readonly<Mat3>): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!(Math.abs(det) > 1e-300)) throw new RangeError('invert: singular matrix');
  const k = 1 / det;
  return [
    A * k,
    -(b * i - c * h) * k,
    (b * f - c * e) * k,
    B * k,
    (a * i - c * g) * k,
    -(a * f - c * d) * k,
    C * k,
    -(a * h - b * g) * k,
    (a * e - b * d) * k,
  ];
}

/** Hartley's normalisation: centroid to the origin, mean distance √2. */
function normaliser(points: readonly Point[]): Mat3 {
  let cx = 0;
  let cy = 0;
  for (const [x, y] of points) {
    cx += x;
    cy += y;
  }
  cx /= points.length;
  cy /= points.length;
  let d = 0;
  for (const [x, y] of points) d += Math.hypot(x - cx, y - cy);
  d /= points.length;
  if (!(d > 0)) throw new RangeError('fitHomography: all points coincide');
  const s = Math.SQRT2 / d;
  return [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1];
}

/** Solves the square system a·x = b by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (!(Math.abs(m[pivot]![col]!) > 1e-12)) throw new RangeError('fitHomography: degenerate points');
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/**
 * The homography H with H·from ≈ to, least squares over the algebraic error in normalised
 * coordinates (exact for 4 points in general position). Needs ≥ 4 points, no 3 collinear.
 */
export function fitHomography(from: readonly Point[], to: readonly Point[]): Mat3 {
  if (from.length !== to.length) throw new RangeError('fitHomography: point counts differ');
  if (from.length < 4) throw new RangeError(`fitHomography: need 4 points, got ${from.length}`);
  const tf = normaliser(from);
  const tt = normaliser(to);
  // Normal equations AᵀA h = Aᵀb of the 2N×8 DLT rows with h33 = 1.
  const ata = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
  const atb = new Array<number>(8).fill(0);
  for (let i = 0; i < from.length; i++) {
    const [x, y] = applyHomography(tf, from[i]!);
    const [u, v] = applyHomography(tt, to[i]!);
    const rows: [number[], number][] = [
      [[x, y, 1, 0, 0, 0, -u * x, -u * y], u],
      [[0, 0, 0, x, y, 1, -v * x, -v * y], v],
    ];
    for (const [row, rhs] of rows) {
      for (let r = 0; r < 8; r++) {
        atb[r]! += row[r]! * rhs;
        for (let c = 0; c < 8; c++) ata[r]![c]! += row[r]! * row[c]!;
      }
    }
  }
  const h = solve(ata, atb);
  const normalised = [...h, 1] as Mat3;
  // Undo the normalisation: H = Tto⁻¹ · Ĥ · Tfrom.
  const full = multiply(multiply(invert(tt), normalised), tf);
  const k = full[8];
  return full.map((v) => v / k) as Mat3;
}

/** A 2-D similarity: p ↦ s·R·p + t, as a Mat3. */
export function fitSimilarity(from: readonly Point[], to: readonly Point[]): Mat3 {
  if (from.length !== to.length || from.length < 2)
    throw new RangeError('fitSimilarity: need ≥ 2 matching points');
  const n = from.length;
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]![0];
    fy += from[i]![1];
    tx += to[i]![0];
    ty += to[i]![1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  // With complex numbers z = x + iy, the least-squares similarity is a = Σ conj(z̃)·w̃ / Σ |z̃|².
  let re = 0;
  let im = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const x = from[i]![0] - fx;
    const y = from[i]![1] - fy;
    const u = to[i]![0] - tx;
    const v = to[i]![1] - ty;
    re += x * u + y * v;
    im += x * v - y * u;
    norm += x * x + y * y;
  }
  if (!(norm > 0)) throw new RangeError('fitSimilarity: all points coincide');
  const a = re / norm;
  const b = im / norm;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy), 0, 0, 1];
}

/** Root-mean-square distance between H·from and to. */
export function rmsResidual(h: Readonly<Mat3>, from: readonly Point[], to: readonly Point[]): number {
  let sum = 0;
  for (let i = 0; i < from.length; i++) {
    const [x, y] = applyHomography(h, from[i]!);
    sum += (x - to[i]![0]) ** 2 + (y - to[i]![1]) ** 2;
  }
  return Math.sqrt(sum / from.length);
}
