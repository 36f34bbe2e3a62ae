// Opens the enrollment store at start-up, seals the door secrets with its key, and keys the audit
// log's chain from it. A store that cannot be opened is not fatal: its file is left as it was and
// the reason is kept, for the admin screen and the log (the kiosk then recognises nobody).
import type { AppPaths } from '../paths.js';
import { AuditLog } from '../audit/audit-log.js';
import { CHAIN_KEY_PURPOSE, SIGN_KEY_PURPOSE, signingKeyFromSeed } from '../audit/audit-chain.js';
import type { SettingsService } from '../settings/settings-service.js';
import { SecretVault } from '../settings/door-secrets.js';
import { messageOf } from '../util/message-of.js';
import { EnrollmentStore } from './enrollment-store.js';
import type { KeyWrapper } from './key-wrapper.js';

export interface OpenedStore {
  store: EnrollmentStore | null;
  /** Why the store (or the door secrets sealed with it) could not be opened. */
  problem: string | null;
}

export async function openStore(
  paths: Pick<AppPaths, 'storeDir' | 'settingsDir'>,
  keyWrapper: () => Promise<KeyWrapper>,
  settings: SettingsService,
  log: (message: string) => void = (message) => console.log(`[tobira] ${message}`),
): Promise<OpenedStore> {
  const opened = await open(paths, keyWrapper, settings);
  if (opened.problem) log(`enrollment store: ${opened.problem}`);
  return opened;
}

async function open(
  paths: Pick<AppPaths, 'storeDir' | 'settingsDir'>,
  keyWrapper: () => Promise<KeyWrapper>,
  settings: SettingsService,
): Promise<OpenedStore> {
  let store: EnrollmentStore;
  try {
    store = await EnrollmentStore.open(paths.storeDir, await keyWrapper(), {
      allowInsecureKeyStorage: settings.get().privacy.allowInsecureKeyStorage,
    });
  } catch (error) {
    return { store: null, problem: messageOf(error) };
  }
  try {
    // Door secrets are sealed with the store's key, never plain in settings.json.
    settings.attachVault(
      new SecretVault(paths.settingsDir, {
        seal: (bytes) => store.sealFor('door-secrets', bytes),
        unseal: (blob) => store.unsealFor('door-secrets', blob),
      }),
    );
  } catch (error) {
    return { store, problem: `door secrets: ${messageOf(error)}` };
  }
  return { store, problem: null };
}

/** The audit log, its lines chained with a MAC keyed from the store (tobira audit verify). */
export function openAuditLog(auditDir: string, store: EnrollmentStore | null, snapshots: boolean): AuditLog {
  return new AuditLog(auditDir, {
    chainKey: store ? store.deriveKey(CHAIN_KEY_PURPOSE) : null,
    signingKey: store ? signingKeyFromSeed(store.deriveKey(SIGN_KEY_PURPOSE)) : null,
    snapshots,
    // Snapshots are photos of people: sealed with the store's key, like the templates.
    ...(store ? { sealSnapshot: (jpeg: Uint8Array) => store.sealAttachment(jpeg) } : {}),
  });
}
