// The composition root: builds what main owns, once, and wires the pieces together; it does no
// work of its own. The Electron shell and the browser test harness both build it with
// AppServices.create and register the same handlers; only the platform pieces passed in (key
// wrapper, fetch, dialogs) differ. Each piece receives the narrow interfaces it uses.
import path from 'node:path';
import type { AppPaths } from './paths.js';
import { EventBus } from './events.js';
import { SettingsService } from './settings/settings-service.js';
import { SettingsEffects } from './settings/settings-effects.js';
import type { Events } from '../preload/contract/events.js';
import { PackManager } from './packs/manager.js';
import type { EnrollmentStore } from './store/enrollment-store.js';
import { openAuditLog, openStore } from './store/open-store.js';
import type { AuditLog } from './audit/audit-log.js';
import { AdminAudit } from './audit/admin-audit.js';
import { securePrivateDir } from './settings/private-dir.js';
import { AdminPin } from './admin/pin.js';
import { CodeEntry } from './recognition/code-entry.js';
import { AdminSession } from './admin/admin-session.js';
import { CurrentDoor } from './door/current-door.js';
import { Kiosk } from './kiosk/kiosk.js';
import { EngineHost } from './engine/engine-host.js';
import type { ServicesOptions } from './services-options.js';
import type { PeopleSource } from './people/people-directory.js';
import type { KioskFleet } from './fleet/kiosk-fleet.js';
import { FleetHost } from './fleet/fleet-host.js';
import { localDirectory, type PeopleDirectory } from './people/people-directory.js';

export type { FilePicker, PickRequest } from './util/file-picker.js';
export type { KioskControl, ServicesOptions } from './services-options.js';

export class AppServices {
  readonly events = new EventBus();
  readonly log: (message: string) => void;
  /** Who holds the unlocked admin screen (admin/admin-session.ts). */
  readonly adminSession: AdminSession;
  /** The screen's admin actions in the audit log; the gate writes each audited channel's line. */
  readonly adminAudit: AdminAudit;
  readonly door: CurrentDoor;
  /** The engine's lifecycle, and the kiosk on it (engine/engine-host.ts). */
  readonly engine: EngineHost<Kiosk>;
  readonly settingsEffects: SettingsEffects;
  /** This kiosk as a door of a fleet (a joined data folder): its lifecycle (fleet/fleet-host.ts). */
  readonly fleetHost: FleetHost;
  /** Who the kiosk knows: the store, or a joined folder's fleet (below). */
  readonly peopleSource: PeopleSource = {
    directory: () => this.people,
    problem: () => this.peopleProblem,
    joined: () => this.joined,
  };

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
    const log = (this.log = options.log ?? ((message) => console.log(`[tobira] ${message}`)));
    const emit = <E extends keyof Events>(event: E, payload: Events[E]) => this.events.emit(event, payload);
    this.adminSession = new AdminSession(options.adminSession);
    this.adminAudit = new AdminAudit(audit, log);
    this.door = new CurrentDoor(() => settings.get().door, options.paths.dataDir);
    this.fleetHost = new FleetHost({
      dataDir: options.paths.dataDir,
      keyWrapper: options.keyWrapper,
      audit,
      openDoor: () => this.door.get().open({ personId: null, personName: null }),
      // A change at another door (a revocation) reaches the matcher with the batch.
      onChanged: () => this.engine.current?.refreshGallery(),
      onNotice: (notice) => emit('fleetStatus', notice),
      log,
      ...(options.now ? { now: options.now } : {}),
      ...(options.fleetPollMs ? { pollMs: options.fleetPollMs } : {}),
    });
    this.engine = new EngineHost<Kiosk>({
      packs,
      settings: () => settings.get(),
      emit,
      people: this.peopleSource,
      log,
      build: (engine, people) =>
        new Kiosk(engine, {
          people,
          rules: this.fleetHost.rules(),
          audit,
          door: () => this.door.get(),
          settings: () => settings.get(),
          emitDecision: (event) => emit('decision', event),
          emitEnroll: (status) => {
            this.adminAudit.enrollStatus(status);
            emit('enrollStatus', status);
          },
          adminActive: () => this.adminSession.isActive(),
          log,
          ...(options.now ? { now: options.now } : {}),
        }),
    });
    this.settingsEffects = new SettingsEffects({
      door: this.door,
      store,
      audit,
      engine: { reload: () => this.engine.reload(), reconfigure: () => this.engine.current?.reconfigure() },
    });
    // An enrolled face opened the door: the code lockout's count starts again.
    this.events.subscribe((event, payload) => {
      if (event === 'decision' && (payload as Events['decision']).outcome !== 'refused') codes.reset();
    });
    // Camera enrollment belongs to the admin session: when it ends, for any reason, so does enrollment.
    this.adminSession.onEnd((reason) => {
      const kiosk = this.engine.current;
      if (kiosk?.enrollStatus().personId) {
        log(`admin session ended (${reason}): enrollment stopped`);
        emit('enrollStatus', kiosk.stopEnrollment());
      }
    });
    if (settings.notice) {
      log(`settings were unreadable (${settings.notice.reason}); kept at ${settings.notice.backupPath}`);
    }
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
    const { store, problem } = await openStore(paths, options.keyWrapper, settings, options.log);
    const audit = openAuditLog(paths.auditDir, store, settings.get().privacy.auditSnapshots);
    const pin = await AdminPin.open(path.join(paths.dataDir, 'admin-pin.json'), {
      ...(options.pinCost ? { cost: options.pinCost } : {}),
    });
    const codes = await CodeEntry.open(path.join(paths.dataDir, 'code-lockout.json'), {
      ...(options.log ? { log: options.log } : {}),
    });
    const services = new AppServices(options, settings, packs, store, problem, audit, pin, codes);
    if (services.joined) await services.fleetHost.open();
    return services;
  }

  get paths(): AppPaths {
    return this.options.paths;
  }

  async close(): Promise<void> {
    await this.engine.close();
    await this.fleetHost.close();
    await this.adminAudit.flush();
  }

  /** The Fleet panel's use case writes its own lines (use-cases/fleet-admin.ts). */
  get auditAdmin(): AdminAudit['record'] {
    return this.adminAudit.record;
  }

  get fleet(): KioskFleet | null {
    return this.fleetHost.fleet;
  }

  /** Whether the data folder is a door of a fleet (even if it could not be opened). */
  get joined(): boolean {
    return this.fleetHost.joined;
  }

  /**
   * Who the kiosk knows: the fleet's replica on a joined folder, the local store otherwise.
   * Null (with `peopleProblem`) when the one that applies cannot be opened.
   */
  get people(): PeopleDirectory | null {
    if (this.joined) return this.fleetHost.people();
    return this.store ? localDirectory(this.store) : null;
  }

  get peopleProblem(): string | null {
    if (this.joined) return this.fleet ? null : `the fleet could not be opened: ${this.fleetHost.problem}`;
    return this.store ? null : `the enrollment store could not be opened: ${this.storeProblem}`;
  }
}
