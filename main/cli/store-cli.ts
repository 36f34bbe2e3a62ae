// Opening the enrollment store from the CLI: --store, --key and their app defaults.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EnrollmentStore } from '../store/enrollment-store.js';
import { StoreError } from '../store/errors.js';
import { FileKeyWrapper } from '../store/key-file.js';
import { STORE_FILE } from '../store/schema.js';
import { AuditLog } from '../audit/audit-log.js';
import { CHAIN_KEY_PURPOSE, SIGN_KEY_PURPOSE, signingKeyFromSeed } from '../audit/audit-chain.js';
import type { AdminInput, AdminRecord } from '../audit/types.js';
import type { AppPaths } from '../paths.js';
import { defaultKeyFile } from './app-dirs.js';
import { ensurePrivateDir } from './data-dir.js';
import type { CliIO } from './command.js';

export const storeOptions = {
  store: { type: 'string' },
  key: { type: 'string' },
} as const;

/** `create`: enroll makes a new store (and key); the other commands need an existing one. */
export async function openCliStore(
  values: { store?: string | undefined; key?: string | undefined },
  create: boolean,
  paths: AppPaths,
): Promise<EnrollmentStore> {
  const dir = path.resolve(values.store ?? paths.storeDir);
  const keyFile = path.resolve(values.key ?? (values.store ? storeKeyFile(dir) : defaultKeyFile(dir)));
  if (!create && !existsSync(path.join(dir, STORE_FILE))) {
    throw new Error(`${dir}: no enrollment store here (enroll someone first, or pass --store DIR)`);
  }
  // An explicit --store is all the CLI was given: it is made owner-only, never its parent.
  if (create) await ensurePrivateDir(values.store ? dir : paths.dataDir);
  const wrapper = await FileKeyWrapper.open(keyFile, {
    create: create && !existsSync(path.join(dir, STORE_FILE)),
  });
  try {
    return await EnrollmentStore.open(dir, wrapper, { create });
  } catch (error) {
    if (error instanceof StoreError && error.code === 'wrong_key_wrapper') {
      throw new Error(
        `${error.message}. The kiosk keeps its key in the OS keychain, which the CLI cannot reach; ` +
          'use a store made by the CLI, or export a backup from the admin screen',
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The key file of an explicit `--store DIR`: `DIR.key` beside it where an older CLI left one
 * (read, never written anew), else `DIR/store.key`, so that the CLI writes nothing beside DIR.
 */
export function storeKeyFile(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  const beside = defaultKeyFile(dir, env);
  return env.TOBIRA_STORE_KEY || existsSync(beside) ? beside : path.join(dir, 'store.key');
}

/**
 * Where the CLI's admin commands log: the data folder's audit log (--data-dir), else
 * `DIR/audit` inside an explicit --store DIR (never beside it: the CLI touches only the folder
 * it was given), else the app's default. The same log as the screen's, chained with the store's key.
 */
export function cliAuditDir(paths: AppPaths, io: CliIO, storeFlag: string | undefined): string {
  if (!io.paths && storeFlag) return path.join(path.resolve(storeFlag), 'audit');
  return paths.auditDir;
}

/** Logs one of the CLI's admin commands (enroll, people remove, admin set-pin). */
export async function auditCli(
  auditDir: string,
  store: EnrollmentStore | null,
  event: Omit<AdminInput, 'actor'>,
): Promise<AdminRecord> {
  await ensurePrivateDir(path.dirname(auditDir)); // the data folder, or the --store DIR itself
  const log = new AuditLog(auditDir, {
    chainKey: store ? store.deriveKey(CHAIN_KEY_PURPOSE) : null,
    signingKey: store ? signingKeyFromSeed(store.deriveKey(SIGN_KEY_PURPOSE)) : null,
  });
  return log.appendAdmin({ ...event, actor: 'cli' });
}
