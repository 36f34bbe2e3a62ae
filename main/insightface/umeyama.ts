// skimage.transform.SimilarityTransform.estimate (scikit-image 0.19's _umeyama) as InsightFace
// calls it: on float32 keypoints and a float32 template, so numpy does the means, the
// cross-covariance and the variances in float32, and LAPACK's sgesdd the SVD. The aligned
// crop is sensitive to the last bit of the matrix (OpenCV quantises the warp to 1/1024 px and
// the int8 recognisers amplify a one-level pixel change), so each step is reproduced in the
// same precision and order. LAPACK's 2×2 path is followed: a Householder reflection
// (dgebd2), the 2×2 triangular SVD (dlasv2), the reflection applied back (dormbr); float32
// sgesdd equals the float64 result rounded to float32 for these matrices.
import type { Affine } from './opencv.js';
import type { Point } from './types.js';

const f = Math.fround;

/** numpy float32 mean along axis 0 of n values: sequential float32 sum, then / n. */
function mean32(values: number[]): number {
  let s = 0;
  for (const v of values) s = f(s + v);
  return f(s / values.length);
}

/** dlapy2: sqrt(x² + y²) without overflow. */
function lapy2(x: number, y: number): number {
  const w = Math.max(Math.abs(x), Math.abs(y));
  const z = Math.min(Math.abs(x), Math.abs(y));
  return z === 0 ? w : w * Math.sqrt(1 + (z / w) ** 2);
}

const sign = (a: number, b: number): number => (b >= 0 && !Object.is(b, -0) ? Math.abs(a) : -Math.abs(a));

/** dlasv2(f, g, h): SVD of [[f, g], [0, h]]. Returns ssmin, ssmax, snr, csr, snl, csl. */
function lasv2(F: number, G: number, H: number): [number, number, number, number, number, number] {
  const EPS = 2 ** -53; // dlamch('E') (eps of rounding: 2^-53)
  let ft = F;
  let fa = Math.abs(ft);
  let ht = H;
  let ha = Math.abs(H);
  let pmax = 1;
  const swap = ha > fa;
  if (swap) {
    pmax = 3;
    [ft, ht] = [ht, ft];
    [fa, ha] = [ha, fa];
  }
  const gt = G;
  const ga = Math.abs(gt);
  let ssmin: number;
  let ssmax: number;
  let clt: number;
  let crt: number;
  let slt: number;
  let srt: number;
  if (ga === 0) {
    ssmin = ha;
    ssmax = fa;
    clt = 1;
    crt = 1;
    slt = 0;
    srt = 0;
  } else {
    let gasmal = true;
    ssmin = ssmax = clt = crt = slt = srt = 0;
    if (ga > fa) {
      pmax = 2;
      if (fa / ga < EPS) {
        gasmal = false;
        ssmax = ga;
        ssmin = ha > 1 ? fa / (ga / ha) : (fa / ga) * ha;
        clt = 1;
        slt = ht / gt;
        srt = 1;
        crt = ft / gt;
      }
    }
    if (gasmal) {
      const d = fa - ha;
      let l = d === fa ? 1 : d / fa;
      const m = gt / ft;
      let t = 2 - l;
      const mm = m * m;
      const tt = t * t;
      const s = Math.sqrt(tt + mm);
      const r = l === 0 ? Math.abs(m) : Math.sqrt(l * l + mm);
      const a = 0.5 * (s + r);
      ssmin = ha / a;
      ssmax = fa * a;
      if (mm === 0) {
        t = l === 0 ? sign(2, ft) * sign(1, gt) : gt / sign(d, ft) + m / t;
      } else {
        t = (m / (s + t) + m / (r + l)) * (1 + a);
      }
      l = Math.sqrt(t * t + 4);
      crt = 2 / l;
      srt = t / l;
      clt = (crt + srt * m) / a;
      slt = ((ht / ft) * srt) / a;
    }
  }
  const [csl, snl, csr, snr] = swap ? [srt, crt, slt, clt] : [clt, slt, crt, srt];
  let tsign = 1;
  if (pmax === 1) tsign = sign(1, csr) * sign(1, csl) * sign(1, F);
  if (pmax === 2) tsign = sign(1, snr) * sign(1, csl) * sign(1, G);
  if (pmax === 3) tsign = sign(1, snr) * sign(1, snl) * sign(1, H);
  ssmax = sign(ssmax, tsign);
  ssmin = sign(ssmin, tsign * sign(1, F) * sign(1, H));
  return [ssmin, ssmax, snr, csr, snl, csl];
}

