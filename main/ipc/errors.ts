import type { SerializedError } from '../../preload/contract/define.js';
import { ExpectedError } from '../use-cases/expected-error.js';
import { isPackError } from '../packs/errors.js';
import { PackLoadError } from '../insightface/face_analysis.js';
import { FleetError } from '../fleet/errors.js';
import { StoreError } from '../store/errors.js';
import { SettingsError } from '../settings/settings-service.js';

export { ExpectedError } from '../use-cases/expected-error.js';

/**
 * The one place where domain errors become expected failures (shown to the admin as they are):
 * the gate calls it for every error a handler throws. Pack errors keep their code; a pack the engine
 * cannot load (insightface's PackLoadError) is PACK_UNUSABLE; store errors
 * (duplicate PIN, unknown person, bad name) become STORE_<CODE>; settings refusals, INVALID_SETTINGS. Anything else is unexpected.
 */
export function expectedOf(error: unknown): ExpectedError | null {
  if (error instanceof ExpectedError) return error;
  if (isPackError(error)) return new ExpectedError(error.code, error.message);
  if (error instanceof PackLoadError) return new ExpectedError('PACK_UNUSABLE', error.message);
  if (error instanceof SettingsError) return new ExpectedError('INVALID_SETTINGS', error.message);
  if (error instanceof StoreError)
    return new ExpectedError(`STORE_${error.code.toUpperCase()}`, error.message);
  // Fleet failures name the problem (wrong URL, credentials, unreachable host, revoked token, …).
  if (error instanceof FleetError)
    return new ExpectedError(`FLEET_${error.code.toUpperCase()}`, error.message);
  return null;
}

/** Electron's `handle` keeps only `message`; keep name, code and cause too. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const out: SerializedError = { name: error.name, message: error.message };
    if (typeof code === 'string' || typeof code === 'number') out.code = String(code);
    if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
    return out;
  }
  return { name: 'NonError', message: String(error) };
}
