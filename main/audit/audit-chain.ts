// The audit log's tamper evidence. Each line names the SHA-256 of the line before
// (`prev`) and its number (`seq`), and ends with an HMAC-SHA256 of itself (`mac`)
// keyed from the enrollment store (EnrollmentStore.deriveKey). Editing a line
// breaks its MAC; removing or reordering lines breaks the next line's `prev` and
// `seq`; rewriting the whole chain needs the key, which only the store holds.
//
// Each line is also signed (Ed25519, Node's crypto) with a key derived from the store, so that
// anyone holding the public key (kept beside the log as audit-signing-key.pub.pem, and exported
// with it) checks every line without the secret: an edited and re-linked log then fails even
// where the MAC key is out of reach (the kiosk keeps it in the OS keychain).
//
// What it cannot show: lines cut off the end (nothing follows them) and the oldest
// files dropped by rotation. Shipping the log off the PC (fleet mode) covers those.
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { ChainFields } from './types.js';

export const CHAIN_KEY_PURPOSE = 'audit-chain';
/** The `prev` of the very first line ever written. */
export const GENESIS = '0'.repeat(64);

export const hashLine = (line: string): string => createHash('sha256').update(line, 'utf8').digest('hex');

const macOf = (key: Buffer, body: string): string =>
  createHmac('sha256', key).update(body, 'utf8').digest('hex');

export const SIGN_KEY_PURPOSE = 'audit-sign';
/** The signing key's public half, beside the log. */
export const PUBLIC_KEY_FILE = 'audit-signing-key.pub.pem';

/**
 * The Ed25519 signing key from a 32-byte seed (EnrollmentStore.deriveKey(SIGN_KEY_PURPOSE)), so
 * it is as safe as the store's key and never stored apart. RFC 8410's PKCS#8 form: a fixed
 * 16-byte header, then the seed.
 */
export function signingKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error(`an Ed25519 seed is 32 bytes, not ${seed.length}`);
  const header = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([header, seed]), format: 'der', type: 'pkcs8' });
}

export const publicKeyPem = (signingKey: KeyObject): string =>
  createPublicKey(signingKey).export({ format: 'pem', type: 'spki' }).toString();

/** A public key read from a PEM file; a clear error for anything but an Ed25519 public key. */
export function readPublicKey(pem: string, from: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new Error(`${from}: not a public key (${error instanceof Error ? error.message : String(error)})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${from}: not an Ed25519 key`);
  return key;
}

/**
 * One chained line (no newline): the record with seq and prev, then its MAC and, with a signing
 * key, its signature, as the last fields. Both cover the record with seq and prev.
 */
export function chainLine(
  record: object,
  seq: number,
  prev: string,
  key: Buffer | null,
  signingKey: KeyObject | null = null,
): string {
  const body = JSON.stringify({ ...record, seq, prev });
  const mac = key ? macOf(key, body) : null;
  const sig = signingKey
    ? `,"sig":"${sign(null, Buffer.from(body, 'utf8'), signingKey).toString('base64')}"`
    : '';
  return `${body.slice(0, -1)},"mac":${JSON.stringify(mac)}${sig}}`;
}

const MAC_TAIL = /,"mac":(null|"[0-9a-f]{64}")(?:,"sig":"([A-Za-z0-9+/]{86}==)")?\}$/;

export type ParsedLine =
  /**
   * Not JSON: the start of a line a crash cut short. No strict prefix of a JSON object is JSON
   * (the object closes only at its last byte), so a line that parses was never half-written.
   */
  | { kind: 'torn' }
  /** JSON, but not a record with whole chain fields: written by hand (inserted or edited). */
  | { kind: 'malformed'; why: string }
  | { kind: 'legacy'; record: Record<string, unknown> }
  | { kind: 'chained'; record: Record<string, unknown>; chain: ChainFields; body: string };

export function parseLine(line: string): ParsedLine {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return { kind: 'torn' };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { kind: 'malformed', why: 'not an audit record' };
  }
  const r = record as Record<string, unknown>;
  if (!('mac' in r) && !('prev' in r) && !('seq' in r)) return { kind: 'legacy', record: r };
  const tail = MAC_TAIL.exec(line);
  const chain = { seq: r.seq, prev: r.prev, mac: r.mac, sig: tail?.[2] ?? null };
  if (
    !tail ||
    typeof chain.seq !== 'number' ||
    typeof chain.prev !== 'string' ||
    !(chain.mac === null || typeof chain.mac === 'string')
  ) {
    return { kind: 'malformed', why: 'its chain fields (seq, prev, mac last) are not whole' };
  }
  return { kind: 'chained', record: r, chain: chain as ChainFields, body: `${line.slice(0, tail.index)}}` };
}

/** Whether a parsed line is a record the log can show (chained, or from before the chain). */
export const isRecordLine = (
  parsed: ParsedLine,
): parsed is Extract<ParsedLine, { kind: 'legacy' | 'chained' }> =>
  parsed.kind === 'legacy' || parsed.kind === 'chained';

export function signatureMatches(
  publicKey: KeyObject,
  parsed: Extract<ParsedLine, { kind: 'chained' }>,
): boolean {
  return (
    parsed.chain.sig !== null &&
    verify(null, Buffer.from(parsed.body, 'utf8'), publicKey, Buffer.from(parsed.chain.sig, 'base64'))
  );
}

export function macMatches(key: Buffer, parsed: Extract<ParsedLine, { kind: 'chained' }>): boolean {
  return parsed.chain.mac !== null && parsed.chain.mac === macOf(key, parsed.body);
}
