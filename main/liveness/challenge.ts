// Layer 3: a challenge a recording cannot follow. The kiosk asks for a random sequence of head
// turns (each step left or right, drawn independently), each within its own time window, with
// the same enrolled identity matched on every frame. A recording plays one fixed sequence: with
// 2 steps there are 4 equally likely sequences, so a replayed video that happens to turn its
// head passes at most 1 draw in 4 (and only if its turns also fall inside the windows); with
// n steps, 1 in 2ⁿ. Directions are the person's own left and right; see yaw.ts for the sign.
//
// A step counts when the yaw moves by at least minYawChange from the challenge's baseline in
// the asked direction, after having been short of half that (so "left, left" needs a return
// towards the centre between the two turns). Turning the wrong way from near the centre fails.
//
// The baseline is the yaw of a head at rest: restFrames frames in a row within restSpread
// degrees of each other, all after the start (the frame the face was recognised on came before
// the screen asked anything, and may be the peak of a turn, where a head pauses). Until then nothing is judged
// and the screen asks the person to look at the camera, not to turn: the kiosk can recognise a
// face in the middle of a turn (its box barely moves), and a baseline taken there refused people
// who looked back at the screen before turning as asked (wrong-direction). Finding no rest
// within settleTimeoutMs fails ('not-at-rest'), so the challenge never waits longer than
// settleTimeoutMs + steps × stepTimeoutMs.
//
// Why the odds stay at 1 in 2ⁿ with the wait for rest: the draw is made at the start and a
// recording cannot react to it, so its yaws are the same whatever was drawn. Waiting only chooses
// the frame the baseline is taken at, and from there each step is decided by the same yaws for
// either direction. Joined frame to frame, the yaw cannot get from a turn one way to a turn the
// other way without passing near the centre, so whichever turn comes first passes one direction
// and the other direction then fails on it (wrong-direction): one fixed sequence answers at most
// one draw, from whatever baseline. The baseline never follows the head afterwards (that would
// let a recording that first swings back to the centre answer both directions of a step).
// Checked on the real and the replayed footage with every frame as a start (footage.test.ts).

import type { ChallengeMiss } from '../../preload/contract/events.js';

export type TurnDirection = 'left' | 'right';

export interface ChallengeOptions {
  /** Yaw change needed, in degrees. 15: clearly a turn, well within what recognition still matches. */
  minYawChange?: number;
  /** Number of turns asked for. 2: odds of 1 in 4 for a recording, about 2 s for a person. */
  steps?: number;
  /**
   * Time allowed for each step from its prompt, in ms. 3000: the real head-turn footage
   * (pad/videos/apfol_real2.webm) takes about 0.6–1 s per turn; three times that leaves room
   * for someone slower, and keeps a recording's chance of landing a turn in the window low.
   */
  stepTimeoutMs?: number;
  /**
   * Frames in a row, at rest, before the baseline is taken. 3: about 250 ms at the kiosk's
   * 12.5 frames/s capture (perf), long enough to tell a rest from a turn passing through.
   */
  restFrames?: number;
  /**
   * The most the yaw may spread (max − min, degrees) over those frames. 3.5: the real footage
   * (pad/videos/apfol_real2.webm at 12.5 frames/s, det_500m keypoints) holding still at 5.0–6.4 s
   * spreads 0.7–4.0° over 3 frames, most under 3.5 (the keypoint yaw's jitter); the head easing
   * back to rest at 4.5 s (−1.9°, −3.7°, −5.9°) spreads 4.0° and is still moving.
   */
  restSpread?: number;
  /**
   * Time allowed from the start to find the head at rest, in ms. 2000: someone turned away reads
   * the prompt and looks at the camera in well under a second (a turn in the real footage takes
   * 0.6–1 s), plus the rest window.
   */
  settleTimeoutMs?: number;
  /** Source of randomness in [0, 1); Math.random by default. */
  random?: () => number;
  /** The directions to ask, instead of drawing them (tests and offline replays of footage). */
  directions?: readonly TurnDirection[];
}

