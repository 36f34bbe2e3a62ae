// Admin keys (issue 17): the fleet's authority lives in Ed25519 keys on admins' PCs, not in any
// door. Every change to people, templates, groups and admin keys carries a signed envelope, and
// each door verifies it before applying it (verify.ts). Ed25519 and scrypt come from node:crypto;
// nothing here is hand-written cryptography.
//
// The key file holds the public key in clear and, sealed with a passphrase through scrypt and
// AES-256-GCM (store/crypto.ts's seal), the private key and the fleet's writer login. Design
// choice: `fleet init` makes one writer login for the fleet whose password exists only inside
// admin key files, so a door PC holds no write credential except while an admin has brought a key
// to its screen (kept in memory, never written to the door). A door's own login reads the change
// feed and appends audit in its own name, nothing else (migration 4).
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scrypt,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { seal, unseal } from '../store/crypto.js';
import { describeIssues } from '../store/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { EntityKind } from './entities.js';
import { FleetError } from './errors.js';
import { uuidText } from './replica-codec.js';

/**
 * scrypt N = 2^17, r = 8, p = 1: OWASP's password storage cheat sheet's scrypt minimum. An admin
 * opens the key once per session, so its ~0.3 s is paid once; a stolen key file costs a guesser
 * as much per try. The parameters travel with the file.
 */
const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** A passphrase shorter than this is refused when a key is made. */
export const MIN_PASSPHRASE = 10;

const FILE_FORMAT = 'tobira-admin-key';

const writerSchema = z.object({ user: z.string().min(1), password: z.string().min(1) });
/** The fleet's writer login (see the header): only admin key files carry it. */
export type WriterLogin = z.infer<typeof writerSchema>;

const secretsSchema = z.object({ privateKey: z.base64(), writer: writerSchema });

/** A UUID's shape (8-4-4-4-12 hex), whatever its version bits: key ids are hashes written as UUIDs. */
const uuidShape = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

const keyFileSchema = z.object({
  format: z.literal(FILE_FORMAT),
  version: z.literal(1),
  fleet: z.uuid(),
  name: z.string().min(1).max(100),
  keyId: uuidShape,
  publicKey: z.base64url(),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z.number().int(),
    r: z.number().int(),
    p: z.number().int(),
    salt: z.base64(),
  }),
  sealed: z.base64(),
});

/** The raw 32-byte Ed25519 public key of a KeyObject. */
function rawPublicKey(key: KeyObject): Buffer {
  const x = key.export({ format: 'jwk' }).x;
  if (!x) throw new Error('not an Ed25519 key');
  return Buffer.from(x, 'base64url');
}

