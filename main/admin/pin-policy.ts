// What a new admin PIN must be, and who may set the first one. The kiosk's admin
// can run the door and enroll anyone, so the PIN is its only key at the screen.

/**
 * 6 digits by default: a million combinations against 3 free tries and a doubling
 * lockout (main/admin/pin.ts). 4 digits (ten thousand) only when the settings say
 * the admin chose a weaker PIN (`adminPin.allowWeakFourDigits`).
 */
export const ADMIN_PIN_MIN_DIGITS = 6;
export const WEAK_ADMIN_PIN_MIN_DIGITS = 4;
/** Typed on a touch keypad; the same upper bound as every PIN in the contract. */
export const ADMIN_PIN_MAX_DIGITS = 12;

/** Codes the renderer translates (renderer/i18n: admin.pinProblem.*), never raw messages. */
export type NewPinProblem = 'PIN_NOT_DIGITS' | 'PIN_TOO_SHORT' | 'PIN_TOO_LONG';

export function adminPinMinDigits(allowWeakFourDigits: boolean): number {
  return allowWeakFourDigits ? WEAK_ADMIN_PIN_MIN_DIGITS : ADMIN_PIN_MIN_DIGITS;
}

/** Why `pin` cannot be the new admin PIN, or null when it can. */
export function checkNewAdminPin(
  pin: string,
  minDigits: number,
): { code: NewPinProblem; message: string } | null {
  if (!/^[0-9]*$/.test(pin)) return { code: 'PIN_NOT_DIGITS', message: 'The PIN is digits only.' };
  if (pin.length < minDigits)
    return { code: 'PIN_TOO_SHORT', message: `The PIN needs at least ${minDigits} digits.` };
  if (pin.length > ADMIN_PIN_MAX_DIGITS)
    return { code: 'PIN_TOO_LONG', message: `The PIN has at most ${ADMIN_PIN_MAX_DIGITS} digits.` };
  return null;
}

/** What decides whether the screen may choose the first PIN. */
export interface FirstPinFacts {
  pinSet: boolean;
  /** null when the store could not be opened: then nobody can prove it is empty. */
  enrolledPeople: number | null;
  auditRecords: number;
  /**
   * The folder has a fleet configuration (`tobira fleet join`): its people live in the fleet's
   * replica, so the local store and log are empty however much the door is in use (issue 17).
   */
  fleetJoined: boolean;
}

/**
 * Issue 9, way in #3: a missing PIN file is first launch only on a kiosk that has
 * never been used, i.e. nobody enrolled and nothing logged. Anywhere else (the file
 * was lost, or --store-dir points elsewhere) the PIN is set on the PC itself with
 * `tobira admin set-pin`, where the person already has the OS account. A fleet door never
 * offers it: `tobira fleet join` sets its PIN.
 */
export function firstPinAllowed(facts: FirstPinFacts): boolean {
  return !facts.pinSet && !facts.fleetJoined && facts.enrolledPeople === 0 && facts.auditRecords === 0;
}

export const PIN_ON_PC_MESSAGE =
  'This kiosk is already in use, so its admin PIN is set on the PC: run `tobira admin set-pin --data-dir DIR`.';
