import type { SerializedError } from '../../preload/contract/define.js';

/** An expected failure: it reaches the renderer as `{ ok: false, code, message }`. */
export class ExpectedError extends Error {
  override readonly name = 'ExpectedError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
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