/** numpy.linalg.svd of a 2×2 (row-major [a, b, c, d]) the way LAPACK's gesdd computes it. */
export function svd2x2(A: readonly number[]): { U: number[]; S: [number, number]; Vt: number[] } {
  let [a11, a12, , a22] = A as [number, number, number, number];
  const a21 = A[2]!;
  // dgebd2: Householder H1 = I - tau·v·vᵀ, v = [1, v2], zeroes a21 (dlarfg).
  let tau = 0;
  let v2 = 0;
  if (a21 !== 0) {
    const beta = -sign(lapy2(a11, Math.abs(a21)), a11);
    tau = (beta - a11) / beta;
    v2 = a21 * (1 / (a11 - beta));
    a11 = beta;
    // dlarf: apply H1 to the second column: w = a12 + v2·a22.
    const w = a12 + a22 * v2;
    a12 = a12 + -tau * w;
    a22 = a22 + v2 * (-tau * w);
  }
  // dbdsqr on the upper bidiagonal [[a11, a12], [0, a22]]: one dlasv2 and two rotations of I.
  let U: number[];
  let Vt: number[];
  let S: [number, number];
  if (a12 === 0) {
    S = [a11, a22];
    U = [1, 0, 0, 1];
    Vt = [1, 0, 0, 1];
  } else {
    const [ssmin, ssmax, snr, csr, snl, csl] = lasv2(a11, a12, a22);
    S = [ssmax, ssmin];
    Vt = [csr, snr, -snr, csr];
    U = [csl, -snl, snl, csl];
  }
  // Singular values positive (negate the row of Vt), then in decreasing order.
  for (let i = 0; i < 2; i++) {
    if (S[i]! < 0) {
      S[i] = -S[i]!;
      Vt[i * 2] = -Vt[i * 2]!;
      Vt[i * 2 + 1] = -Vt[i * 2 + 1]!;
    }
  }
  if (S[1] > S[0]) {
    S = [S[1], S[0]];
    Vt = [Vt[2]!, Vt[3]!, Vt[0]!, Vt[1]!];
    U = [U[1]!, U[0]!, U[3]!, U[2]!];
  }
  // dormbr('Q'): U ← H1·U (dlarf from the left: w = Uᵀv, U -= tau·v·wᵀ).
  if (tau !== 0) {
    for (let j = 0; j < 2; j++) {
      const w = U[j]! + U[2 + j]! * v2;
      const t = -tau * w;
      U[j] = U[j]! + t;
      U[2 + j] = U[2 + j]! + v2 * t;
    }
  }
  return { U, S, Vt };
}

/**
 * SimilarityTransform.estimate(src, dst).params[0:2] for float32 point sets: the least-squares
 * similarity (rotation, uniform scale, translation) taking src onto dst.
 */
export function similarityTransform32(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  const s = src.map(([x, y]): Point => [f(x), f(y)]);
  const d = dst.map(([x, y]): Point => [f(x), f(y)]);
  const sm = [mean32(s.map((p) => p[0])), mean32(s.map((p) => p[1]))] as const;
  const dm = [mean32(d.map((p) => p[0])), mean32(d.map((p) => p[1]))] as const;
  const sd = s.map(([x, y]): Point => [f(x - sm[0]), f(y - sm[1])]);
  const dd = d.map(([x, y]): Point => [f(x - dm[0]), f(y - dm[1])]);
  // A = dd.T @ sd / n: float32 GEMM (fused multiply-add over k), then a float32 divide.
  const A: number[] = [];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc = f(dd[k]![i]! * sd[k]![j]! + acc);
      A.push(f(acc / n));
    }
  }
  const det = A[0]! * A[3]! - A[1]! * A[2]!;
  const dSign = det < 0 ? -1 : 1;
  const svd = svd2x2(A);
  const U = svd.U.map(f);
  const Vt = svd.Vt.map(f);
  const S = svd.S.map(f) as [number, number];
  if (S[0] === 0) throw new RangeError('similarityTransform: points are degenerate');
  // T = U·diag(1, dSign)·V in float64 from the float32 factors.
  const R = [
    U[0]! * Vt[0]! + U[1]! * dSign * Vt[2]!,
    U[0]! * Vt[1]! + U[1]! * dSign * Vt[3]!,
    U[2]! * Vt[0]! + U[3]! * dSign * Vt[2]!,
    U[2]! * Vt[1]! + U[3]! * dSign * Vt[3]!,
  ];
  // src_demean.var(axis=0).sum(): float32 per column, float32 sum; 1.0 / it is float64.
  const variance = (c: 0 | 1): number => {
    const m = mean32(sd.map((p) => p[c]));
    return mean32(sd.map((p) => f(f(p[c] - m) * f(p[c] - m))));
  };
  const scale = (1 / f(variance(0) + variance(1))) * (S[0] + S[1] * dSign);
  const tx = dm[0] - scale * (R[0]! * sm[0] + R[1]! * sm[1]);
  const ty = dm[1] - scale * (R[2]! * sm[0] + R[3]! * sm[1]);
  return [R[0]! * scale, R[1]! * scale, tx, R[2]! * scale, R[3]! * scale, ty];
}
