// Everything main owns, built once. The Electron shell and the browser test
// harness both build it with AppServices.create and register the same handlers;
// only the platform pieces passed in (key wrapper, fetch, dialogs) differ.
import path from 'node:path';
import type { AppPaths } from './paths.js';
import { EventBus } from './events.js';
import { SettingsService, type SettingsStoreFactory } from './settings/settings-service.js';
import type { EngineStatus } from '../preload/contract/events.js';
import type { Settings } from '../preload/contract/settings.js';
import type { FrameAnalyzer } from './frames/frame-service.js';
import { PackManager } from './packs/manager.js';
import type { FetchLike } from './packs/download.js';
import { isPackError } from './packs/errors.js';
import { EnrollmentStore } from './store/enrollment-store.js';
import type { KeyWrapper } from './store/key-wrapper.js';
import { AuditLog } from './audit/audit-log.js';
import { AdminPin } from './admin/pin.js';
import { createDoor } from './door/door.js';
import type { DoorOutput } from './door/types.js';
import { Kiosk } from './kiosk/kiosk.js';
import { LIVENESS_PACK, loadEngine } from './kiosk/face-engine.js';
import { defaultSetupPacks, downloadBundle } from './packs/bundle.js';

/** The kiosk window's controls, supplied by the Electron shell (a no-op in tests). */
export interface KioskControl {
  readonly isKiosk: () => boolean;
  exit(): void;
}

/** File dialogs live in main: the renderer never names a path. */
export type PickRequest = { kind: 'zip' | 'folder' | 'images' } | { kind: 'save'; defaultName: string };
export type FilePicker = (request: PickRequest) => Promise<string[] | null>;

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
}

/** An admin session left idle this long locks itself: the kiosk is unattended. */
export const ADMIN_IDLE_MS = 5 * 60_000;

export class AppServices {
  readonly events = new EventBus();
  readonly log: (message: string) => void;
  private engineStatus: EngineStatus = {
    state: 'loading',
    pack: null,
    progress: null,
    message: null,
    livenessAvailable: false,
  };
  private kioskInstance: Kiosk | null = null;
  private loading: Promise<void> | null = null;
  private doorOutput: DoorOutput | null = null;
  /** True while the default setup's bundle owns the engine's progress figure. */
  private bundling = false;
  /** WebContents ids holding an unlocked admin session, with their expiry. */
  private readonly adminSessions = new Map<number, number>();

  private constructor(
    readonly options: ServicesOptions,
    readonly settings: SettingsService,
    readonly packs: PackManager,
    readonly store: EnrollmentStore | null,
    /** Why the enrollment store could not be opened; its file is left as it was. */
    readonly storeProblem: string | null,
    readonly audit: AuditLog,
    readonly pin: AdminPin,
  ) {
    this.log = options.log ?? ((message) => console.log(`[tobira] ${message}`));
    if (settings.notice) {
      this.log(`settings were unreadable (${settings.notice.reason}); kept at ${settings.notice.backupPath}`);
    }
    if (storeProblem) this.log(`enrollment store: ${storeProblem}`);
    packs.subscribe((event) => {
      if (event.type === 'progress') {
        const { pack, phase, bytes, total, bytesPerSecond, etaSeconds, percent } = event.progress;
        this.events.emit('downloadProgress', {
          pack,
          phase,
          bytes,
          total,
          bytesPerSecond,
          etaSeconds,
          percent,
        });
        if (!this.bundling && this.engineStatus.state === 'downloading' && this.engineStatus.pack === pack) {
          this.setEngineStatus({ ...this.engineStatus, progress: percent === null ? null : percent / 100 });
        }
      } else if (event.type === 'failed') {
        this.events.emit('packFailed', { pack: event.pack, code: event.code, message: event.message });
      }
    });
  }

