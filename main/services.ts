// Everything main owns, built once. The Electron shell and the browser test
// harness both build it with this function and register the same handlers.
import type { AppPaths } from './paths.js';
import { EventBus } from './events.js';
import { SettingsService, type SettingsStoreFactory } from './settings/settings-service.js';
import type { EngineStatus } from '../preload/contract/events.js';
import type { FrameAnalyzer } from './frames/frame-service.js';

/** The kiosk window's controls, supplied by the Electron shell (a no-op in tests). */
export interface KioskControl {
  readonly isKiosk: () => boolean;
  exit(): void;
}

/** The admin PIN: hashed with a KDF and rate-limited by its implementation. */
export interface AdminGuard {
  isPinSet(): Promise<boolean>;
  setPin(pin: string): Promise<void>;
  /** `retryAfterMs` > 0 when wrong PINs have locked the keypad for a while. */
  verifyPin(pin: string): Promise<{ ok: boolean; retryAfterMs: number }>;
}

export interface ServicesOptions {
  paths: AppPaths;
  createSettingsStore: SettingsStoreFactory;
  version: string;
  platform: string;
  kiosk: KioskControl;
  admin: AdminGuard;
  log?: (message: string) => void;
}

/** An admin session left idle this long locks itself: the kiosk is unattended. */
export const ADMIN_IDLE_MS = 5 * 60_000;

export class AppServices {
  readonly events = new EventBus();
  readonly settings: SettingsService;
  readonly log: (message: string) => void;
  private engineStatus: EngineStatus = {
    state: 'no-models',
    pack: null,
    progress: null,
    message: null,
    livenessAvailable: false,
  };
  private analyzer: FrameAnalyzer | null = null;
  /** WebContents ids holding an unlocked admin session, with their expiry. */
  private readonly adminSessions = new Map<number, number>();

  constructor(readonly options: ServicesOptions) {
    this.log = options.log ?? ((message) => console.log(`[tobira] ${message}`));
    this.settings = SettingsService.open(options.paths.settingsDir, options.createSettingsStore);
    if (this.settings.notice) {
      this.log(`settings were unreadable (${this.settings.notice.reason}); kept at ${this.settings.notice.backupPath}`);
    }
  }

  get paths(): AppPaths {
    return this.options.paths;
  }

  isAdmin(contentsId: number, now = Date.now()): boolean {
    const expires = this.adminSessions.get(contentsId);
    if (expires === undefined || expires < now) {
      this.adminSessions.delete(contentsId);
      return false;
    }
    this.adminSessions.set(contentsId, now + ADMIN_IDLE_MS);
    return true;
  }

  setAdmin(contentsId: number, unlocked: boolean): void {
    if (unlocked) this.adminSessions.set(contentsId, Date.now() + ADMIN_IDLE_MS);
    else this.adminSessions.delete(contentsId);
  }

  getEngineStatus(): EngineStatus {
    return this.engineStatus;
  }

  setEngineStatus(status: EngineStatus): void {
    this.engineStatus = status;
    this.events.emit('engineStatus', status);
  }

  frameAnalyzer(): FrameAnalyzer | null {
    return this.analyzer;
  }

  setFrameAnalyzer(analyzer: FrameAnalyzer | null): void {
    this.analyzer = analyzer;
  }
}
