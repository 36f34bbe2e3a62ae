// Layer 2 on many points: corners inside the face, tracked from frame to frame by pyramidal
// Lucas–Kanade (flow.ts), and the homography residual over them (homography.ts). As in Bao,
// Li, Li & Jiang, "A liveness detection method for face recognition based on optical flow
// field" (IASP 2009), a planar picture's flow is the flow of a plane (between two views of a
// plane, a homography) up to tracking noise; a head's is not, because the nose, cheeks,
// forehead and mouth lie at different depths. Five detector keypoints leave a homography two
// residual degrees of freedom and carry the detector's own bias on a foreshortened picture;
// dozens of tracked corners over the whole face give it many, measured on the pixels.
import type { Face, PixelImage, Point } from '../insightface/types.js';
import { fitHomography, applyHomography } from './homography.js';
import { goodFeatures, greyRegion, pyramid, trackPoints, type Grey, type Rect } from './flow.js';

export interface FlowOptions {
  /** The face is scaled so that its eye distance is at most this many pixels of the grey plane. */
  eyePixels: number;
  /** Corners sought when tracks are (re)started. */
  maxCorners: number;
  /** Fewer live tracks than this: new corners are added. */
  minTracks: number;
  /** A track whose backward track misses its start by more than this (plane pixels) is lost. */
  maxBackError: number;
}

/**
 * 40 px between the eyes: enough texture for 7×7 corner windows on nose, cheeks and forehead,
 * and the whole face fits a plane of about 150×190 px, so a frame costs a few ms.
 * 60 corners over the face, topped up under 15 (a homography's residual needs a dozen to mean
 * anything). 0.5 px forward–backward: well above LK's sub-pixel error on a textured window,
 * well under the parallax sought (0.02 eye distances is 0.8 px at 40 px).
 */
export const DEFAULT_FLOW: Readonly<FlowOptions> = {
  eyePixels: 40,
  maxCorners: 60,
  minTracks: 15,
  maxBackError: 0.5,
};

/** Pyramid levels (3: a 15×15 window follows about 30 px of motion between frames) and LK settings. */
const LEVELS = 3;
const TRACK = { half: 7, iterations: 20 };
const CORNERS = { quality: 0.01, half: 3 };

export type FlowFace = Pick<Face, 'kps'>;

interface Plane {
  pyr: Grey[];
  /** The region of the image the plane shows, in image pixels. */
  rect: Rect;
}

/** One frame's tracks: positions in image pixels by track (null: lost, or not started yet), and its eye distance. */
export interface FlowFrame {
  points: (Point | null)[];
  eye: number;
}

const eyeOf = (kps: readonly Point[]): number => Math.hypot(kps[1]![0] - kps[0]![0], kps[1]![1] - kps[0]![1]);

/**
 * The face region corners are taken from, in image pixels: between the outer cheeks (0.3 eye
 * distances beyond the eyes and mouth corners), from the forehead (0.6 above the eyes) to
 * under the lower lip (0.25 below the mouth corners). Inside the face outline of a frontal
 * face (its width is about 2 eye distances), so the background behind a cut-out mask or
 * a person is left out: its motion is not the face's.
 */
export function innerFace(kps: readonly Point[]): Rect {
  const [le, re, , ml, mr] = kps as [Point, Point, Point, Point, Point];
  const e = eyeOf(kps);
  return [
    Math.min(le[0], ml[0]) - 0.3 * e,
    Math.min(le[1], re[1]) - 0.6 * e,
    Math.max(re[0], mr[0]) + 0.3 * e,
    Math.max(ml[1], mr[1]) + 0.25 * e,
  ];
}

/** A tracked corner: the frame it started in (its key) and where it was there, in image pixels. */
interface Track {
  key: number;
  start: Point;
}

/**
 * Tracks corners of one face through a sequence of frames. Feed the frames in order with
 * `add`; a frame without the face ends every track. When fewer than minTracks remain (a
 * turn hides some, others lose their texture), new corners are added beside the live ones,
 * so that the frames before and after a turn still share tracks.
 */
export class FaceFlow {
  readonly frames: FlowFrame[] = [];
  private prev: Plane | null = null;
  private prevPoints: (Point | null)[] = [];
  private readonly tracks: Track[] = [];
  /** The planes tracks started in, by frame index: later frames are refined against them. */
  private readonly keys = new Map<number, Plane>();
  private scale = 0;

