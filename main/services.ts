// The composition root: builds what main owns, once, and wires the pieces together; it does no
// work of its own. The Electron shell and the browser test harness both build it with
// AppServices.create and register the same handlers; only the platform pieces passed in (key
// wrapper, fetch, dialogs) differ. Each piece receives the narrow interfaces it uses.
import type { AppPaths } from './paths.js';
import { EventBus } from './events.js';
import type { SettingsService } from './settings/settings-service.js';
import { openDataFolder } from './data-folder.js';
import { SettingsEffects } from './settings/settings-effects.js';
import type { Events } from '../preload/contract/events.js';
import type { PackManager } from './packs/manager.js';
import type { EnrollmentStore } from './store/enrollment-store.js';
import type { AuditLog } from './audit/audit-log.js';
import { AdminAudit } from './audit/admin-audit.js';
import type { AdminPin } from './admin/pin.js';
import type { CodeEntry } from './recognition/code-entry.js';
import { AdminSession } from './admin/admin-session.js';
import { CurrentDoor } from './door/current-door.js';
import { Kiosk } from './kiosk/kiosk.js';
import { endEnrollmentWithSession } from './kiosk/enroll-flow.js';
import { EngineHost } from './engine/engine-host.js';
import type { ServicesOptions } from './services-options.js';
import { kioskPeople, type PeopleSource } from './people/people-directory.js';
import type { KioskFleet } from './fleet/kiosk-fleet.js';
import { FleetHost } from './fleet/fleet-host.js';
import { Doorbell } from './door/doorbell.js';

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
  /** The door screen's Call button and camera reports (door/doorbell.ts). */
  readonly doorbell: Doorbell;
  /** Who the kiosk knows: the store, or a joined folder's fleet (people/people-directory.ts). */
  readonly peopleSource: PeopleSource;

  private constructor(
    readonly options: ServicesOptions,
    readonly settings: SettingsService,
    readonly packs: PackManager,
    readonly store: EnrollmentStore | null,
    readonly storeProblem: string | null,
    readonly audit: AuditLog,
    readonly pin: AdminPin,
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
    // An admin key brought to the Fleet panel lives as long as the admin session, not longer.
    this.adminSession.onEnd(() => this.fleetHost.fleet?.endAdminSession());
    this.peopleSource = kioskPeople(store, storeProblem, this.fleetHost);
    this.doorbell = new Doorbell({
      audit,
      door: () => this.door.get(),
      mqtt: (id, time) => this.fleetHost.fleet?.ring(id, time) ?? false,
      log,
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
    codes.resetOnUnlock(this.events);
    endEnrollmentWithSession(
      this.adminSession,
      () => this.engine.current,
      (st) => emit('enrollStatus', st),
      log,
    );
  }

  static async create(options: ServicesOptions): Promise<AppServices> {
    const { settings, packs, store, storeProblem, audit, pin, codes } = await openDataFolder(options);
    const services = new AppServices(options, settings, packs, store, storeProblem, audit, pin, codes);
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
    await this.doorbell.flush();
  }

  get fleet(): KioskFleet | null {
    return this.fleetHost.fleet;
  }

  /** Whether the data folder is a door of a fleet (even if it could not be opened). */
  get joined(): boolean {
    return this.fleetHost.joined;
  }
}
