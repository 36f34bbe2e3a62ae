// The admin PIN: scrypt-hashed, rate-limited with a growing lockout on a monotonic
// clock (main/admin/lockout.ts), and kept in a small JSON file written atomically
// so a crash never forgets a lockout.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write.js';
import { ADMIN_PIN_COST, hashPin, pinHashSchema, validatePin, verifyPinHash } from './pin-hash.js';
import type { ScryptCost } from './pin-hash.js';
import { Lockout, monotonicMs, NO_FAILURES, type LockoutPolicy } from './lockout.js';

export type { LockoutPolicy } from './lockout.js';

/** Version 1 kept the lockout's end on the wall clock, which a clock change could skip. */
const v1Schema = z.object({
  version: z.literal(1),
  pin: pinHashSchema.nullable(),
  failures: z.number().int().min(0),
  lockedUntil: z.number().min(0),
});
const v2Schema = z.object({
  version: z.literal(2),
  pin: pinHashSchema.nullable(),
  failures: z.number().int().min(0),
  lockRemainingMs: z.number().min(0),
});
const fileSchema = z.discriminatedUnion('version', [v1Schema, v2Schema]);
type PinFile = z.infer<typeof v2Schema>;

export type PinCheck =
  | { ok: true }
  | {
      ok: false;
      reason: 'not_set' | 'wrong_pin' | 'locked' | 'invalid';
      retryAfterMs: number;
      message: string;
    };

/** 3 free tries, then 30 s doubling per further failure up to 1 h. */
export const DEFAULT_LOCKOUT: LockoutPolicy = { freeAttempts: 3, baseLockMs: 30_000, maxLockMs: 3_600_000 };

export interface AdminPinOptions {
  lockout?: LockoutPolicy;
  cost?: ScryptCost;
  /** Monotonic milliseconds (tests drive it); never the wall clock. */
  now?: () => number;
}

export class AdminPin {
  private busy: Promise<unknown> = Promise.resolve();
  private constructor(
    private readonly file: string,
    private pin: PinFile['pin'],
    private readonly lockout: Lockout,
    private readonly cost: ScryptCost,
  ) {}

  /** A missing file is the first-launch state: no PIN set. A corrupt one is an error, never "no PIN". */
  static async open(file: string, options: AdminPinOptions = {}): Promise<AdminPin> {
    let state: PinFile = { version: 2, pin: null, ...NO_FAILURES };
    let text: string | null = null;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== null) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new Error(`admin PIN file ${file} is not valid JSON`, { cause: error });
      }
      const parsed = fileSchema.safeParse(json);
      if (!parsed.success) {
        const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
        throw new Error(`admin PIN file ${file} is invalid at: ${where}`);
      }
      const read = parsed.data;
      state =
        read.version === 2
          ? read
          : {
              version: 2,
              pin: read.pin,
              failures: read.failures,
              // The one and last time the wall clock counts: converting an old file.
              lockRemainingMs: Math.max(0, read.lockedUntil - Date.now()),
            };
    }
    const lockout = new Lockout(options.lockout ?? DEFAULT_LOCKOUT, state, options.now ?? monotonicMs);
    return new AdminPin(file, state.pin, lockout, options.cost ?? ADMIN_PIN_COST);
  }

  isSet(): boolean {
    return this.pin !== null;
  }

  /** Milliseconds until another attempt is accepted; 0 when not locked. */
  retryAfterMs(): number {
    return this.lockout.retryAfterMs();
  }

  verify(pin: string): Promise<PinCheck> {
    return this.serial(() => this.check(pin));
  }

  /** First launch: no current PIN needed. Afterwards the current PIN must verify (and counts as an attempt). */
  setPin(newPin: string, currentPin?: string): Promise<PinCheck> {
    return this.serial(async () => {
      const problem = validatePin(newPin);
      if (problem) return { ok: false, reason: 'invalid', retryAfterMs: 0, message: problem };
      if (this.pin) {
        const check = await this.check(currentPin ?? '');
        if (!check.ok) return check;
      }
      this.lockout.succeed();
      await this.save(await hashPin(newPin, this.cost));
      return { ok: true };
    });
  }

  /**
   * Sets the PIN with no current one and clears any lockout: only for `tobira admin
   * set-pin`, run by someone with the PC's account. Never reachable over IPC.
   */
  provision(newPin: string): Promise<PinCheck> {
    return this.serial(async () => {
      const problem = validatePin(newPin);
      if (problem) return { ok: false, reason: 'invalid', retryAfterMs: 0, message: problem };
      this.lockout.succeed();
      await this.save(await hashPin(newPin, this.cost));
      return { ok: true };
    });
  }

  private async check(pin: string): Promise<PinCheck> {
    const stored = this.pin;
    if (!stored) return { ok: false, reason: 'not_set', retryAfterMs: 0, message: 'no admin PIN is set yet' };
    // Before any scrypt work: a locked PIN costs an attacker nothing but costs us nothing either.
    const wait = this.retryAfterMs();
    if (wait > 0) {
      return {
        ok: false,
        reason: 'locked',
        retryAfterMs: wait,
        message: `too many wrong PINs; try again later`,
      };
    }
    if (await verifyPinHash(pin, stored)) {
      if (this.lockout.failureCount > 0) {
        this.lockout.succeed();
        await this.save(stored);
      }
      return { ok: true };
    }
    const lockMs = this.lockout.fail();
    await this.save(stored);
    return { ok: false, reason: 'wrong_pin', retryAfterMs: lockMs, message: 'wrong PIN' };
  }

  private async save(pin: PinFile['pin']): Promise<void> {
    const next: PinFile = { version: 2, pin, ...this.lockout.state() };
    await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n');
    this.pin = pin;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.busy.then(task, task);
    this.busy = run.catch(() => undefined);
    return run;
  }
}
