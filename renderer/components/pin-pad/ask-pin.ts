// Asks for the admin PIN once more, over whatever screen is showing: for the
// settings that main changes only with the PIN typed again (PIN_REQUIRED).
import type { Outcome } from '../../../preload/contract/define.js';
import { t } from '../../i18n/index.js';
import './pin-pad.js';

/** The PIN typed, or null when cancelled. */
export function askPin(prompt: string): Promise<string | null> {
  const pad = document.createElement('pin-pad');
  pad.prompt = prompt;
  document.body.append(pad);
  return new Promise((resolve) => {
    const done = (pin: string | null) => {
      pad.remove();
      resolve(pin);
    };
    pad.addEventListener('pin-submit', (e) => done(e.detail.pin), { once: true });
    pad.addEventListener('pin-cancel', () => done(null), { once: true });
  });
}

/**
 * Sends once without a PIN; when main answers PIN_REQUIRED, asks for it and sends
 * again with it. A cancelled prompt returns the PIN_REQUIRED outcome unchanged.
 */
export async function withPinAgain<T>(send: (pin?: string) => Promise<Outcome<T>>): Promise<Outcome<T>> {
  const first = await send();
  if (first.ok || first.code !== 'PIN_REQUIRED') return first;
  const pin = await askPin(t('admin.pinAgainPrompt'));
  return pin === null ? first : send(pin);
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
