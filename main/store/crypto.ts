// AES-256-GCM sealing used for the store, its data-key wrapping in Node, and backups.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12; // 96-bit nonce: GCM's recommended size (NIST SP 800-38D 8.2)
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** Returns iv | tag | ciphertext. `aad` binds the blob to its purpose so blobs cannot be swapped. */
export function seal(key: Buffer, plaintext: Uint8Array, aad: string): Buffer {
  if (key.length !== KEY_BYTES) throw new Error(`seal: key must be ${KEY_BYTES} bytes, got ${key.length}`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Inverse of `seal`; returns null when authentication fails (wrong key, wrong aad, or tampered bytes). */
export function unseal(key: Buffer, blob: Uint8Array, aad: string): Buffer | null {
  if (key.length !== KEY_BYTES || blob.length < IV_BYTES + TAG_BYTES) return null;
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}
