// Sparse optical flow for the 3-D structure layer (flow-structure.ts), written by hand:
// Shi–Tomasi corners ("Good features to track", Shi & Tomasi, CVPR 1994: the smaller eigenvalue
// of the gradients' structure tensor over a window) and the pyramidal Lucas–Kanade tracker as
// Bouguet describes it ("Pyramidal implementation of the Lucas Kanade feature tracker",
// Intel, 2000), the method OpenCV's goodFeaturesToTrack and calcOpticalFlowPyrLK implement.
// Images are grey Float32 planes; points are [x, y] in pixels of the plane.
import type { PixelImage, Point } from '../insightface/types.js';

export interface Grey {
  width: number;
  height: number;
  data: Float32Array;
}

/** A rectangle [x0, y0, x1, y1] in pixels. */
export type Rect = [number, number, number, number];

/**
 * The region `rect` of `image` as a grey plane scaled by `scale` (bilinear sampling; luma by
 * BT.601's weights 0.299, 0.587, 0.114). Pixels outside the image repeat its edge.
 */
export function greyRegion(image: PixelImage, rect: Readonly<Rect>, scale: number): Grey {
  if (!(scale > 0)) throw new RangeError(`greyRegion: scale must be > 0, got ${scale}`);
  const width = Math.max(1, Math.round((rect[2] - rect[0]) * scale));
  const height = Math.max(1, Math.round((rect[3] - rect[1]) * scale));
  const c = image.format === 'rgba' ? 4 : 3;
  const [ri, bi] = image.format === 'bgr' ? [2, 0] : [0, 2];
  const W = image.width;
  const H = image.height;
  const src = image.data;
  const luma = (x: number, y: number): number => {
    const i = (y * W + x) * c;
    return 0.299 * src[i + ri]! + 0.587 * src[i + 1]! + 0.114 * src[i + bi]!;
  };
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(H - 1, Math.max(0, rect[1] + (y + 0.5) / scale - 0.5));
    const y0 = Math.min(H - 2, Math.floor(sy));
    const fy = Math.max(0, sy - y0);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(W - 1, Math.max(0, rect[0] + (x + 0.5) / scale - 0.5));
      const x0 = Math.min(W - 2, Math.floor(sx));
      const fx = Math.max(0, sx - x0);
      const top = luma(x0, y0) * (1 - fx) + luma(x0 + 1, y0) * fx;
      const bottom = luma(x0, y0 + 1) * (1 - fx) + luma(x0 + 1, y0 + 1) * fx;
      data[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { width, height, data };
}

/** Bilinear sample of `g` at (x, y), clamped to the plane. */
function sample(g: Grey, x: number, y: number): number {
  const cx = Math.min(g.width - 1.001, Math.max(0, x));
  const cy = Math.min(g.height - 1.001, Math.max(0, y));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const fx = cx - x0;
  const fy = cy - y0;
  const i = y0 * g.width + x0;
  const d = g.data;
  return (
    (d[i]! * (1 - fx) + d[i + 1]! * fx) * (1 - fy) +
    (d[i + g.width]! * (1 - fx) + d[i + g.width + 1]! * fx) * fy
  );
}

/** Central-difference gradients of `g` (zero on the border). */
function gradients(g: Grey): { gx: Float32Array; gy: Float32Array } {
  const { width: w, height: h, data: d } = g;
  const gx = new Float32Array(w * h);
  const gy = new Float32Array(w * h);
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      gx[i] = (d[i + 1]! - d[i - 1]!) / 2;
      gy[i] = (d[i + w]! - d[i - w]!) / 2;
    }
  return { gx, gy };
}

export interface CornerOptions {
  /** At most this many corners, strongest first. */
  maxCorners: number;
  /** Corners weaker than this share of the strongest are dropped (OpenCV's qualityLevel). */
  quality: number;
  /** No two corners closer than this, in pixels. */
  minDistance: number;
  /** Half the side of the structure tensor's window (3: a 7×7 window). */
  half: number;
}

/**
 * Shi–Tomasi corners of `g` whose centre lies inside `within` (a rectangle of the plane),
 * strongest first: local maxima of the smaller eigenvalue of the structure tensor summed over
 * a (2·half+1)² window, thinned to minDistance.
 */
export function goodFeatures(g: Grey, within: Readonly<Rect>, opts: Readonly<CornerOptions>): Point[] {
  const { width: w, height: h } = g;
  const { gx, gy } = gradients(g);
  const r = opts.half;
  const x0 = Math.max(r + 1, Math.ceil(within[0]));
  const y0 = Math.max(r + 1, Math.ceil(within[1]));
  const x1 = Math.min(w - r - 2, Math.floor(within[2]));
  const y1 = Math.min(h - r - 2, Math.floor(within[3]));
  const score = new Float32Array(w * h);
  let best = 0;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      let a = 0;
      let b = 0;
      let c = 0;
      for (let v = -r; v <= r; v++)
        for (let u = -r; u <= r; u++) {
          const i = (y + v) * w + x + u;
          a += gx[i]! * gx[i]!;
          b += gx[i]! * gy[i]!;
          c += gy[i]! * gy[i]!;
        }
      // Smaller eigenvalue of [[a, b], [b, c]].
      const m = (a + c) / 2 - Math.sqrt(((a - c) / 2) ** 2 + b * b);
      score[y * w + x] = m;
      best = Math.max(best, m);
    }
  if (!(best > 0)) return [];
  const candidates: { x: number; y: number; s: number }[] = [];
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const s = score[y * w + x]!;
      if (s < opts.quality * best) continue;
      // A local maximum over its 3×3 neighbourhood.
      let max = true;
      for (let v = -1; v <= 1 && max; v++)
        for (let u = -1; u <= 1; u++) if (score[(y + v) * w + x + u]! > s) max = false;
      if (max) candidates.push({ x, y, s });
    }
  candidates.sort((p, q) => q.s - p.s);
  const out: Point[] = [];
  const d2 = opts.minDistance ** 2;
  for (const p of candidates) {
    if (out.length >= opts.maxCorners) break;
    if (out.every(([x, y]) => (x - p.x) ** 2 + (y - p.y) ** 2 >= d2)) out.push([p.x, p.y]);
  }
  return out;
}

