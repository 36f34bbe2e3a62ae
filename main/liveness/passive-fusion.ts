// Layer 1: the passive MiniFASNet pair, fused over time. Every agreeing frame is scored
// (anti-spoof.ts: the mean real-class probability of the two models), and only frames that
// passed recognition's gates agree (attempts.ts: a blink, blur, a dark frame is never judged);
// the decision is taken once over the whole window, not by a yes/no vote per frame:
//   - the mean log-odds of the frames, with the single best frame left out, must reach the
//     threshold's log-odds: no one lucky frame can carry the decision;
//   - the worst frame must stay above a floor: a window that holds a frame the models are
//     sure is an attack is refused however good the others look;
//   - at least MIN_FUSED_FRAMES frames.

export interface PassiveFusionOptions {
  /** Real-class probability the (trimmed) mean log-odds must reach. */
  threshold: number;
  /** No frame may score under this. */
  floor: number;
  /** Fewest frames a decision is taken on. */
  minFrames: number;
}

/**
 * 3 frames: with the best left out, two still have to agree; the kiosk's own default is 3
 * agreeing frames (settings framesToAgree), so the default path costs nothing extra.
 */
export const MIN_FUSED_FRAMES = 3;

/**
 * 0.2: a frame the two models call at least 4:1 an attack. On the real head-turn footage
 * no frame scores under 0.9 (test/unit/liveness/footage.test.ts prints the lowest), so the
 * floor costs live users nothing; it stops a window whose other frames happened to pass.
 */
export const DEFAULT_PASSIVE_FLOOR = 0.2;

export const DEFAULT_PASSIVE_FUSION: Readonly<PassiveFusionOptions> = {
  // 0.5: today's per-frame threshold (liveness.ts), so a still presented for N frames is
  // judged as before; the fusion only adds the floor, the trimming and the minimum count.
  threshold: 0.5,
  floor: DEFAULT_PASSIVE_FLOOR,
  minFrames: MIN_FUSED_FRAMES,
};

/**
 * Log-odds are clipped at ±logit(0.999) ≈ ±6.9: float32 softmaxes saturate at 0 and 1, and one
 * saturated frame must not outweigh any number of others.
 */
const MAX_LOGIT = Math.log(0.999 / 0.001);

export function logit(p: number): number {
  const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
  return Math.max(-MAX_LOGIT, Math.min(MAX_LOGIT, Math.log(q / (1 - q))));
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export type PassiveFailure = 'too_few_frames' | 'below_floor' | 'below_threshold';

export interface PassiveResult {
  live: boolean;
  /** The fused score as a probability: sigmoid of the trimmed mean log-odds (NaN without frames). */
  score: number;
  /** The worst frame's score. */
  worst: number;
  frames: number;
  reason?: PassiveFailure;
}

/** Fuses the per-frame scores of one window (any order). Non-finite scores count as 0. */
export function fusePassive(
  scores: readonly number[],
  opts: Readonly<PassiveFusionOptions> = DEFAULT_PASSIVE_FUSION,
): PassiveResult {
  const clean = scores.map((s) => (Number.isFinite(s) ? s : 0));
  if (clean.length === 0)
    return { live: false, score: Number.NaN, worst: Number.NaN, frames: 0, reason: 'too_few_frames' };
  const sorted = [...clean].sort((a, b) => a - b);
  const worst = sorted[0]!;
  // The best frame is left out whenever there is more than one.
  const kept = sorted.length > 1 ? sorted.slice(0, -1) : sorted;
  const meanLogit = kept.reduce((a, s) => a + logit(s), 0) / kept.length;
  const score = sigmoid(meanLogit);
  const base = { score, worst, frames: clean.length };
  if (clean.length < opts.minFrames) return { ...base, live: false, reason: 'too_few_frames' };
  if (worst < opts.floor) return { ...base, live: false, reason: 'below_floor' };
  if (meanLogit < logit(opts.threshold)) return { ...base, live: false, reason: 'below_threshold' };
  return { ...base, live: true };
}

/** The scores of the frames in the current window, oldest first, kept for `windowMs`. */
export class PassiveWindow {
  private frames: { at: number; score: number }[] = [];

  constructor(private readonly windowMs: number) {}

  add(score: number, at: number): void {
    this.frames.push({ at, score });
    this.frames = this.frames.filter((f) => at - f.at <= this.windowMs);
  }

  /** The last `count` scores (all of them when fewer). */
  last(count: number): number[] {
    return this.frames.slice(-count).map((f) => f.score);
  }

  clear(): void {
    this.frames = [];
  }
}
