// Passphrase-sealed backup of the whole store: scrypt derives the key, AES-256-GCM seals the payload.
import { randomBytes, scrypt } from 'node:crypto';
import { z } from 'zod';
import { seal, unseal } from './crypto.js';
import { StoreError } from './errors.js';
import { parseJson } from './parse-json.js';
import { describeIssues, payloadSchema } from './schema.js';
import type { Payload } from './schema.js';

const BACKUP_FORMAT = 'tobira-backup';
const BACKUP_VERSION = 1;
const AAD = `${BACKUP_FORMAT}/v${BACKUP_VERSION}`;
/** 2^17, 8, 1: OWASP's recommended scrypt minimum for passwords; ~0.3 s once per export/import. */
const COST = { N: 2 ** 17, r: 8, p: 1 };
export const MIN_PASSPHRASE_LENGTH = 8;

const backupSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z
      .number()
      .int()
      .min(2 ** 14)
      .max(2 ** 20),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    salt: z.base64(),
  }),
  data: z.base64(),
});

function deriveKey(passphrase: string, salt: Buffer, cost: typeof COST): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase, salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function exportPayload(payload: Payload, passphrase: string): Promise<Buffer> {
  if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new StoreError(
      'invalid_input',
      `backup passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`,
    );
  }
  const salt = randomBytes(16);
  const key = await deriveKey(passphrase, salt, COST);
  const data = seal(key, Buffer.from(JSON.stringify(payload), 'utf8'), AAD);
  const backup = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    kdf: { name: 'scrypt', ...COST, salt: salt.toString('base64') },
    data: data.toString('base64'),
  };
  return Buffer.from(JSON.stringify(backup) + '\n', 'utf8');
}

export async function importPayload(backup: Uint8Array, passphrase: string): Promise<Payload> {
  const json = parseJson(Buffer.from(backup).toString('utf8'), 'backup');
  const parsed = backupSchema.safeParse(json);
  if (!parsed.success) {
    throw new StoreError('corrupt', `backup: not a Tobira backup (${describeIssues(parsed.error)})`);
  }
  const { kdf, data } = parsed.data;
  const key = await deriveKey(passphrase, Buffer.from(kdf.salt, 'base64'), kdf);
  const plain = unseal(key, Buffer.from(data, 'base64'), AAD);
  if (!plain) throw new StoreError('wrong_passphrase', 'backup: wrong passphrase, or the file was altered');
  const payload = payloadSchema.safeParse(parseJson(plain.toString('utf8'), 'backup payload'));
  if (!payload.success) {
    throw new StoreError('corrupt', `backup payload is invalid (${describeIssues(payload.error)})`);
  }
  return payload.data;
}
