// Missed head turns, counted per person. A stranger's refusal counts towards the lockout that
// shuts the door for everyone (recognition/decision.ts); a missed turn (too slow, too small a
// turn, the wrong way) is most often the enrolled person hesitating, so it shuts out only the
// person the face matched, with the same numbers as the lockout: maxFailures misses within
// failureWindowMs refuse that person's challenges for lockoutMs. A replayed video that hides
// itself when the arrow points the wrong way still meets this limit: every hidden step is a
// miss (too slow), so it gets no more tries per minute than the lockout gave it.

export interface MissPolicy {
  maxFailures: number;
  failureWindowMs: number;
  lockoutMs: number;
}

export class ChallengeMisses {
  private readonly misses = new Map<string, number[]>();
  private readonly lockedUntil = new Map<string, number>();

  constructor(private readonly policy: () => MissPolicy) {}

  /** Counts a miss for `personId`; returns how long that person is now refused (0: not). */
  miss(personId: string, now: number): number {
    const { maxFailures, failureWindowMs, lockoutMs } = this.policy();
    const recent = (this.misses.get(personId) ?? []).filter((t) => now - t < failureWindowMs);
    recent.push(now);
    if (recent.length < maxFailures) {
      this.misses.set(personId, recent);
      return 0;
    }
    this.misses.delete(personId);
    this.lockedUntil.set(personId, now + lockoutMs);
    return lockoutMs;
  }

  /** Milliseconds until `personId` may try a challenge again; 0 now. */
  lockedForMs(personId: string, now: number): number {
    const until = this.lockedUntil.get(personId) ?? 0;
    if (until <= now) this.lockedUntil.delete(personId);
    return Math.max(0, until - now);
  }
}
