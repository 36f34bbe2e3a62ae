// PIN hashing with scrypt (node:crypto). The parameters travel with the hash so
// they can be raised later without invalidating stored PINs.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const pinHashSchema = z.object({
  algo: z.literal('scrypt'),
  N: z.number().int().min(2),
  r: z.number().int().min(1),
  p: z.number().int().min(1),
  salt: z.base64(),
  hash: z.base64(),
});
export type PinHash = z.infer<typeof pinHashSchema>;

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
/** 2^15, 8, 1: OWASP's scrypt minimum is 2^17 for passwords; a rate-limited kiosk PIN at ~60 ms per try is the trade-off. */
export const ADMIN_PIN_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };
/** Lower cost for per-person PINs: a 1:1 claim checks every person's hash, inside the already-encrypted store. */
export const PERSON_PIN_COST: ScryptCost = { N: 2 ** 12, r: 8, p: 1 };

const KEY_LEN = 32;

/** Digits only, as typed on the kiosk's keypad. */
export function validatePin(pin: unknown): string | null {
  if (typeof pin !== 'string') return 'PIN must be a string';
  if (!/^[0-9]{4,12}$/.test(pin)) return 'PIN must be 4 to 12 digits';
  return null;
}

function derive(pin: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128*N*r bytes; leave headroom over Node's 32 MiB default.
    scrypt(pin, salt, KEY_LEN, { ...cost, maxmem: 256 * cost.N * cost.r }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPin(pin: string, cost: ScryptCost = ADMIN_PIN_COST): Promise<PinHash> {
  const problem = validatePin(pin);
  if (problem) throw new Error(problem);
  const salt = randomBytes(16);
  const hash = await derive(pin, salt, cost);
  return { algo: 'scrypt', ...cost, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

export async function verifyPinHash(pin: string, stored: PinHash): Promise<boolean> {
  if (validatePin(pin)) return false;
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await derive(pin, Buffer.from(stored.salt, 'base64'), stored);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
