// Protects the store's random data key. In Electron the OS keychain does it
// (main/electron/safe-storage-key.ts); in Node a key file stands in.

export interface KeyWrapper {
  /** Stored next to the wrapped key, so a store is never opened with the wrong kind of wrapper. */
  readonly kind: string;
  /** True when the OS keeps the key effectively in plain text (Linux `basic_text`). */
  readonly insecure?: boolean;
  wrap(key: Buffer): Promise<Buffer>;
  unwrap(blob: Buffer): Promise<Buffer>;
}
