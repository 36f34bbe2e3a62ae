// One liveness judge for the door, `tobira liveness` and the PAD bench (issue 18).
//
// The door (kiosk/unlock-flow.ts) scores a face with the passive pair only when the frame
// passed the same gates as recognition (recognition/judge-frame.ts: one person, size, pose,
// sharpness, light) and the face holds still (SteadyGate); it fuses the scores of the agreeing
// frames, and the floor applies to that fused window, not to every frame that is in view. A
// frame that fails a gate restarts the agreeing frames (decision.ts resets its streak); a face
// that moved is skipped. `DoorFrameJudge` is that per-frame path, shared by the door and the
// CLI; `judgeAttempts` slides attempts as long as the door lets one last over a recording.
import type { Face, PixelImage } from '../insightface/types.js';
import { judgeFrame, type FrameJudgement, type JudgeConfig } from '../recognition/judge-frame.js';
import { DEFAULT_CHALLENGE_STEPS, DEFAULT_SETTLE_TIMEOUT_MS, DEFAULT_STEP_TIMEOUT_MS } from './challenge.js';
import {
  combine,
  flowOf,
  pointsOf,
  type LayerOptions,
  type LayeredFrame,
  type LayeredVerdict,
  type SecurityLevel,
} from './levels.js';
import { DEFAULT_PASSIVE_FUSION, fusePassive } from './passive-fusion.js';
import { DEFAULT_STRUCTURE, judgeStructure } from './structure.js';
import { FaceFlow } from './flow-structure.js';
import { DEFAULT_SETTINGS } from '../../preload/contract/settings.js';
import type { LivenessVerdict } from './liveness.js';
import { SCREEN_FRAME_SCORE } from './screen-frame.js';

/** Consecutive subject boxes overlapping this much count as holding still (0.6: a slow step moves less). */
export const STEADY_IOU = 0.6;

export function iou(a: Face['bbox'], b: Face['bbox']): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * The door's gate for the expensive models (embedding, passive liveness): a subject that passed
 * every gate of judgeFrame and stands where it stood a frame ago (a moving face blurs).
 */
export class SteadyGate {
  private last: Face['bbox'] | null = null;

  eligible(judgement: FrameJudgement): Face | null {
    const { subject } = judgement;
    const steady = subject !== null && this.last !== null && iou(subject.bbox, this.last) >= STEADY_IOU;
    this.last = subject?.bbox ?? null;
    return subject && steady && judgement.passed ? subject : null;
  }
}

/** One frame as the door judged it, for the attempt judge. */
export interface DoorFrame extends LayeredFrame {
  /**
   * The frame failed a gate of judgeFrame (no subject, a second person, quality): the door's
   * agreeing frames start again. `passive` is set only for an eligible frame.
   */
  broken: boolean;
  /** Set on a scored frame: the face sits in a screen's frame (screen-frame.ts; its score is capped). */
  screen?: boolean;
}

export interface PassiveScore {
  /** The passive score (NaN when the models could not score it). */
  score: number;
  /** The screen-frame cue saw a frame around the face. */
  screen: boolean;
}

export interface PassiveScorer {
  score(image: PixelImage, face: Face): Promise<PassiveScore>;
}

/**
 * The door's own per-frame check (LivenessChecker.checkFace: the passive pair and the
 * screen-frame cue) as a scorer; a model error is thrown, not scored.
 */
export function checkerScorer(checker: {
  checkFace(image: PixelImage, face: Face): Promise<LivenessVerdict>;
}): PassiveScorer {
  return {
    score: async (image, face) => {
      const v = await checker.checkFace(image, face);
      if (v.reason === 'model error') throw new Error(`liveness model failed: ${v.detail ?? ''}`);
      return { score: v.score, screen: v.screen === true };
    },
  };
}

/**
 * The door's frame path, offline: judgeFrame, the steady gate, the passive pair on eligible
 * frames only. `refine` adds what the structure layer reads (the 106 landmarks) to the subject.
 */
export class DoorFrameJudge {
  private readonly gate = new SteadyGate();
  /** The subject's corners tracked from frame to frame, for layer 2 (flow-structure.ts). */
  private readonly flow = new FaceFlow();

  constructor(
    private readonly config: JudgeConfig,
    private readonly scorer: PassiveScorer,
    private readonly refine: (image: PixelImage, face: Face) => Promise<Face> = async (_, f) => f,
  ) {}

