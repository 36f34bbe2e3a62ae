// Asks for the admin PIN once more, over whatever screen is showing: for the changes that
// main makes only with the PIN typed again (PIN_REQUIRED), however long the session has left.
import type { Outcome } from '../../../preload/contract/define.js';
import { t } from '../../i18n/index.js';
import './pin-pad.js';

/**
 * The PIN confirm dialog: the keypad over whatever screen is showing, for a change main makes
 * only with the admin PIN typed again (the contract's 'pin-again' channels: joining a fleet,
 * starting an enrollment, group edits). Sends with the PIN typed; a wrong one is said on the pad,
 * which stays for another try. Cancelled: main's PIN_REQUIRED answer, nothing sent.
 */
export function confirmWithPin<T>(
  prompt: string,
  send: (pin: string) => Promise<Outcome<T>>,
  cancelled: Outcome<T> = { ok: false, code: 'PIN_REQUIRED', message: t('admin.pinAgainPrompt') },
): Promise<Outcome<T>> {
  const pad = document.createElement('pin-pad');
  pad.prompt = prompt;
  document.body.append(pad);
  return new Promise((resolve) => {
    const done = (outcome: Outcome<T>) => {
      pad.remove();
      resolve(outcome);
    };
    pad.addEventListener('pin-submit', (e) => {
      pad.busy = true;
      pad.error = null;
      void send(e.detail.pin).then((outcome) => {
        pad.busy = false;
        if (!outcome.ok && outcome.code === 'WRONG_PIN') pad.error = pinErrorText(outcome, 0);
        else done(outcome);
      });
    });
    pad.addEventListener('pin-cancel', () => done(cancelled), { once: true });
  });
}

/**
 * Sends once without a PIN; when main answers PIN_REQUIRED (a setting that decides who gets in
 * changed), asks for it and sends again with it. A cancelled prompt returns that answer unchanged.
 */
export async function withPinAgain<T>(send: (pin?: string) => Promise<Outcome<T>>): Promise<Outcome<T>> {
  const first = await send();
  if (first.ok || first.code !== 'PIN_REQUIRED') return first;
  return confirmWithPin(t('admin.pinAgainPrompt'), send, first);
}

/** A sentence for a PIN that main refused, by its code: never the raw `channel: field: …` text. */
export function pinErrorText(error: unknown, minDigits: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'WRONG_PIN':
      return t('admin.pinWrong');
    case 'PIN_TOO_SHORT':
      return t('admin.pinTooShort', { min: minDigits });
    case 'PIN_TOO_LONG':
      return t('admin.pinTooLong');
    case 'PIN_NOT_DIGITS':
      return t('admin.pinNotDigits');
    case 'LOCKED_OUT':
      return t('admin.pinLocked');
    case 'ADMIN_PIN_ON_PC':
      return t('admin.pinOnPc');
    case 'PIN_REQUIRED':
      return t('admin.pinAgainPrompt');
    default:
      return t('admin.pinUnknownProblem');
  }
}
