// The app's own folders, for CLI defaults: the same places the kiosk uses
// (main/paths.ts), so `tobira enroll` and the kiosk share one store.
import path from 'node:path';
import { userDataDir } from '../packs/paths.js';

/** $TOBIRA_STORE_DIR, else $TOBIRA_DATA_DIR/store, else <userData>/store. */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.TOBIRA_STORE_DIR) return path.resolve(env.TOBIRA_STORE_DIR);
  return path.resolve(env.TOBIRA_DATA_DIR || userDataDir(env, platform), 'store');
}

/** $TOBIRA_DATA_DIR/audit, else <userData>/audit. */
export function defaultAuditDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  return path.resolve(env.TOBIRA_DATA_DIR || userDataDir(env, platform), 'audit');
}

/**
 * The CLI's store key file (the kiosk wraps its key with the OS keychain instead, which plain Node
 * cannot reach): $TOBIRA_STORE_KEY, else `store.key` beside the store folder.
 */
export function defaultKeyFile(storeDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(
    env.TOBIRA_STORE_KEY || path.join(path.dirname(storeDir), `${path.basename(storeDir)}.key`),
  );
}
