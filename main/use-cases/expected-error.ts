// A use case's expected failure, with a stable code the screen words (renderer/i18n: error.CODE).
// The gate's one mapping (ipc/errors.ts) passes it to the renderer as `{ ok: false, code, message }`.
import type { AuditLine } from '../audit/types.js';

/** An expected failure: it reaches the renderer as `{ ok: false, code, message }`. */
export class ExpectedError extends Error {
  override readonly name = 'ExpectedError';
  constructor(
    readonly code: string,
    message: string,
    /** On an audited channel (the contract says which), the refused attempt's line, written as failed. */
    readonly audit: AuditLine | null = null,
  ) {
    super(message);
  }
}