  async frame(image: PixelImage, faces: readonly Face[], nowMs: number): Promise<DoorFrame> {
    const judgement = judgeFrame(faces, image, image, this.config);
    const eligible = this.gate.eligible(judgement);
    const face = judgement.subject ? await this.refine(image, judgement.subject) : null;
    const scored = eligible && face ? await this.scorer.score(image, face) : null;
    const passive = scored === null || Number.isFinite(scored.score) ? (scored?.score ?? null) : 0;
    const flow = this.flow.add(image, face);
    return {
      nowMs,
      face,
      passive,
      broken: !judgement.passed,
      flow,
      ...(scored ? { screen: scored.screen } : {}),
    };
  }
}

export interface AttemptOptions extends LayerOptions {
  /** The agreeing frames must fall within this (decision.ts windowMs, settings agreeWithinMs). */
  windowMs?: number;
  /** A new attempt starts this often (a person at the door retries; an attacker picks the moment). */
  strideMs?: number;
}

/** The door's default agreeWithinMs (settings.ts, recognition.agreeWithinMs: 3 s). */
export const AGREE_WITHIN_MS = DEFAULT_SETTINGS.recognition.agreeWithinMs;
/** 1 s between attempt starts: as in the PAD bench's replay attempts (pad-evaluate.ts). */
export const ATTEMPT_STRIDE_MS = 1000;

/**
 * How long the door lets one attempt last: the agreeing frames within their window, and at
 * level high up to DEFAULT_SETTLE_TIMEOUT_MS to find the head at rest and
 * DEFAULT_STEP_TIMEOUT_MS per turn (challenge.ts).
 */
export function attemptMs(level: SecurityLevel, windowMs = AGREE_WITHIN_MS): number {
  return (
    windowMs +
    (level === 'high' ? DEFAULT_SETTLE_TIMEOUT_MS + DEFAULT_CHALLENGE_STEPS * DEFAULT_STEP_TIMEOUT_MS : 0)
  );
}

/**
 * The door's agreeing window in `frames`: the first `count` eligible frames in a row (a broken
 * frame starts again; a frame without a score, e.g. a face that moved, neither counts nor
 * breaks), spanning at most `windowMs`. Empty when the attempt never gathers them.
 */
export function agreeingWindow(frames: readonly DoorFrame[], count: number, windowMs: number): DoorFrame[] {
  let run: DoorFrame[] = [];
  for (const f of frames) {
    if (f.broken) run = [];
    else if (f.face && f.passive !== null) {
      run.push(f);
      while (run.length > 0 && f.nowMs - run[0]!.nowMs > windowMs) run.shift();
      if (run.length >= count) return run;
    }
  }
  return [];
}

export interface Attempt {
  /** When the attempt began, ms from the recording's start. */
  startMs: number;
  /** When the door decided (the last frame the verdict rests on); the attempt's end without one. */
  decidedMs: number;
  verdict: LayeredVerdict;
}

/**
 * One attempt, judged as the door judges it: layer 1 on the fused agreeing window (the floor
 * included); at level high a window layer 1 refuses is refused there, as the door does; else,
 * with no prompt in a recording, the eligible frames after the window join the fusion, the 3-D structure is judged on the motion since the window, and the door
 * decides on the first frame that motion shows a 3-D face (else when the attempt runs out).
 */
