// Door secrets (a URL's password, header values, the HMAC key) never sit in plain
// settings.json and never go back to the renderer: settings.json and getSettings
// hold REDACTED in their place, the values live sealed with the store's key in
// door-secrets.sealed, and a save that sends REDACTED back keeps the old value.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { REDACTED, type Settings } from '../../preload/contract/settings.js';

type Door = Settings['door'];

export const SECRETS_FILE = 'door-secrets.sealed';

const secretsSchema = z
  .object({
    urlPassword: z.string(),
    headers: z.record(z.string(), z.string()),
    hmacKey: z.string(),
  })
  .strict();
export type DoorSecrets = z.infer<typeof secretsSchema>;

export const NO_SECRETS: DoorSecrets = { urlPassword: '', headers: {}, hmacKey: '' };

/** Replaces a URL's password (if any) without touching the rest of it. */
function withPassword(url: string, password: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = password;
    return parsed.href;
  } catch {
    return url; // not a URL yet: the schema reports it
  }
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

/** What the renderer and settings.json see. */
export function redactDoor(door: Door): Door {
  if (door.kind !== 'http') return door;
  return {
    ...door,
    url: withPassword(door.url, REDACTED),
    headers: Object.fromEntries(Object.keys(door.headers).map((name) => [name, REDACTED])),
    hmacKey: REDACTED,
  };
}

export function secretsOf(door: Door): DoorSecrets {
  if (door.kind !== 'http') return NO_SECRETS;
  return { urlPassword: passwordOf(door.url), headers: { ...door.headers }, hmacKey: door.hmacKey };
}

/** The door with its secrets filled in from `secrets` wherever it holds REDACTED. */
export function fillSecrets(door: Door, secrets: DoorSecrets): Door {
  if (door.kind !== 'http') return door;
  const headerSecret = (name: string, value: string): string => {
    if (value !== REDACTED) return value;
    const match = Object.entries(secrets.headers).find(([n]) => n.toLowerCase() === name.toLowerCase());
    return match ? match[1] : REDACTED;
  };
  return {
    ...door,
    url:
      passwordOf(door.url) === REDACTED && secrets.urlPassword
        ? withPassword(door.url, secrets.urlPassword)
        : door.url,
    headers: Object.fromEntries(Object.entries(door.headers).map(([n, v]) => [n, headerSecret(n, v)])),
    hmacKey: door.hmacKey === REDACTED && secrets.hmacKey ? secrets.hmacKey : door.hmacKey,
  };
}

/** True when some secret is still a placeholder: the saved door had no such secret. */
export function hasPlaceholder(door: Door): boolean {
  const s = secretsOf(door);
  return s.hmacKey === REDACTED || s.urlPassword === REDACTED || Object.values(s.headers).includes(REDACTED);
}

export interface Sealer {
  seal(bytes: Uint8Array): Uint8Array;
  /** null when the blob does not open (wrong key, tampered). */
  unseal(blob: Uint8Array): Uint8Array | null;
}

/** door-secrets.sealed, read and written synchronously like the settings file itself. */
export class SecretVault {
  constructor(
    readonly dir: string,
    private readonly sealer: Sealer,
  ) {}

  get file(): string {
    return path.join(this.dir, SECRETS_FILE);
  }

  /** The stored secrets; none when the file is missing. A file that does not open is an error. */
  read(): DoorSecrets {
    let blob: Buffer;
    try {
      blob = readFileSync(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return NO_SECRETS;
      throw error;
    }
    const plain = this.sealer.unseal(blob);
    if (!plain) throw new Error(`${this.file} does not open with the store's key`);
    const parsed = secretsSchema.safeParse(JSON.parse(Buffer.from(plain).toString('utf8')));
    if (!parsed.success) throw new Error(`${this.file} holds no door secrets`);
    return parsed.data;
  }

  write(secrets: DoorSecrets): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, this.sealer.seal(Buffer.from(JSON.stringify(secrets), 'utf8')), { mode: 0o600 });
      renameSync(temp, this.file);
    } finally {
      rmSync(temp, { force: true });
    }
  }
}
