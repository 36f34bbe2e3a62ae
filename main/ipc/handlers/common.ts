// What several handler files share: their table type, and the admin PIN typed again.
import type { AdminPin } from '../../admin/pin.js';
import { ExpectedError } from '../errors.js';
import type { AdminAuditSink, HandlerTable } from '../gate.js';

export type HandlersFor<C> = Pick<HandlerTable, keyof C & keyof HandlerTable>;

/** The admin PIN and where its refusals are logged: what a PIN check needs. */
export interface PinGuard {
  pin: Pick<AdminPin, 'verify'>;
  auditAdmin: AdminAuditSink;
}

/**
 * The admin PIN, verified (it counts towards the lockout); throws the expected failure otherwise.
 * `purpose` says in the audit log what the PIN was typed for.
 */
export async function verifyAdminPin(guard: PinGuard, given: string, purpose: string): Promise<void> {
  const check = await guard.pin.verify(given);
  if (check.ok) return;
  // Refused PINs are logged too (not one channel's line: any channel that asks for the PIN), as a
  // string of them is someone guessing.
  if (check.reason === 'wrong_pin') await guard.auditAdmin('wrong_pin', { purpose }, false);
  if (check.reason === 'locked' || (check.reason === 'wrong_pin' && check.retryAfterMs > 0)) {
    // Logged when a lockout starts, and for each attempt it turns away.
    await guard.auditAdmin('lockout', { purpose, retryAfterMs: check.retryAfterMs }, false);
  }
  switch (check.reason) {
    case 'not_set':
      throw new ExpectedError('NO_ADMIN_PIN', 'No admin PIN is set yet: set one on the admin screen first.');
    case 'locked':
      throw new ExpectedError(
        'LOCKED_OUT',
        `Too many wrong PINs: try again in ${Math.ceil(check.retryAfterMs / 1000)} s.`,
      );
    case 'wrong_pin':
      throw new ExpectedError('WRONG_PIN', 'Wrong PIN.');
    case 'invalid':
      throw new ExpectedError('INVALID_PIN', check.message);
  }
}

/**
 * Settings that decide who gets in need the admin PIN typed again, even inside a
 * session: a compromised renderer riding a live session cannot change them.
 */
export async function requirePinAgain(
  guard: PinGuard,
  changes: readonly string[],
  given: string | undefined,
): Promise<void> {
  if (changes.length === 0) return;
  if (given === undefined) {
    throw new ExpectedError('PIN_REQUIRED', `Type the admin PIN again to change: ${changes.join(', ')}.`);
  }
  await verifyAdminPin(guard, given, `change ${changes.join(', ')}`);
}

/** The gate's check for a channel marked 'pin-again' in the contract (GatePolicy.pinAgain). */
export const pinAgainOf =
  (guard: PinGuard) =>
  (given: string | undefined, what: string): Promise<void> =>
    requirePinAgain(guard, [what], given);