export function judgeAttempt(
  frames: readonly DoorFrame[],
  level: SecurityLevel,
  opts: AttemptOptions = {},
): { verdict: LayeredVerdict; decidedMs: number } {
  const fusion = opts.fusion ?? DEFAULT_PASSIVE_FUSION;
  const window = agreeingWindow(frames, fusion.minFrames, opts.windowMs ?? AGREE_WITHIN_MS);
  const end = frames.at(-1)?.nowMs ?? 0;
  const windowPassive = fusePassive(
    window.map((f) => f.passive!),
    fusion,
  );
  if (level === 'standard')
    return { verdict: combine(level, windowPassive), decidedMs: window.at(-1)?.nowMs ?? end };
  // With no agreeing window the door would never have asked for a turn; the structure of the
  // attempt's motion is still reported.
  const rest = window.length > 0 ? frames.slice(frames.indexOf(window[0]!)) : frames;
  const structureOf = (n: number) =>
    judgeStructure(pointsOf(rest.slice(0, n)), opts.structure ?? DEFAULT_STRUCTURE, flowOf(rest.slice(0, n)));
  // At high too, the door refuses a window layer 1 refuses before it asks for any turn
  // (unlock-flow.ts revokes the unlock): the frames after it cannot rescue it. The structure
  // of the attempt's motion is reported all the same.
  if (window.length > 0 && !windowPassive.live)
    return {
      verdict: combine(level, windowPassive, structureOf(rest.length)),
      decidedMs: window.at(-1)!.nowMs,
    };
  // The door decides when the turns are done: the first prefix whose motion shows a 3-D face
  // (the largest residual over pairs of frames only grows with more frames: a binary search).
  // Never before the agreeing window is whole: the door asks for the turns only then, and
  // layer 1 is fused over the whole window (a turn inside the window once left 1 frame to fuse).
  let n = rest.length;
  if (window.length > 0 && structureOf(n).live) {
    let lo = rest.indexOf(window.at(-1)!) + 1;
    while (lo < n) {
      const mid = (lo + n) >> 1;
      if (structureOf(mid).live) n = mid;
      else lo = mid + 1;
    }
  }
  const judged = rest.slice(0, n);
  const scores = judged.filter((f) => f.face && f.passive !== null).map((f) => f.passive!);
  const verdict = combine(level, fusePassive(scores, fusion), structureOf(n));
  return { verdict, decidedMs: n < rest.length ? judged.at(-1)!.nowMs : end };
}

/** Attempts starting every `strideMs`, each as long as the door lets one last, while one fits. */
export function judgeAttempts(
  frames: readonly DoorFrame[],
  level: SecurityLevel,
  opts: AttemptOptions = {},
): Attempt[] {
  if (frames.length === 0) return [];
  const first = frames[0]!.nowMs;
  const last = frames.at(-1)!.nowMs;
  const length = attemptMs(level, opts.windowMs);
  const stride = opts.strideMs ?? ATTEMPT_STRIDE_MS;
  const out: Attempt[] = [];
  // A recording shorter than one attempt still gets one (the kiosk would judge what it saw).
  for (let start = first; out.length === 0 || start + length <= last + 1e-6; start += stride) {
    const seg = frames.filter((f) => f.nowMs >= start && f.nowMs < start + length);
    const { verdict, decidedMs } = judgeAttempt(seg, level, opts);
    out.push({ startMs: start - first, decidedMs: decidedMs - first, verdict });
    if (start + stride > last) break;
  }
  return out;
}

/**
 * The screen-frame cue alone, on the attempts of the door's judge: every scored frame counts
 * as if the models were sure it is live (0.99), and a frame that sees a screen's frame is
 * capped as the door caps it (SCREEN_FRAME_SCORE); no floor. An attempt is then refused when
 * most of its agreeing window sees a frame, as the fused door refuses it. For the bench.
 */
export function screenAloneAttempts(frames: readonly DoorFrame[], opts: AttemptOptions = {}): Attempt[] {
  const asIfLive = frames.map((f) =>
    f.passive === null ? f : { ...f, passive: f.screen ? SCREEN_FRAME_SCORE : 0.99 },
  );
  const fusion = { ...(opts.fusion ?? DEFAULT_PASSIVE_FUSION), floor: 0 };
  return judgeAttempts(asIfLive, 'standard', { ...opts, fusion });
}

export interface Overall {
  /** Accepted as an attack would be: any attempt passed. */
  live: boolean;
  /** When the first passing attempt decided, ms from the start; null when none passed. */
  firstPassMs: number | null;
}

export function overallOf(attempts: readonly Attempt[]): Overall {
  const pass = attempts.find((a) => a.verdict.live);
  return { live: pass !== undefined, firstPassMs: pass ? pass.decidedMs : null };
}

/**
 * A real person counts as accepted when an attempt passes within the first `withinMs` (a
 * kiosk user would retry that long); 8 s: the longest the README's table reports.
 */
export const ACCEPT_WITHIN_MS = 8000;

export const acceptedWithin = (o: Overall, withinMs = ACCEPT_WITHIN_MS): boolean =>
  o.firstPassMs !== null && o.firstPassMs <= withinMs;
