// Join tokens: what an admin hands to a new door. It carries the database role the door logs in
// with and the fleet data key, so it is a secret: anyone holding it can read the templates.
// It joins one named door once, before it expires; revoking it (tobira fleet token revoke) stops
// its role from logging in, and doors that joined with it keep their own logins.
import { z } from 'zod';
import { KEY_BYTES } from '../store/crypto.js';
import { FleetError } from './errors.js';

const PREFIX = 'tobira-join-1.';

const tokenSchema = z.object({
  fleet: z.uuid(),
  token: z.uuid(),
  secret: z.base64url(),
  key: z.base64url(),
  user: z.string().min(1),
  password: z.string().min(1),
  /**
   * The first admin's Ed25519 public key (raw, base64url): the door trusts changes it signs
   * (verify.ts). Optional only so a token made before admin keys is refused with a sentence.
   */
  admin: z.base64url().optional(),
  // Since migration 5 (issue 17): the one door it joins, and when it expires (ISO 8601). The
  // database enforces both; the door reads them to refuse early, before connecting.
  door: z.string().min(1).optional(),
  expires: z.iso.datetime().optional(),
});
export type JoinToken = z.infer<typeof tokenSchema>;

export function encodeToken(t: JoinToken): string {
  return PREFIX + Buffer.from(JSON.stringify(t), 'utf8').toString('base64url');
}

export function decodeToken(text: string): JoinToken & { keyBytes: Buffer; secretBytes: Buffer } {
  const bad = (why: string) => new FleetError('token_invalid', `the join token is not valid: ${why}`);
  if (!text.startsWith(PREFIX)) throw bad(`it should start with '${PREFIX}' (copy it whole from fleet init)`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw bad('it is cut or altered');
  }
  const parsed = tokenSchema.safeParse(json);
  if (!parsed.success) throw bad('it is cut or altered');
  const keyBytes = Buffer.from(parsed.data.key, 'base64url');
  if (keyBytes.length !== KEY_BYTES) throw bad('its key has the wrong length');
  return { ...parsed.data, keyBytes, secretBytes: Buffer.from(parsed.data.secret, 'base64url') };
}
