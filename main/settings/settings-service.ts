// Settings in electron-store (Conf underneath, so plain Node tests use the very
// same code). A file that is corrupt or fails the schema is kept aside, replaced
// by defaults, and reported on screen.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

export class SettingsService {
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
    };
    const filePath = path.join(dir, `${SETTINGS_NAME}.json`);
    try {
      assertJsonObject(filePath);
      migrateFile(filePath);
      const file = createStore(options);
      // Conf validates against JSON Schema; zod is stricter (e.g. unknown door kinds), so check both.
      const checked = SettingsSchema.safeParse(file.store);
      if (checked.success) return new SettingsService(file, null);
      throw new Error(
        `schema: ${checked.error.issues[0]?.path.join('.')}: ${checked.error.issues[0]?.message}`,
      );
    } catch (error) {
      const stamp = now().toISOString().replace(/[:.]/g, '-');
      const backupPath = path.join(dir, `${SETTINGS_NAME}.corrupt-${stamp}.json`);
      if (existsSync(filePath)) renameSync(filePath, backupPath);
      const reason = error instanceof Error ? error.message : String(error);
      return new SettingsService(createStore(options), { reason, backupPath });
    }
  }

  get(): Settings {
    return SettingsSchema.parse(this.file.store);
  }

  /** Replaces whole top-level sections; the result is validated before it is written. */
  update(patch: SettingsPatch): Settings {
    const next = SettingsSchema.parse({ ...this.get(), ...SettingsPatchSchema.parse(patch) });
    this.file.store = next;
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

/** Conf quietly treats a file holding a bare number or array as empty; for us that is a corrupt file. */
function assertJsonObject(file: string): void {
  if (!existsSync(file)) return;
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('the settings file does not hold a settings object');
  }
}
