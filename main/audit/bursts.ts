// Repeated failures from one unauthenticated source, counted instead of written line by line.
// Unsigned MQTT remote-unlock commands arrive at about 350 a second and locked-out admin logins
// from the renderer at about 1,000 (issue 17): one line each would rotate the whole local log
// (10 × 5 MiB) out in minutes. The first few failures of a burst are written as they are (a
// person fumbling, or a test, sees each); the rest of the window is counted and written as one
// line when the window ends ("412 refused remote-unlock commands in 60 s"). A flood then writes
// at most 11 lines a minute per source.

/** One minute: long enough that a flood costs a few lines a minute, short enough to read as "now". */
export const BURST_WINDOW_MS = 60_000;
/** Failures of a window written on their own lines before the rest are counted. */
export const BURST_OWN_LINES = 10;

export interface BurstSummary {
  /** The source's key, e.g. 'remote_unlock' or 'lockout'. */
  key: string;
  /** Failures in the burst, those written on their own lines included. */
  count: number;
  /** The burst's length in whole seconds (the window, or less when flushed early). */
  seconds: number;
  /** When the burst began (ISO). */
  since: string;
}

interface Burst {
  start: number;
  count: number;
  timer: ReturnType<typeof setTimeout> | null;
}

export class FailureBursts {
  private readonly bursts = new Map<string, Burst>();
  private readonly windowMs: number;
  private readonly ownLines: number;
  private readonly now: () => number;
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    /** Writes a burst's one line; only called for bursts with failures counted, not written. */
    private readonly write: (summary: BurstSummary) => Promise<unknown>,
    /** `now` is wall-clock milliseconds (the line says when the burst began). */
    options: { windowMs?: number; ownLines?: number; now?: () => number } = {},
  ) {
    this.windowMs = options.windowMs ?? BURST_WINDOW_MS;
    this.ownLines = Math.max(1, options.ownLines ?? BURST_OWN_LINES);
    this.now = options.now ?? Date.now;
  }

  /**
   * Counts one failure from `key`. True: write its own line (one of the first of a burst). False:
   * it is counted, and the burst's line says how many there were.
   */
  admit(key: string): boolean {
    const now = this.now();
    const burst = this.bursts.get(key);
    if (burst && now - burst.start < this.windowMs) {
      burst.count++;
      if (burst.count <= this.ownLines) return true;
      // The burst's line is written when its window ends, even if nothing follows.
      burst.timer ??= unrefTimer(setTimeout(() => void this.close(key), burst.start + this.windowMs - now));
      return false;
    }
    if (burst) this.close(key, now);
    this.bursts.set(key, { start: now, count: 1, timer: null });
    return true;
  }

  /** Writes every open burst's line now (on close, and in tests). */
  async flush(): Promise<void> {
    for (const key of [...this.bursts.keys()]) this.close(key);
    await this.pending;
  }

  private close(key: string, now = this.now()): Promise<unknown> {
    const burst = this.bursts.get(key);
    if (!burst) return this.pending;
    this.bursts.delete(key);
    if (burst.timer) clearTimeout(burst.timer);
    if (burst.count <= this.ownLines) return this.pending;
    const summary: BurstSummary = {
      key,
      count: burst.count,
      seconds: Math.max(1, Math.round(Math.min(now - burst.start, this.windowMs) / 1000)),
      since: new Date(burst.start).toISOString(),
    };
    // Written now, not after earlier writes settle: the log keeps the order lines are handed to it,
    // so the burst's line comes before the failure that opens the next burst. A failed write must
    // not stop later bursts from being written.
    const written = this.write(summary).catch(() => undefined);
    this.pending = Promise.all([this.pending, written]);
    return this.pending;
  }
}

function unrefTimer(timer: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  timer.unref?.();
  return timer;
}
