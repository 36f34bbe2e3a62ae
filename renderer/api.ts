// The renderer's only way to main: `window.tobira`, typed by the contract.
import type { TobiraApi } from '../preload/contract/index.js';
import type { Outcome } from '../preload/contract/define.js';

declare global {
  interface Window {
    tobira: TobiraApi;
  }
}

export const api = (): TobiraApi => window.tobira;

/** Unwraps an outcome, throwing expected failures as errors with their code. */
export async function call<T>(pending: Promise<Outcome<T>>): Promise<T> {
  const outcome = await pending;
  if (outcome.ok) return outcome.value;
  throw Object.assign(new Error(outcome.message), { code: outcome.code });
}