/** Halves `g` with a [1 2 1]/4 filter in each direction (Bouguet's pyramid step). */
function halve(g: Grey): Grey {
  const width = Math.max(1, g.width >> 1);
  const height = Math.max(1, g.height >> 1);
  const data = new Float32Array(width * height);
  const at = (x: number, y: number) =>
    g.data[Math.min(g.height - 1, Math.max(0, y)) * g.width + Math.min(g.width - 1, Math.max(0, x))]!;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const sx = 2 * x;
      const sy = 2 * y;
      let s = 0;
      for (let v = -1; v <= 1; v++) {
        const wv = v === 0 ? 2 : 1;
        s += wv * (at(sx - 1, sy + v) + 2 * at(sx, sy + v) + at(sx + 1, sy + v));
      }
      data[y * width + x] = s / 16;
    }
  return { width, height, data };
}

/** The image pyramid: level 0 is `g`, each next level half the size. */
export function pyramid(g: Grey, levels: number): Grey[] {
  const out = [g];
  for (let l = 1; l < levels; l++) out.push(halve(out[l - 1]!));
  return out;
}

export interface TrackOptions {
  /** Half the side of the tracking window (7: 15×15, OpenCV's default window is 21×21). */
  half: number;
  /** Gauss–Newton iterations per level, at most. */
  iterations: number;
}

/**
 * Tracks `points` of the plane `from` (a pyramid) into `to` (a pyramid of the same levels),
 * starting each from `guess` (same index; the points themselves when omitted). A point whose
 * window has too little texture, or that leaves the plane, is null.
 */
export function trackPoints(
  from: readonly Grey[],
  to: readonly Grey[],
  points: readonly Point[],
  opts: Readonly<TrackOptions>,
  guess?: readonly Point[],
  warps?: readonly (readonly [number, number, number, number])[],
): (Point | null)[] {
  const levels = Math.min(from.length, to.length);
  const r = opts.half;
  const n = (2 * r + 1) ** 2;
  const tx = new Float32Array(n);
  const ix = new Float32Array(n);
  const iy = new Float32Array(n);
  return points.map((p, k) => {
    const g0 = guess?.[k] ?? p;
    // Template offset (u, v) in `to` reads `from` at p + M·(u, v): M = [[m0, m1], [m2, m3]].
    const [m0, m1, m2, m3] = warps?.[k] ?? [1, 0, 0, 1];
    // Displacement at the coarsest level, doubled on the way down.
    let dx = (g0[0] - p[0]) / 2 ** (levels - 1);
    let dy = (g0[1] - p[1]) / 2 ** (levels - 1);
    for (let l = levels - 1; l >= 0; l--) {
      const a = from[l]!;
      const b = to[l]!;
      const px = p[0] / 2 ** l;
      const py = p[1] / 2 ** l;
      // Template and its gradients (spatial gradient matrix G, Bouguet eq. 24).
      let gxx = 0;
      let gxy = 0;
      let gyy = 0;
      let i = 0;
      for (let v = -r; v <= r; v++)
        for (let u = -r; u <= r; u++, i++) {
          const x = px + m0 * u + m1 * v;
          const y = py + m2 * u + m3 * v;
          tx[i] = sample(a, x, y);
          ix[i] = (sample(a, x + m0, y + m2) - sample(a, x - m0, y - m2)) / 2;
          iy[i] = (sample(a, x + m1, y + m3) - sample(a, x - m1, y - m3)) / 2;
          gxx += ix[i]! * ix[i]!;
          gxy += ix[i]! * iy[i]!;
          gyy += iy[i]! * iy[i]!;
        }
      const det = gxx * gyy - gxy * gxy;
      // OpenCV's minEigThreshold (1e-4 of the window's mean squared gradient, per pixel).
      const minEig = (gxx + gyy) / 2 - Math.sqrt(((gxx - gyy) / 2) ** 2 + gxy * gxy);
      if (!(det > 0) || minEig / n < 1e-4) return null;
      for (let it = 0; it < opts.iterations; it++) {
        let bx = 0;
        let by = 0;
        i = 0;
        for (let v = -r; v <= r; v++)
          for (let u = -r; u <= r; u++, i++) {
            const diff = tx[i]! - sample(b, px + dx + u, py + dy + v);
            bx += diff * ix[i]!;
            by += diff * iy[i]!;
          }
        const ex = (gyy * bx - gxy * by) / det;
        const ey = (gxx * by - gxy * bx) / det;
        dx += ex;
        dy += ey;
        // 0.01 px: OpenCV's default criteria epsilon.
        if (ex * ex + ey * ey < 1e-4) break;
      }
      if (l > 0) {
        dx *= 2;
        dy *= 2;
      }
    }
    const x = p[0] + dx;
    const y = p[1] + dy;
    const g = from[0]!;
    if (!(x >= 0 && y >= 0 && x <= g.width - 1 && y <= g.height - 1)) return null;
    return [x, y];
  });
}