export const DEFAULT_CHALLENGE_STEPS = 2;
export const DEFAULT_STEP_TIMEOUT_MS = 3000;
export const DEFAULT_REST_FRAMES = 3;
export const DEFAULT_REST_SPREAD = 3.5;
export const DEFAULT_SETTLE_TIMEOUT_MS = 2000;

export type ChallengeFailure = 'timeout' | 'wrong-direction' | 'identity-changed' | 'not-at-rest';

export type ChallengeStatus =
  | { state: 'pending'; direction: TurnDirection; step: number; yawChange: number }
  | { state: 'passed'; direction: TurnDirection; step: number; yawChange: number }
  | { state: 'failed'; direction: TurnDirection; step: number; reason: ChallengeFailure };

export interface ChallengeObservation {
  /** Yaw in degrees (yaw.ts sign), or null when no face was found in this frame. */
  yaw: number | null;
  /** The enrolled identity this frame's face matched, or null for no match. */
  identity: string | null;
  nowMs: number;
}

/** Person's left = nose towards image +x = InsightFace yaw decreasing (yaw.ts). */
const YAW_SIGN: Record<TurnDirection, number> = { left: -1, right: 1 };

/** The odds that one fixed recording matches a random challenge of `steps` turns. */
export const recordingOdds = (steps: number): number => 1 / 2 ** steps;

export class HeadTurnChallenge {
  readonly directions: readonly TurnDirection[];
  private readonly minYawChange: number;
  private readonly stepTimeoutMs: number;
  private readonly restFrames: number;
  private readonly restSpread: number;
  /** The yaw at rest that turns are measured from; null while waiting for the head to rest. */
  private baseline: number | null = null;
  /** The latest yaws while waiting for rest (at most restFrames). */
  private recent: number[] = [];
  private step = 0;
  private stepDeadline: number;
  /** This step has seen the head short of half a turn in its direction. */
  private armed = true;
  /** This step has seen the head near the centre (so a wrong-way turn is a real one). */
  private nearCentre = true;
  /** This step's yaw change at the previous frame with a face (null: none yet). */
  private lastChange: number | null = null;
  /** The largest turn this step has seen in its direction, in degrees (the door's "too small a turn"). */
  private bestChange = 0;
  private status: ChallengeStatus;

  /** Starts a challenge for `identity` at `nowMs`; the baseline comes from the frames after. */
  constructor(
    readonly identity: string,
    nowMs: number,
    opts: ChallengeOptions = {},
  ) {
    const random = opts.random ?? Math.random;
    const steps = opts.directions?.length ?? opts.steps ?? DEFAULT_CHALLENGE_STEPS;
    if (!(Number.isInteger(steps) && steps >= 1 && steps <= 6))
      throw new RangeError(`challenge steps: expected 1 to 6, got ${steps}`);
    this.directions =
      opts.directions ??
      Array.from({ length: steps }, (): TurnDirection => (random() < 0.5 ? 'left' : 'right'));
    this.minYawChange = opts.minYawChange ?? 15;
    this.stepTimeoutMs = opts.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.restFrames = opts.restFrames ?? DEFAULT_REST_FRAMES;
    this.restSpread = opts.restSpread ?? DEFAULT_REST_SPREAD;
    if (!(Number.isInteger(this.restFrames) && this.restFrames >= 1))
      throw new RangeError(`challenge restFrames: expected a whole number ≥ 1, got ${this.restFrames}`);
    if (!(this.restSpread >= 0))
      throw new RangeError(`challenge restSpread: expected ≥ 0, got ${this.restSpread}`);
    // Until the head is at rest, the deadline is the settling one; then each step gets its own.
    this.stepDeadline = nowMs + (opts.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS);
    this.status = { state: 'pending', direction: this.directions[0]!, step: 0, yawChange: 0 };
  }

  /** The direction asked for now (the last one once decided). */
  get direction(): TurnDirection {
    return this.directions[Math.min(this.step, this.directions.length - 1)]!;
  }

  get current(): ChallengeStatus {
    return this.status;
  }

