// 1:1 mode's code entry at the door: a stranger may type codes at leisure, so the
// guesses are rate-limited in main, and the answer is the same whether or not a
// code belongs to someone.
// - The lockout is checked before any scrypt work, and survives an engine reload
//   (it lives in the composition root, main/services.ts, not in the kiosk) and a restart (a small file).
// - A code that matches nobody is answered like one that matches: "look at the
//   camera"; the face then fails to match, as it would for someone else's code.
// - Every person's hash is checked for every code (EnrollmentStore.findPersonByPin
//   never stops early), so the time taken does not tell either.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { EventBus } from '../events.js';
import type { Events } from '../../preload/contract/events.js';
import { Lockout, monotonicMs, NO_FAILURES, type LockoutPolicy } from '../admin/lockout.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { messageOf } from '../util/message-of.js';

/**
 * 5 free wrong codes, then 30 s doubling up to 15 min. With 4-digit codes and one
 * person, 10,000 guesses at the cap take about 100 days; the count resets only when
 * an enrolled face opens the door, never on a correct code (which a guesser may know).
 */
export const CODE_LOCKOUT: LockoutPolicy = { freeAttempts: 5, baseLockMs: 30_000, maxLockMs: 15 * 60_000 };

const fileSchema = z.object({
  version: z.literal(1),
  failures: z.number().int().min(0),
  lockRemainingMs: z.number().min(0),
});

export type CodeCheck =
  { kind: 'locked'; retryAfterMs: number } | { kind: 'match'; personId: string } | { kind: 'unknown' };

export class CodeEntry {
  /** Codes are checked one at a time: a burst of calls cannot all pass the lockout check at once. */
  private busy: Promise<unknown> = Promise.resolve();
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly lockout: Lockout,
    private readonly log: (message: string) => void,
  ) {}

  /** A missing file is no failures; an unreadable one is treated as a full lockout, never as none. */
  static async open(
    file: string,
    options: { policy?: LockoutPolicy; now?: () => number; log?: (message: string) => void } = {},
  ): Promise<CodeEntry> {
    const policy = options.policy ?? CODE_LOCKOUT;
    let state = NO_FAILURES;
    try {
      const parsed = fileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (parsed.success) state = parsed.data;
      else {
        options.log?.(`${file} is invalid: code entry stays locked for ${policy.maxLockMs} ms`);
        state = { failures: policy.freeAttempts, lockRemainingMs: policy.maxLockMs };
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        options.log?.(`${file} is unreadable: code entry stays locked for ${policy.maxLockMs} ms`);
        state = { failures: policy.freeAttempts, lockRemainingMs: policy.maxLockMs };
      }
    }
    return new CodeEntry(
      file,
      new Lockout(policy, state, options.now ?? monotonicMs),
      options.log ?? (() => {}),
    );
  }

  retryAfterMs(): number {
    return this.lockout.retryAfterMs();
  }

  /**
   * Checks a typed code. While locked, `lookup` (the scrypt work) is never called.
   * An unknown code counts towards the lockout at once; the file is written after
   * the answer, so the answer takes no longer than for a known code.
   */
  check(code: string, lookup: (code: string) => Promise<string | null>): Promise<CodeCheck> {
    return this.serial(async () => {
      const wait = this.lockout.retryAfterMs();
      if (wait > 0) return { kind: 'locked', retryAfterMs: wait };
      const personId = await lookup(code);
      if (personId) return { kind: 'match', personId };
      this.lockout.fail();
      this.persist();
      return { kind: 'unknown' };
    });
  }

  /** An enrolled face opened the door: whoever types codes here is not guessing. */
  reset(): void {
    if (this.lockout.failureCount === 0) return;
    this.lockout.succeed();
    this.persist();
  }

  /** Resets the count whenever a decision on `events` lets someone in (the bus in main/events.ts). */
  resetOnUnlock(events: EventBus): void {
    events.subscribe((event, payload) => {
      if (event === 'decision' && (payload as Events['decision']).outcome !== 'refused') this.reset();
    });
  }

  /** Resolves once every lockout change so far is on disk. */
  flush(): Promise<void> {
    return this.writes;
  }

  private persist(): void {
    const text = JSON.stringify({ version: 1, ...this.lockout.state() }) + '\n';
    this.writes = this.writes
      .then(() => writeFileAtomic(this.file, text))
      .catch((error: unknown) => this.log(`code lockout not saved: ${messageOf(error)}`));
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.busy.then(task, task);
    this.busy = run.catch(() => undefined);
    return run;
  }
}