  constructor(private readonly opts: Readonly<FlowOptions> = DEFAULT_FLOW) {}

  add(image: PixelImage, face: FlowFace | null): FlowFrame | null {
    const eye = face && face.kps.length >= 5 ? eyeOf(face.kps) : 0;
    if (!face || !(eye > 0)) {
      this.prev = null;
      this.prevPoints = this.tracks.map(() => null);
      this.keys.clear();
      return null;
    }
    if (this.scale === 0) this.scale = Math.min(1, this.opts.eyePixels / eye);
    // The plane: the inner face and 0.6 eye distances around it (room for the 15×15 windows
    // and for the motion to the next frame), placed by the keypoints (the door's frames of a
    // challenge carry no box).
    const [x0, y0, x1, y1] = innerFace(face.kps);
    const m = 0.6 * eye;
    const rect: Rect = [x0 - m, y0 - m, x1 + m, y1 + m];
    const plane: Plane = { pyr: pyramid(greyRegion(image, rect, this.scale), LEVELS), rect };
    let points: (Point | null)[] = this.prev ? this.track(this.prev, plane) : this.tracks.map(() => null);
    points = this.refine(plane, points);
    const index = this.frames.length;
    const live = points.filter((p): p is Point => p !== null);
    if (live.length < this.opts.minTracks) {
      const minDistance = Math.max(2, 0.1 * eye * this.scale);
      for (const c of this.seed(plane, face, minDistance)) {
        if (live.some((p) => Math.hypot(p[0] - c[0], p[1] - c[1]) * this.scale < minDistance)) continue;
        this.tracks.push({ key: index, start: c });
        points.push(c);
      }
      this.keys.set(index, plane);
    }
    // Keys no live track started in are dropped.
    const used = new Set(this.tracks.filter((_, i) => points[i]).map((t) => t.key));
    for (const k of [...this.keys.keys()]) if (!used.has(k)) this.keys.delete(k);
    this.prev = plane;
    this.prevPoints = points;
    const frame = { points, eye };
    this.frames.push(frame);
    return frame;
  }

  private toPlane(p: Readonly<Point>, rect: Readonly<Rect>): Point {
    return [(p[0] - rect[0]) * this.scale, (p[1] - rect[1]) * this.scale];
  }

  private toImage(p: Readonly<Point>, rect: Readonly<Rect>): Point {
    return [p[0] / this.scale + rect[0], p[1] / this.scale + rect[1]];
  }

  private seed(plane: Plane, face: FlowFace, minDistance: number): Point[] {
    const [a, b] = [0, 2].map((i) => this.toPlane(innerFace(face.kps).slice(i, i + 2) as Point, plane.rect));
    // A tenth of the eye distance apart: spread over the face, not bunched on the eyes.
    const corners = goodFeatures(plane.pyr[0]!, [a![0], a![1], b![0], b![1]], {
      ...CORNERS,
      maxCorners: this.opts.maxCorners,
      minDistance,
    });
    return corners.map((c) => this.toImage(c, plane.rect));
  }

  /**
   * Tracks each key frame straight into `next`, from the chained positions, with each point's
   * window warped by the local affine map of the homography fitted to that key's tracks: a
   * translation-only window on a surface seen foreshortened drifts towards its texture's
   * centre (Shi & Tomasi's reason for affine windows), and frame-to-frame chaining adds up
   * those drifts (on a printed photo turned by 25°, 0.5–1 px at 22 px between the eyes, against
   * 0.1 px with the warp). A point that does not converge within a pixel of its chained
   * position is lost.
   */
  private refine(next: Plane, chained: (Point | null)[]): (Point | null)[] {
    const out = [...chained];
    for (const [key, plane] of this.keys) {
      const idx = this.tracks.map((t, i) => (t.key === key && chained[i] ? i : -1)).filter((i) => i >= 0);
      if (idx.length < 8) continue;
      let h;
      try {
        h = fitHomography(
          idx.map((i) => this.tracks[i]!.start),
          idx.map((i) => chained[i]!),
        );
      } catch {
        continue;
      }
      const warps = idx.map((i) => {
        // Jacobian of H at the point (image pixels; the planes share the scale), inverted.
        const [x, y] = this.tracks[i]!.start;
        const w = h[6] * x + h[7] * y + h[8];
        const [u, v] = applyHomography(h, [x, y]);
        const a = (h[0] - h[6] * u) / w;
        const b = (h[1] - h[7] * u) / w;
        const c = (h[3] - h[6] * v) / w;
        const d = (h[4] - h[7] * v) / w;
        const det = a * d - b * c;
        return [d / det, -b / det, -c / det, a / det] as const;
      });
      const refined = trackPoints(
        plane.pyr,
        next.pyr,
        idx.map((i) => this.toPlane(this.tracks[i]!.start, plane.rect)),
        TRACK,
        idx.map((i) => this.toPlane(chained[i]!, next.rect)),
        warps,
      );
      idx.forEach((i, j) => {
        const r = refined[j];
        const q = r ? this.toImage(r, next.rect) : null;
        out[i] = q && Math.hypot(q[0] - chained[i]![0], q[1] - chained[i]![1]) <= 1 / this.scale ? q : null;
      });
    }
    return out;
  }