  /** Whether the head has been at rest and the turns are being judged (the prompt says which). */
  get atRest(): boolean {
    return this.baseline !== null;
  }

  /** Milliseconds left for this step (or, before the head is at rest, for settling). */
  leftMs(nowMs: number): number {
    return Math.max(0, this.stepDeadline - nowMs);
  }

  /** The time each turn gets from its prompt, in ms. */
  get stepWindowMs(): number {
    return this.stepTimeoutMs;
  }

  /**
   * A failure in words the door may use: a timeout after a turn of at least half the needed
   * angle is "too small a turn", else "too slow"; the rest map one to one.
   */
  get miss(): ChallengeMiss | null {
    if (this.status.state !== 'failed') return null;
    switch (this.status.reason) {
      case 'wrong-direction':
        return 'wrong_way';
      case 'not-at-rest':
        return 'not_at_rest';
      case 'identity-changed':
        return 'face_changed';
      case 'timeout':
        return this.bestChange >= this.minYawChange / 2 ? 'too_small' : 'too_slow';
    }
  }

  /** The yaw the turns are measured from, once the head has been at rest. */
  get baselineYaw(): number | null {
    return this.baseline;
  }

  /** Takes the baseline once the last restFrames yaws lie within restSpread; true then. */
  private settle(yaw: number, nowMs: number): boolean {
    this.recent = [...this.recent, yaw].slice(-this.restFrames);
    if (this.recent.length < this.restFrames) return false;
    if (Math.max(...this.recent) - Math.min(...this.recent) > this.restSpread) return false;
    this.baseline = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
    // The first turn's window opens now, when the screen first asks for it.
    this.stepDeadline = nowMs + this.stepTimeoutMs;
    return true;
  }

  /** Feeds one frame; once passed or failed, the outcome is final. */
  observe(obs: ChallengeObservation): ChallengeStatus {
    if (this.status.state !== 'pending') return this.status;
    const direction = this.direction;
    const step = this.step;
    const fail = (reason: ChallengeFailure): ChallengeStatus =>
      (this.status = { state: 'failed', direction, step, reason });
    if (obs.nowMs > this.stepDeadline) return fail(this.baseline === null ? 'not-at-rest' : 'timeout');
    // A frame without a face says nothing; a face that is not the same person ends it.
    if (obs.yaw === null) return this.status;
    if (obs.identity !== this.identity) return fail('identity-changed');
    // No direction is judged before the head has been at rest: the frame that completes the
    // rest only sets the baseline.
    if (this.baseline === null) {
      this.settle(obs.yaw, obs.nowMs);
      return this.status;
    }
    const change = (obs.yaw - this.baseline) * YAW_SIGN[direction];
    const half = this.minYawChange / 2;
    // Near the centre now, or passed through it since the last frame: a fast swing can jump
    // from one side to the other between two frames (the real footage swings −30° → +21° in
    // 160 ms), and skipping the check then let one recording answer both directions of a step.
    const from = this.lastChange ?? change;
    if (Math.min(from, change) <= half && Math.max(from, change) >= -half) this.nearCentre = true;
    this.lastChange = change;
    this.bestChange = Math.max(this.bestChange, change);
    if (change <= half) this.armed = true;
    if (this.nearCentre && change <= -this.minYawChange) return fail('wrong-direction');
    if (this.armed && change >= this.minYawChange) {
      if (step + 1 >= this.directions.length) {
        return (this.status = { state: 'passed', direction, step, yawChange: change });
      }
      // Next step: its own window from now; it arms once the head is short of half a turn its way.
      this.step++;
      this.stepDeadline = obs.nowMs + this.stepTimeoutMs;
      const next = (obs.yaw - this.baseline) * YAW_SIGN[this.direction];
      this.armed = next <= half;
      this.nearCentre = Math.abs(next) <= half;
      this.lastChange = next;
      this.bestChange = Math.max(0, next);
      return (this.status = {
        state: 'pending',
        direction: this.direction,
        step: this.step,
        yawChange: next,
      });
    }
    return (this.status = { state: 'pending', direction, step, yawChange: change });
  }
}