  static async create(options: ServicesOptions): Promise<AppServices> {
    const { paths } = options;
    const settings = SettingsService.open(paths.settingsDir, options.createSettingsStore);
    const packs = new PackManager({
      root: paths.modelsDir,
      ...(paths.catalogFile ? { catalogPath: paths.catalogFile } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    let store: EnrollmentStore | null = null;
    let storeProblem: string | null = null;
    const privacy = settings.get().privacy;
    try {
      store = await EnrollmentStore.open(paths.storeDir, await options.keyWrapper(), {
        allowInsecureKeyStorage: privacy.allowInsecureKeyStorage,
      });
    } catch (error) {
      storeProblem = error instanceof Error ? error.message : String(error);
    }
    const openedStore = store;
    const audit = new AuditLog(paths.auditDir, {
      snapshots: privacy.auditSnapshots,
      // Snapshots are photos of people: sealed with the store's key, like the templates.
      ...(openedStore ? { sealSnapshot: (jpeg: Uint8Array) => openedStore.sealAttachment(jpeg) } : {}),
    });
    const pin = await AdminPin.open(path.join(paths.dataDir, 'admin-pin.json'), {
      ...(options.pinCost ? { cost: options.pinCost } : {}),
    });
    return new AppServices(options, settings, packs, store, storeProblem, audit, pin);
  }

  get paths(): AppPaths {
    return this.options.paths;
  }

  get kiosk(): Kiosk | null {
    return this.kioskInstance;
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
    const kiosk = this.kioskInstance;
    // While an admin is at the screen, frames are previewed, never decided: no door, no log.
    return kiosk ? (frame) => kiosk.analyzeFrame(frame, { decide: !this.adminPresent() }) : null;
  }

  /** True while any window holds an unlocked admin session. */
  adminPresent(now = Date.now()): boolean {
    for (const expires of this.adminSessions.values()) if (expires >= now) return true;
    return false;
  }

  door(): DoorOutput {
    this.doorOutput ??= createDoor(this.settings.get().door);
    return this.doorOutput;
  }

  /** Settings changed: rebuild what depends on them. */
  async applySettings(previous: Settings, next: Settings): Promise<void> {
    if (JSON.stringify(previous.door) !== JSON.stringify(next.door)) this.doorOutput = null;
    this.store?.setAllowInsecureKeyStorage(next.privacy.allowInsecureKeyStorage);
    this.audit.snapshotsEnabled = next.privacy.auditSnapshots;
    const engineChanged = JSON.stringify(previous.engine) !== JSON.stringify(next.engine);
    if (engineChanged) await this.reloadEngine();
    else this.kioskInstance?.reconfigure();
  }

  /**
   * Loads the active face pack. With none installed, downloads the catalog's
   * default once its licence was acknowledged; otherwise reports 'no-models'.
   */
  async start(): Promise<void> {
    const packs = await this.packs.list();
    const hasFacePack = packs.some((p) => p.kind === 'face' && p.installed);
    const fallback = packs.find((p) => p.default);
    if (!hasFacePack && fallback && (!fallback.licenseAck || fallback.licenseAcknowledged)) {
      await this.setUpDefaults();
      return;
    }
    await this.reloadEngine();
  }

  async downloadAndLoad(name: string, signal?: AbortSignal): Promise<void> {
    this.setEngineStatus({
      ...this.engineStatus,
      state: 'downloading',
      pack: name,
      progress: 0,
      message: null,
    });
    try {
      await this.packs.download(name, signal ? { signal } : {});
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`download of ${name} failed: ${message}`);
      // The pack installed before, if any, stays in use.
      await this.reloadEngine(message);
      throw error;
    }
    const active = await this.packs.getActive();
    if (!active) await this.packs.setActive(name);
    await this.reloadEngine();
  }

  /**
   * The default setup in one step: the default face pack and the liveness add-on, with one
   * progress figure (engineStatus.progress), then the engine loads. Packs already installed
   * are skipped; with both in place it only reloads.
   */
  async setUpDefaults(signal?: AbortSignal): Promise<void> {
    const todo = defaultSetupPacks(await this.packs.list(), LIVENESS_PACK);
    if (todo.length === 0) return this.reloadEngine();
    this.bundling = true;
    this.setEngineStatus({
      ...this.engineStatus,
      state: 'downloading',
      pack: todo[0]!.name,
      progress: 0,
      message: null,
    });
    try {
      await downloadBundle(this.packs, todo, {
        ...(signal ? { signal } : {}),
        onProgress: (p) => this.setEngineStatus({ ...this.engineStatus, progress: p.percent / 100 }),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log(`default setup (${todo.map((p) => p.name).join(' + ')}) failed: ${message}`);
      await this.reloadEngine(message);
      throw error;
    } finally {
      this.bundling = false;
    }
    await this.reloadEngine();
  }

  /** (Re)loads the engine from the active pack. Concurrent calls share one load. */
  reloadEngine(failureNote: string | null = null): Promise<void> {
    const run = async () => {
      const settings = this.settings.get();
      const previous = this.kioskInstance;
      this.setEngineStatus({ ...this.engineStatus, state: 'loading', progress: null, message: null });
      try {
        const engine = await loadEngine(this.packs, settings);
        if (!this.store) throw new Error(`the enrollment store is unavailable: ${this.storeProblem}`);
        this.kioskInstance = new Kiosk(engine, {
          store: this.store,
          audit: this.audit,
          door: () => this.door(),
          settings: () => this.settings.get(),
          emitDecision: (event) => this.events.emit('decision', event),
          emitEnroll: (status) => this.events.emit('enrollStatus', status),
          log: this.log,
        });
        await previous?.engine.analysis.release();
        await previous?.engine.liveness.release();
        this.setEngineStatus({
          state: 'ready',
          pack: engine.pack.name,
          progress: null,
          message: failureNote,
          livenessAvailable: engine.liveness.available,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // A pack that fails to load leaves the previous engine running, if there was one.
        if (previous) {
          this.setEngineStatus({ ...this.engineStatus, state: 'ready', message });
          return;
        }
        const none = isPackError(error, 'NOT_FOUND');
        this.setEngineStatus({
          state: none ? 'no-models' : 'error',
          pack: null,
          progress: null,
          message: failureNote ?? message,
          livenessAvailable: false,
        });
      }
    };
    const chained = (this.loading ?? Promise.resolve()).then(run);
    this.loading = chained;
    return chained;
  }

  async close(): Promise<void> {
    await this.loading;
    const kiosk = this.kioskInstance;
    this.kioskInstance = null;
    await kiosk?.engine.analysis.release();
    await kiosk?.engine.liveness.release();
  }
}
