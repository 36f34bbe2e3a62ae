// Opening the enrollment store from the CLI: --store, --key and their app defaults.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EnrollmentStore } from '../store/enrollment-store.js';
import { StoreError } from '../store/errors.js';
import { FileKeyWrapper } from '../store/key-file.js';
import { STORE_FILE } from '../store/schema.js';
import { AuditLog } from '../audit/audit-log.js';
import { CHAIN_KEY_PURPOSE } from '../audit/audit-chain.js';
import type { AdminInput } from '../audit/types.js';
import type { AppPaths } from '../paths.js';
import { defaultKeyFile } from './app-dirs.js';
import { ensurePrivateDir } from './data-dir.js';

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
  const keyFile = path.resolve(values.key ?? defaultKeyFile(dir));
  if (!create && !existsSync(path.join(dir, STORE_FILE))) {
    throw new Error(`${dir}: no enrollment store here (enroll someone first, or pass --store DIR)`);
  }
  if (create) await ensurePrivateDir(paths.dataDir);
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
 * The app's audit log, chained with the store's key: the CLI's admin commands
 * (enroll, people remove, admin set-pin) are logged in the same log as the screen's.
 */
export function cliAuditLog(paths: AppPaths, store: EnrollmentStore | null): AuditLog {
  return new AuditLog(paths.auditDir, { chainKey: store ? store.deriveKey(CHAIN_KEY_PURPOSE) : null });
}

export async function auditCli(
  paths: AppPaths,
  store: EnrollmentStore | null,
  event: Omit<AdminInput, 'actor'>,
): Promise<void> {
  await ensurePrivateDir(paths.dataDir);
  await cliAuditLog(paths, store).appendAdmin({ ...event, actor: 'cli' });
}