  private track(prev: Plane, next: Plane): (Point | null)[] {
    const idx: number[] = [];
    const from: Point[] = [];
    this.prevPoints.forEach((p, i) => {
      if (p) {
        idx.push(i);
        from.push(this.toPlane(p, prev.rect));
      }
    });
    // The guess: the point where it was in the image (the planes' regions differ).
    const guess = from.map((p) => this.toPlane(this.toImage(p, prev.rect), next.rect));
    const fwd = trackPoints(prev.pyr, next.pyr, from, TRACK, guess);
    const okFwd = fwd.map((p, k) => (p ? k : -1)).filter((k) => k >= 0);
    const back = trackPoints(
      next.pyr,
      prev.pyr,
      okFwd.map((k) => fwd[k]!),
      TRACK,
      okFwd.map((k) => from[k]!),
    );
    const out: (Point | null)[] = this.tracks.map(() => null);
    okFwd.forEach((k, j) => {
      const b = back[j];
      if (!b) return;
      if (Math.hypot(b[0] - from[k]![0], b[1] - from[k]![1]) > this.opts.maxBackError) return;
      out[idx[k]!] = this.toImage(fwd[k]!, next.rect);
    });
    return out;
  }
}

/** Residual statistics of the homography between two frames of one run, in eye distances. */
export interface PairResidual {
  points: number;
  rms: number;
  median: number;
  p90: number;
}

/** The homography fitted to the tracks alive in both frames, and its residuals. */
export function pairResidual(a: FlowFrame, b: FlowFrame, minPoints = 12): PairResidual | null {
  const from: Point[] = [];
  const to: Point[] = [];
  a.points.forEach((p, i) => {
    const q = b.points[i];
    if (p && q) {
      from.push(p);
      to.push(q);
    }
  });
  if (from.length < minPoints) return null;
  let h;
  try {
    h = fitHomography(from, to);
  } catch {
    return null;
  }
  const eye = (a.eye + b.eye) / 2;
  const r = from.map((p, i) => {
    const [x, y] = applyHomography(h, p);
    return Math.hypot(x - to[i]![0], y - to[i]![1]) / eye;
  });
  const sorted = [...r].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    points: from.length,
    rms: Math.sqrt(r.reduce((s, v) => s + v * v, 0) / r.length),
    median: at(0.5),
    p90: at(0.9),
  };
}

/** Median residuals already computed, per pair of frames (a sequence is judged on its prefixes). */
const pairCache = new WeakMap<FlowFrame, Map<FlowFrame, number | null>>();

function pairMedian(a: FlowFrame, b: FlowFrame): number | null {
  let row = pairCache.get(a);
  if (!row) pairCache.set(a, (row = new Map()));
  if (!row.has(b)) row.set(b, pairResidual(a, b)?.median ?? null);
  return row.get(b)!;
}

/**
 * The flow's parallax over a sequence: the largest, over pairs of frames, of the
 * median residual (in eye distances) of the homography fitted to the corners tracked in both.
 * The median: a real head's residual is spread over the face (nose, cheeks, jaw lie at other
 * depths than the plane that fits best), a lost track's is one point. Null when no pair has
 * enough common tracks to say anything.
 */
export function flowParallax(frames: readonly FlowFrame[]): number | null {
  let best: number | null = null;
  for (let i = 0; i < frames.length; i++)
    for (let j = i + 1; j < frames.length; j++) {
      const m = pairMedian(frames[i]!, frames[j]!);
      if (m !== null) best = Math.max(best ?? 0, m);
    }
  return best;
}
