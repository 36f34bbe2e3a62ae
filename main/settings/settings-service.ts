// Settings in electron-store (Conf underneath, so plain Node tests use the very
// same code). A file that is corrupt or fails the schema is kept aside, replaced
// by defaults, and reported on screen.
import { chmodSync, copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type Conf from 'conf';
import type { Options } from 'conf';
import {
  DEFAULT_SETTINGS,
  SettingsPatchSchema,
  SettingsSchema,
  type Settings,
  type SettingsPatch,
} from '../../preload/contract/settings.js';
import type { SettingsNotice } from '../../preload/contract/app.js';
import {
  fillSecrets,
  hasPlaceholder,
  NO_SECRETS,
  redactDoor,
  secretsOf,
  type DoorSecrets,
  type SecretVault,
} from './door-secrets.js';
import { messageOf } from '../util/message-of.js';

export type SettingsFile = Conf<Settings>;
export type SettingsStoreFactory = (options: Options<Settings>) => SettingsFile;

const SETTINGS_NAME = 'settings';

/** electron-store checks files with JSON Schema (ajv); derive it from the zod schema so there is one truth. */
export const settingsJsonSchema = (() => {
  const schema = z.toJSONSchema(SettingsSchema, { target: 'draft-7', io: 'input' }) as {
    properties: Record<string, unknown>;
  };
  return schema.properties as Options<Settings>['schema'];
})();

/** A settings change that cannot be made (e.g. a secret without the store to seal it). */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export class SettingsService {
  private vault: SecretVault | null = null;
  private secrets: DoorSecrets = secretsOf(DEFAULT_SETTINGS.door);

  private constructor(
    private readonly file: SettingsFile,
    readonly notice: SettingsNotice | null,
  ) {}

  static open(dir: string, createStore: SettingsStoreFactory, now = () => new Date()): SettingsService {
    const options: Options<Settings> = {
      cwd: dir,
      configName: SETTINGS_NAME,
      defaults: DEFAULT_SETTINGS,
      schema: settingsJsonSchema,
      clearInvalidConfig: false,
      // Settings name the door; other users of the PC have no business reading them.
      configFileMode: 0o600,
    };
    const filePath = path.join(dir, `${SETTINGS_NAME}.json`);
    try {
      assertJsonObject(filePath);
      migrateFile(filePath);
      const legacy = migrateLegacyDoor(filePath, now);
      const file = createStore(options);
      // Conf validates against JSON Schema; zod is stricter (e.g. unknown door kinds), so check both.
      const checked = SettingsSchema.safeParse(file.store);
      if (checked.success) return new SettingsService(file, legacy);
      throw new Error(
        `schema: ${checked.error.issues[0]?.path.join('.')}: ${checked.error.issues[0]?.message}`,
      );
    } catch (error) {
      const stamp = now().toISOString().replace(/[:.]/g, '-');
      const backupPath = path.join(dir, `${SETTINGS_NAME}.corrupt-${stamp}.json`);
      if (existsSync(filePath)) renameSync(filePath, backupPath);
      const reason = messageOf(error);
      return new SettingsService(createStore(options), { reason, backupPath });
    }
  }

  /**
   * Door secrets are kept sealed by `vault` (the store's key) from now on. Secrets
   * still in plain settings.json (an older version, a hand edit) move into it.
   */
  attachVault(vault: SecretVault): void {
    this.secrets = vault.read();
    this.vault = vault;
    const stored = SettingsSchema.parse(this.file.store).door;
    if (stored.kind === 'http' && !hasPlaceholderOnly(stored)) {
      const merged = fillSecrets(stored, this.secrets);
      this.secrets = secretsOf(merged);
      vault.write(this.secrets);
      this.file.set('door', redactDoor(merged));
    }
  }

  /** The settings main works with: door secrets included. Never send this to a renderer. */
  get(): Settings {
    const stored = SettingsSchema.parse(this.file.store);
    return { ...stored, door: fillSecrets(stored.door, this.secrets) };
  }

  /** What a renderer may see: door secrets replaced by REDACTED. */
  getRedacted(): Settings {
    return redactSettings(this.get());
  }

  /**
   * Replaces whole top-level sections; the result is validated before it is written.
   * A door secret sent as REDACTED keeps the stored one.
   */
  update(patch: SettingsPatch): Settings {
    const parsed = SettingsPatchSchema.parse(patch);
    const current = this.get();
    let door = current.door;
    if (parsed.door) {
      // Secrets belong to the door's origin: pointed at another host, scheme or port, the door
      // takes none of the stored ones along (issue 17: the other host received them).
      const moved = current.door.kind === 'http' && !sameOrigin(current.door, parsed.door);
      door = fillSecrets(parsed.door, moved ? NO_SECRETS : secretsOf(current.door));
      if (hasPlaceholder(door)) {
        throw new SettingsError(
          moved
            ? 'door: it now points at another address, so the stored secrets (password, headers, HMAC key) stay behind; type them in again'
            : 'door: a secret was left as REDACTED, but no such secret is stored; type it in',
        );
      }
    }
    const next = SettingsSchema.parse({ ...current, ...parsed, door });
    const secrets = secretsOf(next.door);
    if (parsed.door && JSON.stringify(secrets) !== JSON.stringify(this.secrets)) {
      if (!this.vault) {
        throw new SettingsError(
          'door secrets are sealed with the enrollment store’s key, and the store could not be opened',
        );
      }
      this.vault.write(secrets);
      this.secrets = secrets;
    }
    this.file.store = { ...next, door: redactDoor(next.door) };
    return next;
  }

  get path(): string {
    return this.file.path;
  }
}

/**
 * Settings written before liveness levels had `liveness.challenge` (a head-turn switch); the
 * level replaces it: challenge on → high (its layers include the challenge), off → standard.
 */
export function migrateSettings(raw: Record<string, unknown>): Record<string, unknown> {
  const liveness = raw.liveness;
  if (typeof liveness !== 'object' || liveness === null || Array.isArray(liveness)) return raw;
  const { challenge, ...rest } = liveness as Record<string, unknown>;
  if (typeof challenge !== 'boolean' || 'level' in rest) return raw;
  return { ...raw, liveness: { ...rest, level: challenge ? 'high' : 'standard' } };
}

/** Rewrites an existing file in today's shape before Conf checks it against the schema. */
function migrateFile(file: string): void {
  if (!existsSync(file)) return;
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const migrated = migrateSettings(raw);
  if (migrated !== raw) writeFileSync(file, JSON.stringify(migrated, null, '\t'));
}

export function redactSettings(settings: Settings): Settings {
  return { ...settings, door: redactDoor(settings.door) };
}

/** True when every secret of the stored door is already a placeholder (nothing in plain text). */
/** Both HTTP doors at one origin (scheme, host and port); any other pair shares no secret. */
function sameOrigin(a: Settings['door'], b: Settings['door']): boolean {
  if (a.kind !== 'http' || b.kind !== 'http') return false;
  try {
    return new URL(a.url).origin === new URL(b.url).origin;
  } catch {
    return false;
  }
}

function hasPlaceholderOnly(door: Settings['door']): boolean {
  return JSON.stringify(secretsOf(redactDoor(door))) === JSON.stringify(secretsOf(door));
}

/**
 * Door settings from before doors.json and signed HTTP (a command with its own
 * program and args, an HTTP door without an HMAC key) cannot be kept: they are
 * set to "none", the old file is kept beside it, and the screen says so.
 */
function migrateLegacyDoor(file: string, now: () => Date): SettingsNotice | null {
  if (!existsSync(file)) return null;
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const door = raw.door as Record<string, unknown> | undefined;
  const legacy =
    door &&
    ((door.kind === 'command' && 'program' in door) || (door.kind === 'http' && !('hmacKey' in door)));
  if (!legacy) return null;
  const stamp = now().toISOString().replace(/[:.]/g, '-');
  const backupPath = path.join(path.dirname(file), `${SETTINGS_NAME}.legacy-door-${stamp}.json`);
  copyFileSync(file, backupPath);
  chmodSync(backupPath, 0o600); // it may hold an old door's secrets
  const holdMs = typeof door.holdMs === 'number' ? door.holdMs : DEFAULT_SETTINGS.door.holdMs;
  writeFileSync(file, JSON.stringify({ ...raw, door: { kind: 'none', holdMs } }, null, '\t'), {
    mode: 0o600,
  });
  return {
    reason:
      door.kind === 'command'
        ? 'the command door now runs only programs listed in doors.json on the PC; choose one again'
        : 'HTTP doors now sign each request with an HMAC key; set the door again',
    backupPath,
  };
}

/** Conf quietly treats a file holding a bare number or array as empty; for us that is a corrupt file. */
function assertJsonObject(file: string): void {
  if (!existsSync(file)) return;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('the settings file does not hold a settings object');
  }
}
