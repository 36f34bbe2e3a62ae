import type { AppServices } from '../../services.js';
import type { Kiosk } from '../../kiosk/kiosk.js';
import type { EnrollmentStore } from '../../store/enrollment-store.js';
import { ExpectedError } from '../errors.js';
import type { HandlerTable } from '../gate.js';

export type HandlersFor<C> = Pick<HandlerTable, keyof C & keyof HandlerTable>;

export function requireStore(services: AppServices): EnrollmentStore {
  if (!services.store) {
    throw new ExpectedError(
      'STORE_UNAVAILABLE',
      `The enrollment store could not be opened: ${services.storeProblem}`,
    );
  }
  return services.store;
}

export function requireKiosk(services: AppServices): Kiosk {
  const kiosk = services.kiosk;
  if (!kiosk) throw new ExpectedError('NO_MODELS', 'No face models are loaded: install a model pack first.');
  return kiosk;
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
