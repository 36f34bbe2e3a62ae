// Threshold calibration from the enrolled people themselves: genuine scores
// (two templates of one person) against impostor scores (templates of two
// people), their histograms, the ROC, and the lowest threshold whose measured
// false-accept rate stays within a target.
import type { GalleryEntry } from '../store/enrollment-store.js';
import { cosine } from './matcher.js';

export interface RocPoint {
  threshold: number;
  /** Share of impostor pairs at or above the threshold. */
  far: number;
  /** Share of genuine pairs below it. */
  frr: number;
}

export interface Calibration {
  genuine: number[];
  impostor: number[];
  /** Genuine pairs left out as the same photo enrolled twice (cosine ≥ duplicateCosine). */
  duplicates: number;
  histogram: { edges: number[]; genuine: number[]; impostor: number[] };
  roc: RocPoint[];
  targetFar: number;
  /** null when there are no impostor pairs (fewer than two people). */
  suggestedThreshold: number | null;
  /** Measured at the suggested threshold. */
  far: number | null;
  frr: number | null;
  /** mean + z·sd of the impostor scores, z the normal quantile of targetFar: the tail extrapolated. */
  gaussianThreshold: number | null;
  /** The smallest FAR these pairs can show: 1 / impostor pairs. Above targetFar, the target is not demonstrated. */
  farResolution: number | null;
  /**
   * Impostor pairs needed to show targetFar: 3 / targetFar (the "rule of three": with no false
   * accept in 3/p pairs, the true rate is below p at 95% confidence).
   */
  pairsNeeded: number;
  /**
   * The threshold these pairs would have suggested when it was below `floor` while there were
   * fewer than pairsNeeded pairs: then nothing is suggested (a lower threshold lets strangers in).
   */
  refusedBelowFloor: number | null;
  warnings: string[];
}

export interface CalibrationOptions {
  /** 1e-4 per comparison: 1:N over a gallery of n people multiplies it by about n. */
  targetFar?: number;
  bins?: number;
  /** Same picture enrolled twice says nothing about a person's variability: 0.995 and up is left out. */
  duplicateCosine?: number;
  /**
   * The recognizer's own threshold. Without pairsNeeded impostor pairs, no suggestion goes
   * below it: a handful of pairs cannot show that a less safe threshold is safe.
   */
  floor?: number;
}

/** Two decimals, rounded up: an admin-friendly value that never lowers the measured FAR bound. */
const ceil2 = (v: number) => Math.ceil(v * 100 - 1e-9) / 100;

export function calibrate(gallery: readonly GalleryEntry[], options: CalibrationOptions = {}): Calibration {
  const targetFar = options.targetFar ?? 1e-4;
  const bins = options.bins ?? 40;
  const duplicateCosine = options.duplicateCosine ?? 0.995;
  const genuine: number[] = [];
  const impostor: number[] = [];
  let duplicates = 0;
  // Each entry's templates read once (a door's entries decode them on every read).
  const templates = gallery.map((g) => g.templates);
  for (let a = 0; a < templates.length; a++) {
    const ta = templates[a]!;
    for (let i = 0; i < ta.length; i++) {
      for (let j = i + 1; j < ta.length; j++) {
        const s = cosine(ta[i]!, ta[j]!);
        if (s >= duplicateCosine) duplicates++;
        else genuine.push(s);
      }
      for (let b = a + 1; b < templates.length; b++) {
        for (const t of templates[b]!) if (t.length === ta[i]!.length) impostor.push(cosine(ta[i]!, t));
      }
    }
  }
  genuine.sort((x, y) => x - y);
  impostor.sort((x, y) => x - y);

  const edges = Array.from({ length: bins + 1 }, (_, i) => -1 + (2 * i) / bins);
  const histogram = { edges, genuine: count(genuine, edges), impostor: count(impostor, edges) };
  const rates = (t: number): RocPoint => ({
    threshold: t,
    far: impostor.length ? atOrAbove(impostor, t) / impostor.length : 0,
    frr: genuine.length ? (genuine.length - atOrAbove(genuine, t)) / genuine.length : 0,
  });
  const roc = Array.from({ length: 101 }, (_, i) => rates(Number((i / 100).toFixed(2))));

  const warnings: string[] = [];
  const pairsNeeded = Math.ceil(3 / targetFar);
  let refusedBelowFloor: number | null = null;
  let suggestedThreshold: number | null = null;
  let gaussianThreshold: number | null = null;
  if (impostor.length === 0) warnings.push('calibration needs at least two enrolled people');
  else {
    // Accepting at most floor(targetFar·n) impostor pairs: the threshold sits just above the next one.
    const allowed = Math.floor(targetFar * impostor.length);
    let boundary = impostor[impostor.length - 1 - allowed]!;
    if (impostor.length >= 2) {
      const mean = impostor.reduce((a, v) => a + v, 0) / impostor.length;
      const sd = Math.sqrt(impostor.reduce((a, v) => a + (v - mean) ** 2, 0) / (impostor.length - 1));
      gaussianThreshold = mean + normalUpperQuantile(targetFar) * sd;
    }
    if (1 / impostor.length > targetFar) {
      // Too few pairs to see the tail: ArcFace impostor cosines are close to normal, so extrapolate it.
      if (gaussianThreshold !== null) boundary = Math.max(boundary, gaussianThreshold);
      warnings.push(
        `only ${impostor.length} impostor pairs cannot show a FAR of ${targetFar}; ` +
          'the suggestion extrapolates a normal fit of the impostor scores',
      );
    }
    suggestedThreshold = ceil2(boundary + 1e-6);
    const floor = options.floor;
    if (floor !== undefined && impostor.length < pairsNeeded && suggestedThreshold < floor) {
      refusedBelowFloor = suggestedThreshold;
      suggestedThreshold = null;
      warnings.push(
        `no suggestion below the recognizer's default ${floor}: ${impostor.length} impostor pairs ` +
          `cannot show a FAR of ${targetFar} (about ${pairsNeeded} are needed)`,
      );
    }
  }
  if (genuine.length === 0)
    warnings.push('no person has two different templates: the false-reject rate is unknown');
  const at = suggestedThreshold === null ? null : rates(suggestedThreshold);
  return {
    genuine,
    impostor,
    duplicates,
    histogram,
    roc,
    targetFar,
    suggestedThreshold,
    far: at?.far ?? null,
    frr: genuine.length && at ? at.frr : null,
    gaussianThreshold,
    farResolution: impostor.length ? 1 / impostor.length : null,
    pairsNeeded,
    refusedBelowFloor,
    warnings,
  };
}

/** Number of values ≥ t in an ascending array. */
export function atOrAbove(sorted: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

function count(values: number[], edges: number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  const width = edges[1]! - edges[0]!;
  for (const v of values) {
    const i = Math.min(counts.length - 1, Math.max(0, Math.floor((v - edges[0]!) / width)));
    counts[i]!++;
  }
  return counts;
}

/** erfc, Numerical Recipes' erfcc (Chebyshev fit, fractional error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** z with P(Z ≥ z) = p for a standard normal Z, by bisection (p in (0, 0.5]). */
export function normalUpperQuantile(p: number): number {
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (0.5 * erfc(mid / Math.SQRT2) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
