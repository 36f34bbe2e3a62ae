// The optional active challenge: the kiosk asks the person to turn their head left or right
// (chosen at random, so a prepared recording cannot know which), and passes only when the
// yaw moves the asked way by enough, in time, with the same enrolled identity matched on every
// frame. Directions are the person's own left and right; see yaw.ts for the yaw sign.

export type TurnDirection = 'left' | 'right';

export interface ChallengeOptions {
  /** Yaw change needed, in degrees. 15: clearly a turn, well within what recognition still matches. */
  minYawChange?: number;
  /** Time allowed from the prompt, in ms. */
  timeoutMs?: number;
  /** Source of randomness in [0, 1); Math.random by default. */
  random?: () => number;
}

export type ChallengeFailure = 'timeout' | 'wrong-direction' | 'identity-changed';

export type ChallengeStatus =
  | { state: 'pending'; direction: TurnDirection; yawChange: number }
  | { state: 'passed'; direction: TurnDirection; yawChange: number }
  | { state: 'failed'; direction: TurnDirection; reason: ChallengeFailure };

export interface ChallengeObservation {
  /** Yaw in degrees (yaw.ts sign), or null when no face was found in this frame. */
  yaw: number | null;
  /** The enrolled identity this frame's face matched, or null for no match. */
  identity: string | null;
  nowMs: number;
}

/** Person's left = nose towards image +x = InsightFace yaw decreasing (yaw.ts). */
const YAW_SIGN: Record<TurnDirection, number> = { left: -1, right: 1 };

export class HeadTurnChallenge {
  readonly direction: TurnDirection;
  private readonly minYawChange: number;
  private readonly deadline: number;
  private baseline: number | null;
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
    this.direction = (opts.random ?? Math.random)() < 0.5 ? 'left' : 'right';
    this.minYawChange = opts.minYawChange ?? 15;
    this.deadline = nowMs + (opts.timeoutMs ?? 6000);
    this.baseline = startYaw;
    this.status = { state: 'pending', direction: this.direction, yawChange: 0 };
  }

  get current(): ChallengeStatus {
    return this.status;
  }

  /** Feeds one frame; once passed or failed, the outcome is final. */
  observe(obs: ChallengeObservation): ChallengeStatus {
    if (this.status.state !== 'pending') return this.status;
    const fail = (reason: ChallengeFailure): ChallengeStatus =>
      (this.status = { state: 'failed', direction: this.direction, reason });
    if (obs.nowMs > this.deadline) return fail('timeout');
    // A frame without a face says nothing; a face that is not the same person ends it.
    if (obs.yaw === null) return this.status;
    if (obs.identity !== this.identity) return fail('identity-changed');
    if (this.baseline === null) {
      this.baseline = obs.yaw;
      return this.status;
    }
    const change = (obs.yaw - this.baseline) * YAW_SIGN[this.direction];
    if (change <= -this.minYawChange) return fail('wrong-direction');
    if (change >= this.minYawChange) {
      return (this.status = { state: 'passed', direction: this.direction, yawChange: change });
    }
    return (this.status = { state: 'pending', direction: this.direction, yawChange: change });
  }
}
