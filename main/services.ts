// Everything main owns, built once. The Electron shell and the browser test
// harness both build it with AppServices.create and register the same handlers;
// only the platform pieces passed in (key wrapper, fetch, dialogs) differ.
import path from 'node:path';
import type { AppPaths } from './paths.js';
import { EventBus } from './events.js';
import { SettingsService, type SettingsStoreFactory } from './settings/settings-service.js';
import type { EngineStatus, Events } from '../preload/contract/events.js';
import type { EnrollStatus } from '../preload/contract/people.js';
import type { Settings } from '../preload/contract/settings.js';
import type { FrameAnalyzer } from './frames/frame-service.js';
import { PackManager } from './packs/manager.js';
import type { FetchLike } from './packs/download.js';
import { isPackError } from './packs/errors.js';
import { EnrollmentStore } from './store/enrollment-store.js';
import type { KeyWrapper } from './store/key-wrapper.js';
import { AuditLog } from './audit/audit-log.js';
import { CHAIN_KEY_PURPOSE } from './audit/audit-chain.js';
import type { AdminAction, AdminRecord } from './audit/types.js';
import { enrollEvents, type EnrollSeen } from './audit/enroll-events.js';
import { SecretVault } from './settings/door-secrets.js';
import { securePrivateDir } from './settings/private-dir.js';
import { AdminPin } from './admin/pin.js';
import { CodeEntry } from './recognition/code-entry.js';
import { AdminSession, type AdminEndReason, type AdminSessionOptions } from './admin/admin-session.js';
import { createDoor } from './door/door.js';
import type { DoorOutput } from './door/types.js';
import { Kiosk } from './kiosk/kiosk.js';
import { LIVENESS_PACK, loadEngine } from './kiosk/face-engine.js';
import { defaultSetupPacks, downloadBundle } from './packs/bundle.js';
import { KioskFleet } from './kiosk/kiosk-fleet.js';
import { remoteUnlockAudit, type RemoteUnlockRequest } from './fleet/mqtt-events.js';
import { isJoined } from './fleet/local.js';
import { localDirectory, type PeopleDirectory } from './people/people-directory.js';
import { fleetDirectory } from './people/fleet-directory.js';
import type { DoorRules } from './kiosk/flow-context.js';
import type { DoorFleetNotice } from '../preload/contract/fleet.js';
import { Doorbell } from './door/doorbell.js';

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
  /** The kiosk's clock for frames and decisions (tests use a fake one); Date.now by default. */
  now?: () => number;
  /** The admin session's lifetime and clock (tests use a fake clock). */
  adminSession?: AdminSessionOptions;
  /** Fleet change-feed poll interval (tests shorten it); FleetSync's default otherwise. */
  fleetPollMs?: number;
}

