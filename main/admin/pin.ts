// The admin PIN: scrypt-hashed, rate-limited with a growing lockout, and kept in
// a small JSON file written atomically so a crash never forgets a lockout.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write.js';
import { ADMIN_PIN_COST, hashPin, pinHashSchema, validatePin, verifyPinHash } from './pin-hash.js';
import type { ScryptCost } from './pin-hash.js';

const stateSchema = z.object({
  version: z.literal(1),
  pin: pinHashSchema.nullable(),
  failures: z.number().int().min(0),
  lockedUntil: z.number().min(0),
});
type PinState = z.infer<typeof stateSchema>;

export type PinCheck =
  | { ok: true }
  | {
      ok: false;
      reason: 'not_set' | 'wrong_pin' | 'locked' | 'invalid';
      retryAfterMs: number;
      message: string;
    };

export interface LockoutPolicy {
  /** Wrong PINs allowed before the first lockout. */
  freeAttempts: number;
  baseLockMs: number;
  maxLockMs: number;
}
/** 3 free tries, then 30 s doubling per further failure up to 1 h. */
export const DEFAULT_LOCKOUT: LockoutPolicy = { freeAttempts: 3, baseLockMs: 30_000, maxLockMs: 3_600_000 };

export interface AdminPinOptions {
  lockout?: LockoutPolicy;
  cost?: ScryptCost;
  now?: () => number;
}

export class AdminPin {
  private busy: Promise<unknown> = Promise.resolve();
  private constructor(
    private readonly file: string,
    private state: PinState,
    private readonly lockout: LockoutPolicy,
    private readonly cost: ScryptCost,
    private readonly now: () => number,
  ) {}

  /** A missing file is the first-launch state: no PIN set. A corrupt one is an error, never "no PIN". */
  static async open(file: string, options: AdminPinOptions = {}): Promise<AdminPin> {
    let state: PinState = { version: 1, pin: null, failures: 0, lockedUntil: 0 };
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
      const parsed = stateSchema.safeParse(json);
      if (!parsed.success) {
        const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
        throw new Error(`admin PIN file ${file} is invalid at: ${where}`);
      }
      state = parsed.data;
    }
    return new AdminPin(
      file,
      state,
      options.lockout ?? DEFAULT_LOCKOUT,
      options.cost ?? ADMIN_PIN_COST,
      options.now ?? Date.now,
    );
  }

  isSet(): boolean {
    return this.state.pin !== null;
  }

  /** Milliseconds until another attempt is accepted; 0 when not locked. */
  retryAfterMs(): number {
    return Math.max(0, this.state.lockedUntil - this.now());
  }

  verify(pin: string): Promise<PinCheck> {
    return this.serial(() => this.check(pin));
  }

  /** First launch: no current PIN needed. Afterwards the current PIN must verify (and counts as an attempt). */
  setPin(newPin: string, currentPin?: string): Promise<PinCheck> {
    return this.serial(async () => {
      const problem = validatePin(newPin);
      if (problem) return { ok: false, reason: 'invalid', retryAfterMs: 0, message: problem };
      if (this.state.pin) {
        const check = await this.check(currentPin ?? '');
        if (!check.ok) return check;
      }
      await this.save({ version: 1, pin: await hashPin(newPin, this.cost), failures: 0, lockedUntil: 0 });
      return { ok: true };
    });
  }

  private async check(pin: string): Promise<PinCheck> {
    const stored = this.state.pin;
    if (!stored) return { ok: false, reason: 'not_set', retryAfterMs: 0, message: 'no admin PIN is set yet' };
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
      if (this.state.failures > 0) await this.save({ ...this.state, failures: 0, lockedUntil: 0 });
      return { ok: true };
    }
    const failures = this.state.failures + 1;
    const over = failures - this.lockout.freeAttempts;
    const lockMs = over > 0 ? Math.min(this.lockout.maxLockMs, this.lockout.baseLockMs * 2 ** (over - 1)) : 0;
    await this.save({ ...this.state, failures, lockedUntil: lockMs > 0 ? this.now() + lockMs : 0 });
    return { ok: false, reason: 'wrong_pin', retryAfterMs: lockMs, message: 'wrong PIN' };
  }

  private async save(next: PinState): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n');
    this.state = next;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.busy.then(task, task);
    this.busy = run.catch(() => undefined);
    return run;
  }
}
