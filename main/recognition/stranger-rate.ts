// How often a stranger is taken for someone: the false-positive identification rate (FPIR) of
// this gallery at a threshold, and the threshold that keeps it at a target.
//
// The people enrolled are an impostor population drawn from the very building: a template of one
// person scored against another person (the best of their templates, as the matcher scores) is
// one impostor comparison. Pairs of people are sampled (at most SAMPLE_PAIRS), never all N².
//
// p(τ): the chance that one enrolled person scores ≥ τ against a stranger. A stranger's attempt
// is compared with all N people, so FPIR(τ) = 1 − (1 − p(τ))^N (independent people).
//
// The tail. At a door's thresholds p(τ) is far below what a sample can count (FPIR 0.003 at
// N = 10,000 needs p ≈ 3·10⁻⁷). Above u, the TAIL_SHARE upper quantile of the sampled scores,
// the tail is fitted as exponential (peaks over threshold, Gumbel domain):
//   p(τ) = TAIL_SHARE · exp(−(τ − u) / β),  β = mean of (s − u) over the scores above u.
// Cosine scores of different people are close to normal (thresholds.ts: mean 0, sd 0.074 on the
// shared photos), and a normal tail falls faster than any exponential: the fit overstates p far
// out, so the estimate errs towards more strangers and a higher suggested threshold, not fewer.
// Below u, p(τ) is the sampled share itself.
import type { GalleryEntry } from '../store/enrollment-store.js';
import { mulberry32 } from '../util/seeded-random.js';
import { atOrAbove } from './calibration.js';
import { cosine } from './matcher.js';

/** NIST's 1:N evaluation (FRVT/FRTE) reports access control at FPIR 0.003 (issue 20). */
export const DEFAULT_TARGET_FPIR = 0.003;
/** Impostor pairs scored per estimate: ~20,000 × 5 × 512 multiply-adds, tens of milliseconds. */
export const SAMPLE_PAIRS = 20_000;
/** The share of the highest impostor scores the tail is fitted to (top 5 %: ≥ 1,000 of 20,000). */
export const TAIL_SHARE = 0.05;
/**
 * Refusals of enrolled people above which face alone is not advised: 1 genuine attempt in 20
 * refused. A product choice (issue 20: "an acceptable refusal rate"): beyond it someone who
 * comes in twice a day is turned away at their own door every other week.
 */
export const MAX_REFUSALS = 0.05;

export interface StrangerRateOptions {
  threshold: number;
  /** The recognizer's default threshold: never suggest below it. */
  defaultThreshold: number;
  targetFpir?: number;
  samplePairs?: number;
  /** Seed of the pair sampler (the same gallery gives the same estimate). */
  seed?: number;
}

export interface StrangerRate {
  people: number;
  threshold: number;
  /** Estimated chance that a stranger's attempt matches someone; null with fewer than 2 people. */
  fpir: number | null;
  targetFpir: number;
  /** The lowest threshold (≥ the default, 0.01 steps) whose estimated FPIR is at most the target. */
  suggestedThreshold: number | null;
  suggestedFpir: number | null;
  /** Share of enrolled people's own genuine pairs refused at the suggested threshold (null: no person has 2 templates). */
  refusalsAtSuggested: number | null;
  refusalsAtThreshold: number | null;
  genuinePairs: number;
  impostorPairs: number;
  /** The suggested threshold refuses more than MAX_REFUSALS of genuine pairs, or none reaches the target. */
  tooLargeForFaceAlone: boolean;
}

const bestOf = (probe: Float32Array, templates: readonly Float32Array[], skip = -1): number => {
  let best = -1;
  templates.forEach((t, i) => {
    if (i !== skip && t.length === probe.length) best = Math.max(best, cosine(probe, t));
  });
  return best;
};

/** Impostor scores: a template of one person against another person's best template. */
export function impostorScores(gallery: readonly GalleryEntry[], pairs: number, seed: number): Float64Array {
  const n = gallery.length;
  if (n < 2) return new Float64Array(0);
  const all = n * (n - 1);
  const scores: number[] = [];
  if (all <= pairs) {
    // Each entry's templates read once (a door's entries decode them on every read).
    const templates = gallery.map((g) => g.templates);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++)
        if (a !== b) for (const t of templates[a]!) scores.push(bestOf(t, templates[b]!));
  } else {
    const random = mulberry32(seed); // the same gallery gives the same estimate
    for (let i = 0; i < pairs; i++) {
      const a = Math.floor(random() * n);
      const b = (a + 1 + Math.floor(random() * (n - 1))) % n;
      const ts = gallery[a]!.templates;
      scores.push(bestOf(ts[Math.floor(random() * ts.length)]!, gallery[b]!.templates));
    }
  }
  return Float64Array.from(scores).sort();
}

