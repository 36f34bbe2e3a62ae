// Per-stage timing for the benchmark. Off by default: the hot path then pays one boolean test.

export class StageClock {
  enabled = false;
  private readonly totals = new Map<string, number>();

  /** Start time for a stage, or 0 when off. */
  start(): number {
    return this.enabled ? performance.now() : 0;
  }

  /** Adds the time since `t0` to `stage`. */
  stop(stage: string, t0: number): void {
    if (!this.enabled) return;
    this.totals.set(stage, (this.totals.get(stage) ?? 0) + performance.now() - t0);
  }

  /** The per-stage totals since the last call, in ms, and a reset. */
  take(): Record<string, number> {
    const out = Object.fromEntries(this.totals);
    this.totals.clear();
    return out;
  }
}

/** The engine's one clock; the bench command turns it on. */
export const stageClock = new StageClock();
