// Opening the enrollment store from the CLI: --store, --key and their app defaults.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EnrollmentStore } from '../store/enrollment-store.js';
import { StoreError } from '../store/errors.js';
import { FileKeyWrapper } from '../store/key-file.js';
import { STORE_FILE } from '../store/schema.js';
import { defaultKeyFile, defaultStoreDir } from './app-dirs.js';

export const storeOptions = {
  store: { type: 'string' },
  key: { type: 'string' },
} as const;

/** `create`: enroll makes a new store (and key); the other commands need an existing one. */
export async function openCliStore(
  values: { store?: string | undefined; key?: string | undefined },
  create: boolean,
): Promise<EnrollmentStore> {
  const dir = path.resolve(values.store ?? defaultStoreDir());
  const keyFile = path.resolve(values.key ?? defaultKeyFile(dir));
  if (!create && !existsSync(path.join(dir, STORE_FILE))) {
    throw new Error(`${dir}: no enrollment store here (enroll someone first, or pass --store DIR)`);
  }
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
