// One error type for everything the pack manager refuses, with a stable code the UI and CLI
// branch on, and a message that names the URL, file or checksum involved.

export type PackErrorCode =
  | 'NOT_FOUND'
  | 'BAD_CATALOG'
  | 'CHECKSUM_MISMATCH'
  | 'UNSAFE_ZIP'
  | 'BAD_ZIP'
  | 'TIMEOUT'
  | 'HTTP_404'
  | 'HTTP_ERROR'
  | 'DISK_FULL'
  | 'OFFLINE'
  | 'CANCELLED'
  | 'NO_DETECTOR'
  | 'CORRUPT_FILE'
  | 'MISSING_FILE'
  | 'LICENSE_NOT_ACKNOWLEDGED'
  | 'BAD_INPUT'
  | 'INTERRUPTED';

export class PackError extends Error {
  override readonly name = 'PackError';
  constructor(
    readonly code: PackErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** A plain object for IPC and `--json` output. */
  toJSON(): { code: PackErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isPackError(error: unknown, code?: PackErrorCode): error is PackError {
  return error instanceof PackError && (code === undefined || error.code === code);
}
