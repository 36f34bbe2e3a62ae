// What the composition root (services.ts) is built from: the platform's pieces (Electron's or
// Node's stand-ins) and the clocks and costs tests replace.
import type { AppPaths } from './paths.js';
import type { SettingsStoreFactory } from './settings/settings-service.js';
import type { FetchLike } from './packs/download.js';
import type { KeyWrapper } from './store/key-wrapper.js';
import type { AdminSessionOptions } from './admin/admin-session.js';
import type { FilePicker } from './util/file-picker.js';

/** The kiosk window's controls, supplied by the Electron shell (a no-op in tests). */
export interface KioskControl {
  readonly isKiosk: () => boolean;
  exit(): void;
}

export interface ServicesOptions {
  paths: AppPaths;
  createSettingsStore: SettingsStoreFactory;
  version: string;
  platform: string;
  kiosk: KioskControl;
  /** Wraps the enrollment store's data key: safeStorage in the app, a key file in Node. */
  keyWrapper: () => Promise<KeyWrapper>;
  pickFiles: FilePicker;
  /** Electron's net.fetch in the app (system proxy); the env-proxy fetch otherwise. */
  fetch?: FetchLike;
  /** scrypt cost override for the admin PIN (tests use a cheap one). */
  pinCost?: { N: number; r: number; p: number };
  log?: (message: string) => void;
  /** The kiosk's clock for frames and decisions (tests use a fake one); Date.now by default. */
  now?: () => number;
  /** The admin session's lifetime and clock (tests use a fake clock). */
  adminSession?: AdminSessionOptions;
  /** Fleet change-feed poll interval (tests shorten it); FleetSync's default otherwise. */
  fleetPollMs?: number;
}
