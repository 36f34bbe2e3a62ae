// A growing lockout after wrong guesses (admin PIN, 1:1 codes), on a monotonic
// clock: setting the PC's clock forward must not open it early. A monotonic clock
// restarts with the process, so what is persisted is the time still to wait;
// after a restart the whole remainder is waited again (never less).

export interface LockoutPolicy {
  /** Wrong guesses allowed before the first lockout. */
  freeAttempts: number;
  baseLockMs: number;
  maxLockMs: number;
}

/** What the owner writes to disk. */
export interface LockoutState {
  failures: number;
  /** Milliseconds still to wait when this was saved; 0 when not locked. */
  lockRemainingMs: number;
}

export const NO_FAILURES: LockoutState = { failures: 0, lockRemainingMs: 0 };

/** process.hrtime-based milliseconds: immune to changes of the wall clock. */
export const monotonicMs = (): number => performance.now();

export class Lockout {
  private failures: number;
  /** On the monotonic clock; 0 when not locked. */
  private lockedUntil: number;

  constructor(
    private readonly policy: LockoutPolicy,
    state: LockoutState,
    private readonly now: () => number = monotonicMs,
  ) {
    this.failures = state.failures;
    // A tampered file cannot ask for more than the longest lock, nor for a negative one.
    const remaining = Math.min(Math.max(0, state.lockRemainingMs), policy.maxLockMs);
    this.lockedUntil = remaining > 0 ? now() + remaining : 0;
  }

  /** Milliseconds until another guess is accepted; 0 when not locked. */
  retryAfterMs(): number {
    return Math.max(0, this.lockedUntil - this.now());
  }

  /** A wrong guess: returns how long the next one has to wait (0 while free tries remain). */
  fail(): number {
    this.failures += 1;
    const over = this.failures - this.policy.freeAttempts;
    const lockMs = over > 0 ? Math.min(this.policy.maxLockMs, this.policy.baseLockMs * 2 ** (over - 1)) : 0;
    this.lockedUntil = lockMs > 0 ? this.now() + lockMs : 0;
    return lockMs;
  }

  succeed(): void {
    this.failures = 0;
    this.lockedUntil = 0;
  }

  get failureCount(): number {
    return this.failures;
  }

  state(): LockoutState {
    return { failures: this.failures, lockRemainingMs: this.retryAfterMs() };
  }
}