/** An Ed25519 public key from its raw 32 bytes (base64url), as key files, tokens and admin rows carry it. */
export function publicKeyFrom(raw: string): KeyObject {
  const bytes = Buffer.from(raw, 'base64url');
  if (bytes.length !== 32) throw new FleetError('wrong_key', 'an admin public key must be 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
}

/** A key's id: the first 16 bytes of SHA-256 over its raw public key, written as a UUID (the admin row's id). */
export function keyIdOf(rawBase64url: string): string {
  return uuidText(
    createHash('sha256').update(Buffer.from(rawBase64url, 'base64url')).digest().subarray(0, 16),
  );
}

/** What a signature covers: the change as the door will apply it. */
export interface Envelope {
  fleet: string;
  kind: EntityKind;
  id: string;
  parent: string | null;
  /** Per entity: 1 for its first change, one more for each change after. */
  revision: number;
  /** The sealed bytes (null: a deletion), hashed into the signed text. */
  sealed: Buffer | null;
  /** The signing admin key's id. */
  signer: string;
}

/**
 * The canonical encoding that is signed: a JSON array in a fixed order of strings, numbers and
 * nulls only (one way to write each), the sealed bytes as their SHA-256 (null for a deletion).
 */
export function canonical(e: Envelope | (Omit<Envelope, 'sealed'> & { digest: Buffer | null })): Buffer {
  const hash = 'digest' in e ? e.digest : e.sealed && createHash('sha256').update(e.sealed).digest();
  const digest = hash ? hash.toString('hex') : null;
  const fields = ['tobira-fleet-change/v1', e.fleet, e.kind, e.id, e.parent, e.revision, digest, e.signer];
  return Buffer.from(JSON.stringify(fields), 'utf8');
}

export function verifyEnvelope(
  e: Parameters<typeof canonical>[0],
  signature: Uint8Array,
  key: KeyObject,
): boolean {
  if (signature.length !== 64) return false;
  return verify(null, canonical(e), key, signature);
}

/** SHA-256 of a change's canonical envelope: what a manifest lists for each of its rows. */
export function envelopeDigest(e: Parameters<typeof canonical>[0]): Buffer {
  return createHash('sha256').update(canonical(e)).digest();
}

/** Bytes of one manifest entry (a SHA-256). */
export const DIGEST_BYTES = 32;

/**
 * A signed batch (migration 6): one signature over the digests of many changes' envelopes, in
 * order. A row signed this way names its manifest and its position in it; a door checks the
 * manifest's signature once and each row's envelope digest against its entry.
 */
export interface Manifest {
  fleet: string;
  id: string;
  /** The signing admin key's id; every row of the manifest is signed by it. */
  signer: string;
  /** The rows' envelope digests, DIGEST_BYTES each, concatenated in position order. */
  digests: Buffer;
}

/**
 * What a manifest's signature covers: a JSON array of strings and numbers in a fixed order, the
 * digest list as its SHA-256 (Ed25519 would hash a 320 KB list anyway; this keeps the text short).
 */
export function manifestText(m: Manifest): Buffer {
  if (m.digests.length === 0 || m.digests.length % DIGEST_BYTES !== 0)
    throw new Error(`a manifest's digests must be a non-empty multiple of ${DIGEST_BYTES} bytes`);
  const list = createHash('sha256').update(m.digests).digest('hex');
  const fields = ['tobira-fleet-manifest/v1', m.fleet, m.id, m.signer, m.digests.length / DIGEST_BYTES, list];
  return Buffer.from(JSON.stringify(fields), 'utf8');
}

export function verifyManifest(m: Manifest, signature: Uint8Array, key: KeyObject): boolean {
  if (signature.length !== 64 || m.digests.length === 0 || m.digests.length % DIGEST_BYTES !== 0)
    return false;
  return verify(null, manifestText(m), key, signature);
}

/** An admin key opened with its passphrase: it signs changes and knows the fleet's writer login. */
export class AdminKey {
  private constructor(
    readonly fleet: string,
    readonly name: string,
    readonly keyId: string,
    /** Raw public key, base64url. */
    readonly publicKey: string,
    private readonly privateKey: KeyObject,
    readonly writer: WriterLogin,
  ) {}

  /** A new key pair for `fleet` (not yet trusted by any door: the first is bound to join tokens, others are added as admin rows). */
  static generate(fleet: string, name: string, writer: WriterLogin): AdminKey {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = rawPublicKey(publicKey).toString('base64url');
    return new AdminKey(fleet, validateAdminName(name), keyIdOf(raw), raw, privateKey, writer);
  }

  /** Reads and opens a key file; a wrong passphrase or an altered file says so. */
  static async open(file: string, passphrase: string): Promise<AdminKey> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new FleetError(
        'invalid_input',
        `admin key ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    return AdminKey.fromText(text, passphrase, file);
  }

  static async fromText(text: string, passphrase: string, where = 'admin key'): Promise<AdminKey> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FleetError('invalid_input', `${where} is not an admin key file (not JSON)`);
    }
    const parsed = keyFileSchema.safeParse(json);
    if (!parsed.success)
      throw new FleetError(
        'invalid_input',
        `${where} is not an admin key file: ${describeIssues(parsed.error)}`,
      );
    const f = parsed.data;
    if (keyIdOf(f.publicKey) !== f.keyId)
      throw new FleetError('wrong_key', `${where}: its key id does not match its public key (altered)`);
    const kek = await derive(passphrase, Buffer.from(f.kdf.salt, 'base64'), f.kdf);
    const plain = unseal(kek, Buffer.from(f.sealed, 'base64'), sealAad(f.fleet, f.keyId));
    if (!plain) throw new FleetError('wrong_key', `${where}: wrong passphrase (or the file was altered)`);
    const secrets = secretsSchema.parse(JSON.parse(plain.toString('utf8')));
    const privateKey = createPrivateKey({
      key: Buffer.from(secrets.privateKey, 'base64'),
      format: 'der',
      type: 'pkcs8',
    });
    if (rawPublicKey(createPublicKey(privateKey)).toString('base64url') !== f.publicKey)
      throw new FleetError('wrong_key', `${where}: its private key is not its public key's`);
    return new AdminKey(f.fleet, f.name, f.keyId, f.publicKey, privateKey, secrets.writer);
  }

  /** Writes the key file (mode 0600), its secrets sealed with `passphrase`. Refuses an existing file. */
  async save(file: string, passphrase: string): Promise<void> {
    if (existsSync(file))
      throw new FleetError('invalid_input', `${file} exists already: an admin key is never overwritten`);
    await writeFileAtomic(file, await this.toText(passphrase), { mode: 0o600 });
  }

  async toText(passphrase: string): Promise<string> {
    if (passphrase.length < MIN_PASSPHRASE)
      throw new FleetError(
        'invalid_input',
        `an admin key's passphrase needs at least ${MIN_PASSPHRASE} characters`,
      );
    const salt = randomBytes(16);
    const kek = await derive(passphrase, salt, SCRYPT);
    const secrets = {
      privateKey: this.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      writer: this.writer,
    };
    const file = {
      format: FILE_FORMAT,
      version: 1,
      fleet: this.fleet,
      name: this.name,
      keyId: this.keyId,
      publicKey: this.publicKey,
      kdf: { name: 'scrypt', ...SCRYPT, salt: salt.toString('base64') },
      sealed: seal(
        kek,
        Buffer.from(JSON.stringify(secrets), 'utf8'),
        sealAad(this.fleet, this.keyId),
      ).toString('base64'),
    };
    return JSON.stringify(file, null, 2) + '\n';
  }

  /**
   * Signs many changes at once: a manifest `id` listing their envelope digests in order (each
   * envelope's signer is this key). Returns the manifest and its signature.
   */
  signManifest(
    id: string,
    changes: readonly Omit<Envelope, 'signer' | 'fleet'>[],
  ): { manifest: Manifest; signature: Buffer } {
    const digests = Buffer.allocUnsafe(changes.length * DIGEST_BYTES);
    changes.forEach((c, i) =>
      envelopeDigest({ ...c, fleet: this.fleet, signer: this.keyId }).copy(digests, i * DIGEST_BYTES),
    );
    const manifest: Manifest = { fleet: this.fleet, id, signer: this.keyId, digests };
    return { manifest, signature: sign(null, manifestText(manifest), this.privateKey) };
  }

  /** Signs one change; the envelope's signer is this key. */
  sign(change: Omit<Envelope, 'signer' | 'fleet'>): { signer: string; signature: Buffer } {
    const envelope: Envelope = { ...change, fleet: this.fleet, signer: this.keyId };
    return { signer: this.keyId, signature: sign(null, canonical(envelope), this.privateKey) };
  }
}

export function validateAdminName(name: string): string {
  const clean = name.trim();
  if (clean.length < 1 || clean.length > 100)
    throw new FleetError('invalid_input', `admin name '${name}': use 1 to 100 characters`);
  return clean;
}

const sealAad = (fleet: string, keyId: string) => `tobira-admin-key/v1/${fleet}/${keyId}`;

function derive(
  passphrase: string,
  salt: Buffer,
  cost: { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    // maxmem: scrypt needs 128*N*r bytes; leave headroom over Node's 32 MiB default.
    scrypt(passphrase.normalize('NFC'), salt, 32, { ...cost, maxmem: 256 * cost.N * cost.r }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}