/** Genuine scores: each template against the same person's other templates (leave one out). */
export function genuineScores(gallery: readonly GalleryEntry[]): Float64Array {
  const scores: number[] = [];
  for (const g of gallery) {
    const ts = g.templates;
    if (ts.length > 1) ts.forEach((t, i) => scores.push(bestOf(t, ts, i)));
  }
  return Float64Array.from(scores).sort();
}

/** p(τ) from sorted impostor scores: the sampled share, the fitted exponential tail above u. */
export function perPersonRate(sorted: Float64Array): (t: number) => number {
  const n = sorted.length;
  const k = Math.max(1, Math.floor(n * TAIL_SHARE));
  const u = sorted[n - k - 1] ?? sorted[0]!;
  let excess = 0;
  for (let i = n - k; i < n; i++) excess += sorted[i]! - u;
  const beta = Math.max(excess / k, 1e-6);
  const share = k / n;
  return (t) => {
    if (t <= u) return atOrAbove(sorted, t) / n;
    return share * Math.exp(-(t - u) / beta);
  };
}

/** FPIR at gallery size N from the per-person rate p. */
export const fpirOf = (p: number, people: number): number =>
  -Math.expm1(people * Math.log1p(-Math.min(p, 1)));

export function estimateStrangerRate(
  gallery: readonly GalleryEntry[],
  options: StrangerRateOptions,
): StrangerRate {
  const target = options.targetFpir ?? DEFAULT_TARGET_FPIR;
  const people = gallery.length;
  const impostors = impostorScores(gallery, options.samplePairs ?? SAMPLE_PAIRS, options.seed ?? 1);
  const genuine = genuineScores(gallery);
  const refusals = (t: number): number | null =>
    genuine.length ? (genuine.length - atOrAbove(genuine, t)) / genuine.length : null;
  const base = {
    people,
    threshold: options.threshold,
    targetFpir: target,
    genuinePairs: genuine.length,
    impostorPairs: impostors.length,
    refusalsAtThreshold: refusals(options.threshold),
  };
  if (impostors.length === 0) {
    return {
      ...base,
      fpir: null,
      suggestedThreshold: null,
      suggestedFpir: null,
      refusalsAtSuggested: null,
      tooLargeForFaceAlone: false,
    };
  }
  const p = perPersonRate(impostors);
  const fpir = (t: number): number => fpirOf(p(t), people);
  // 0.01 steps from the default up: a threshold the admin can type, never below the model's own.
  let suggested: number | null = null;
  for (let step = Math.ceil(options.defaultThreshold * 100); step <= 100; step++) {
    if (fpir(step / 100) <= target) {
      suggested = step / 100;
      break;
    }
  }
  const refusalsAtSuggested = suggested === null ? null : refusals(suggested);
  return {
    ...base,
    fpir: fpir(options.threshold),
    suggestedThreshold: suggested,
    suggestedFpir: suggested === null ? null : fpir(suggested),
    refusalsAtSuggested,
    tooLargeForFaceAlone: suggested === null || (refusalsAtSuggested ?? 0) > MAX_REFUSALS,
  };
}

/** "1 in 3,000": a rate as one in so many attempts, for people to read. */
export function oneIn(rate: number): string {
  if (rate <= 0) return 'never';
  if (rate >= 0.5) return `${Math.round(rate * 100)} %`;
  const n = 1 / rate;
  const digits = Math.max(0, Math.floor(Math.log10(n)) - 1);
  const rounded = Math.round(n / 10 ** digits) * 10 ** digits;
  return `1 in ${rounded.toLocaleString('en')}`;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/** The estimate in plain English lines (the CLI; the admin screen words it in en and ja itself). */
export function describeStrangerRate(rate: StrangerRate): string[] {
  const people = rate.people.toLocaleString('en');
  const t = rate.threshold.toFixed(2);
  if (rate.fpir === null)
    return [`With ${people} people enrolled there is nobody to mistake a stranger for yet.`];
  const lines = [
    `With ${people} people enrolled, a stranger is taken for someone about ${oneIn(rate.fpir)} attempts at threshold ${t}.`,
  ];
  const target = `${oneIn(rate.targetFpir)} (FPIR ${rate.targetFpir})`;
  if (rate.suggestedThreshold === null) lines.push(`No threshold keeps it at ${target}.`);
  else {
    const cost =
      rate.refusalsAtSuggested === null
        ? 'its cost in refusals is unknown: nobody has two templates'
        : `it refuses ${pct(rate.refusalsAtSuggested)} of enrolled people's own attempts (${rate.genuinePairs} genuine pairs)`;
    lines.push(`Threshold ${rate.suggestedThreshold.toFixed(2)} keeps it at ${target}; ${cost}.`);
  }
  if (rate.tooLargeForFaceAlone)
    lines.push('The gallery is too large for face alone: use 1:1 (face plus personal code).');
  lines.push(`From ${rate.impostorPairs.toLocaleString('en')} sampled pairs of different people.`);
  return lines;
}
