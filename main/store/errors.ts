// Store failures the admin screen and CLI can tell apart. The message always
// names the file or field that was wrong.

export type StoreErrorCode =
  | 'corrupt' // not JSON, fails the schema, or ciphertext failed authentication
  | 'truncated'
  | 'wrong_key' // the data key could not be unwrapped
  | 'unsupported_version'
  | 'wrong_key_wrapper' // sealed by another kind of wrapper (e.g. safe-storage vs key-file)
  | 'insecure_key_storage' // the OS keeps the key in plain text and the admin has not opted in
  | 'insecure_key_file' // the key file is readable by group or others
  | 'invalid_input'
  | 'not_found'
  | 'wrong_passphrase';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