/** The door screen's offline-grace notice is pushed this often (and on every fleet change): 30 s. */
const FLEET_NOTICE_MS = 30_000;

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
  /** Who holds the unlocked admin screen; its own module (main/admin/admin-session.ts). */
  readonly adminSession: AdminSession;
  /** This kiosk as a door of a fleet (a joined data folder); null on a lone kiosk. */
  private fleetInstance: KioskFleet | null = null;
  /** Why a joined folder could not be opened: the kiosk then refuses everyone, never falls back. */
  fleetProblem: string | null = null;
  private fleetTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly options: ServicesOptions,
    readonly settings: SettingsService,
    readonly packs: PackManager,
    readonly store: EnrollmentStore | null,
    /** Why the enrollment store could not be opened; its file is left as it was. */
    readonly storeProblem: string | null,
    readonly audit: AuditLog,
    readonly pin: AdminPin,
    /** 1:1 code entry and its lockout: here, not in the kiosk, so an engine reload keeps it. */
    readonly codes: CodeEntry,
  ) {
    this.log = options.log ?? ((message) => console.log(`[tobira] ${message}`));
    // An enrolled face opened the door: the code lockout's count starts again.
    this.events.subscribe((event, payload) => {
      if (event === 'decision' && (payload as Events['decision']).outcome !== 'refused') codes.reset();
    });
    this.adminSession = new AdminSession(options.adminSession);
    // Camera enrollment belongs to the admin session: when it ends, for any reason, so does enrollment.
    this.adminSession.onEnd((reason) => {
      const kiosk = this.kioskInstance;
      if (kiosk?.enrollStatus().personId) {
        this.log(`admin session ended (${reason}): enrollment stopped`);
        this.events.emit('enrollStatus', kiosk.stopEnrollment());
      }
    });
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
    // Owner-only before anything is read or written in it, on every way the folder is named.
    await securePrivateDir(paths.dataDir);
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
    if (openedStore) {
      try {
        // Door secrets are sealed with the store's key, never plain in settings.json.
        settings.attachVault(
          new SecretVault(paths.settingsDir, {
            seal: (bytes) => openedStore.sealFor('door-secrets', bytes),
            unseal: (blob) => openedStore.unsealFor('door-secrets', blob),
          }),
        );
      } catch (error) {
        storeProblem = `door secrets: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    const audit = new AuditLog(paths.auditDir, {
      // Each line is chained with a MAC keyed from the store (tobira audit verify).
      chainKey: openedStore ? openedStore.deriveKey(CHAIN_KEY_PURPOSE) : null,
      snapshots: privacy.auditSnapshots,
      // Snapshots are photos of people: sealed with the store's key, like the templates.
      ...(openedStore ? { sealSnapshot: (jpeg: Uint8Array) => openedStore.sealAttachment(jpeg) } : {}),
    });
    const pin = await AdminPin.open(path.join(paths.dataDir, 'admin-pin.json'), {
      ...(options.pinCost ? { cost: options.pinCost } : {}),
    });
    const codes = await CodeEntry.open(path.join(paths.dataDir, 'code-lockout.json'), {
      ...(options.log ? { log: options.log } : {}),
    });
    const services = new AppServices(options, settings, packs, store, storeProblem, audit, pin, codes);
    if (isJoined(paths.dataDir)) await services.openFleet();
    return services;
  }

  get fleet(): KioskFleet | null {
    return this.fleetInstance;
  }

  /** The door screen's Call button and camera reports (door/doorbell.ts). */
  get doorbell(): Doorbell {
    this.doorbellInstance ??= new Doorbell({
      audit: this.audit,
      door: () => this.door(),
      mqtt: (id, time) => this.fleetInstance?.ring(id, time) ?? false,
      log: (message) => this.log(message),
    });
    return this.doorbellInstance;
  }
  private doorbellInstance: Doorbell | null = null;

  /** Whether the data folder is a door of a fleet (even if it could not be opened). */
  get joined(): boolean {
    return isJoined(this.paths.dataDir);
  }

  /**
   * Who the kiosk knows: the fleet's replica on a joined folder, the local store otherwise.
   * Null (with `peopleProblem`) when the one that applies cannot be opened.
   */
  get people(): PeopleDirectory | null {
    if (this.joined) return this.fleetInstance ? fleetDirectory(this.fleetInstance) : null;
    return this.store ? localDirectory(this.store) : null;
  }

  get peopleProblem(): string | null {
    if (this.joined) return this.fleetInstance ? null : `the fleet could not be opened: ${this.fleetProblem}`;
    return this.store ? null : `the enrollment store could not be opened: ${this.storeProblem}`;
  }

  /** Opens the joined folder's fleet door and follows it; a failure is kept in fleetProblem. */
  async openFleet(): Promise<void> {
    try {
      const fleet = await KioskFleet.open(this.paths.dataDir, await this.options.keyWrapper(), {
        log: this.log,
        onRemoteUnlock: (request) => void this.remoteUnlock(request),
        ...(this.options.now ? { now: this.options.now } : {}),
        ...(this.options.fleetPollMs ? { pollMs: this.options.fleetPollMs } : {}),
      });
      fleet.onChanged(() => {
        // A change at another door (a revocation) reaches the matcher with the batch.
        this.kioskInstance?.refreshGallery();
        this.emitFleetNotice();
      });
      fleet.door.on('connected', () => this.emitFleetNotice());
      fleet.door.on('disconnected', () => this.emitFleetNotice());
      this.fleetInstance = fleet;
      this.fleetProblem = null;
      await fleet.start();
      this.fleetTimer = setInterval(() => this.emitFleetNotice(), FLEET_NOTICE_MS);
      this.fleetTimer.unref();
      this.log(`fleet: door '${fleet.name}' of fleet ${fleet.fleetId}`);
    } catch (error) {
      this.fleetProblem = error instanceof Error ? error.message : String(error);
      this.log(`fleet: ${this.fleetProblem}`);
    }
    this.emitFleetNotice();
  }

  /** The door screen's view of the offline grace. */
  fleetNotice(): DoorFleetNotice {
    const status = this.fleetInstance?.status();
    return {
      joined: this.joined,
      graceWarning: status?.grace_warning ?? false,
      offlineTooLong: status ? status.grace_left_ms < 0 : this.joined,
      graceLeftMs: status?.grace_left_ms ?? null,
    };
  }

  emitFleetNotice(): void {
    this.events.emit('fleetStatus', this.fleetNotice());
  }

  /** The kiosk's fleet rules and announcements, for the unlock flow. */
  private doorRules(): DoorRules | null {
    const fleet = this.fleetInstance;
    if (!fleet) return null;
    return {
      refusal: (personId, now) => fleet.refusal(personId, now),
      announce: (record) => fleet.announce(record),
    };
  }

  /** A signed remote-unlock command over MQTT (off unless enabled): audited, then the door opens. */
  private async remoteUnlock(request: RemoteUnlockRequest): Promise<void> {
    const fleet = this.fleetInstance;
    if (!fleet) return;
    try {
      const door = request.ok ? await this.door().open({ personId: null, personName: null }) : null;
      const record = await this.audit.append(
        remoteUnlockAudit(request, door && { ok: door.ok, kind: door.kind, reason: door.reason }),
      );
      fleet.announce(record);
    } catch (error) {
      this.log(`remote unlock: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  get paths(): AppPaths {
    return this.options.paths;
  }

  get kiosk(): Kiosk | null {
    return this.kioskInstance;
  }

  /** Whether `contentsId` holds a live admin session. Asking never extends it. */
  isAdmin(contentsId: number): boolean {
    return this.adminSession.isActive(contentsId);
  }

  setAdmin(contentsId: number, unlocked: boolean): void {
    if (unlocked) this.adminSession.begin(contentsId);
    else this.adminSession.end('logout', contentsId);
  }

  /** The UI renderer crashed, reloaded or navigated: its admin session (and what it started) ends. */
  rendererReset(contentsId: number, reason: AdminEndReason): void {
    this.adminSession.end(reason, contentsId);
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
    // The route comes from frames/frame-routing.ts: only capture frames, with no admin at the
    // screen, are decided on; an admin's frames are previewed or enrolled, never decided.
    return kiosk ? (frame, route) => kiosk.analyzeFrame(frame, { decide: route === 'unlock' }) : null;
  }

  /** True while any window holds an unlocked admin session. */
  adminPresent(): boolean {
    return this.adminSession.isActive();
  }

  door(): DoorOutput {
    this.doorOutput ??= createDoor(this.settings.get().door, { doorsDir: this.paths.dataDir });
    return this.doorOutput;
  }

  /**
   * Logs an admin action in the chained audit log. Best effort: a full disk must
   * not lock the admin out, so a failure is logged here and the action goes on.
   */
  async auditAdmin(action: AdminAction, detail: AdminRecord['detail'] = {}, ok = true): Promise<void> {
    try {
      await this.audit.appendAdmin({ action, actor: 'screen', ok, detail });
    } catch (error) {
      this.log(`audit: could not log ${action}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Camera enrollment, as the audit log sees it (audit/enroll-events.ts). */
  private enrollSeen: EnrollSeen | null = null;
  private auditEnrollStatus(status: EnrollStatus): void {
    const { events, seen } = enrollEvents(this.enrollSeen, status);
    this.enrollSeen = seen;
    for (const e of events) void this.auditAdmin(e.action, e.detail);
  }

  private readonly settingsWatchers = new Set<(next: Settings) => void>();

  /** Called after each settings change (the capture window reopens its camera from it). */
  watchSettings(watcher: (next: Settings) => void): () => void {
    this.settingsWatchers.add(watcher);
    return () => this.settingsWatchers.delete(watcher);
  }

  /** Settings changed: rebuild what depends on them. */
  async applySettings(previous: Settings, next: Settings): Promise<void> {
    for (const watcher of this.settingsWatchers) watcher(next);
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
      const people = this.people;
      if (!people && this.joined) {
        // A joined folder whose fleet cannot be opened: the door refuses everyone; it never
        // keeps a kiosk built on another list of people (the store from before joining).
        this.kioskInstance = null;
        await previous?.engine.analysis.release();
        await previous?.engine.liveness.release();
        this.setEngineStatus({
          state: 'error',
          pack: null,
          progress: null,
          message: failureNote ?? this.peopleProblem ?? 'nobody can be recognised',
          livenessAvailable: false,
        });
        return;
      }
      try {
        const engine = await loadEngine(this.packs, settings);
        if (!people) throw new Error(this.peopleProblem ?? 'nobody can be recognised');
        this.kioskInstance = new Kiosk(engine, {
          people,
          rules: this.doorRules(),
          audit: this.audit,
          door: () => this.door(),
          settings: () => this.settings.get(),
          emitDecision: (event) => this.events.emit('decision', event),
          emitEnroll: (status) => {
            this.auditEnrollStatus(status);
            this.events.emit('enrollStatus', status);
          },
          adminActive: () => this.adminSession.isActive(),
          log: this.log,
          ...(this.options.now ? { now: this.options.now } : {}),
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
    if (this.fleetTimer) clearInterval(this.fleetTimer);
    await this.fleetInstance?.close();
    this.fleetInstance = null;
    const kiosk = this.kioskInstance;
    this.kioskInstance = null;
    await kiosk?.engine.analysis.release();
    await kiosk?.engine.liveness.release();
  }
}
