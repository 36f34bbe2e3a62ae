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
  /** Source of randomness in [0, 1); Math.random by default. */
  random?: () => number;
  /** The directions to ask, instead of drawing them (tests and offline replays of footage). */
  directions?: readonly TurnDirection[];
}

export const DEFAULT_CHALLENGE_STEPS = 2;
export const DEFAULT_STEP_TIMEOUT_MS = 3000;

export type ChallengeFailure = 'timeout' | 'wrong-direction' | 'identity-changed';

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
  private baseline: number | null;
  private step = 0;
  private stepDeadline: number;
  /** This step has seen the head short of half a turn in its direction. */
  private armed = true;
  /** This step has seen the head near the centre (so a wrong-way turn is a real one). */
  private nearCentre = true;
  private status: ChallengeStatus;

  /**
   * Starts a challenge for `identity` at `nowMs`; `startYaw` is the yaw when the prompt is
   * shown (else the first observed yaw becomes the baseline).
   */
  constructor(
    readonly identity: string,
    nowMs: number,
    startYaw: number | null = null,
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
    this.stepDeadline = nowMs + this.stepTimeoutMs;
    this.baseline = startYaw;
    this.status = { state: 'pending', direction: this.directions[0]!, step: 0, yawChange: 0 };
  }

  /** The direction asked for now (the last one once decided). */
  get direction(): TurnDirection {
    return this.directions[Math.min(this.step, this.directions.length - 1)]!;
  }

  get current(): ChallengeStatus {
    return this.status;
  }

  /** Feeds one frame; once passed or failed, the outcome is final. */
  observe(obs: ChallengeObservation): ChallengeStatus {
    if (this.status.state !== 'pending') return this.status;
    const direction = this.direction;
    const step = this.step;
    const fail = (reason: ChallengeFailure): ChallengeStatus =>
      (this.status = { state: 'failed', direction, step, reason });
    if (obs.nowMs > this.stepDeadline) return fail('timeout');
    // A frame without a face says nothing; a face that is not the same person ends it.
    if (obs.yaw === null) return this.status;
    if (obs.identity !== this.identity) return fail('identity-changed');
    if (this.baseline === null) {
      this.baseline = obs.yaw;
      return this.status;
    }
    const change = (obs.yaw - this.baseline) * YAW_SIGN[direction];
    const half = this.minYawChange / 2;
    if (Math.abs(change) <= half) this.nearCentre = true;
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
