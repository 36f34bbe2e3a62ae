// The kiosk's fleet lifecycle in one place: open the joined data folder's door (kiosk-fleet.ts)
// and follow it, keep why it could not be opened, push the door screen's offline-grace notice,
// hand the frame path its rules, and carry out a signed remote unlock. It receives the narrow
// pieces it uses (the key store, the door output, the audit log, two callbacks), not AppServices.
import type { DoorFleetNotice } from '../../preload/contract/fleet.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { DoorResult } from '../door/types.js';
import type { PeopleDirectory } from '../people/people-directory.js';
import type { KeyWrapper } from '../store/key-wrapper.js';
import type { DoorRules } from './door-rules.js';
import { fleetDirectory } from './fleet-directory.js';
import { KioskFleet } from './kiosk-fleet.js';
import { isJoined } from './local.js';
import type { RemoteUnlockRequest } from './mqtt-events.js';
import { RemoteUnlockAudit } from './remote-unlock-audit.js';

/** The door screen's offline-grace notice is pushed this often (and on every fleet change): 30 s. */
const FLEET_NOTICE_MS = 30_000;

export interface FleetHostDeps {
  dataDir: string;
  keyWrapper: () => Promise<KeyWrapper>;
  /** The kiosk's chained audit log: a remote unlock is written there first, then shipped. */
  audit: Pick<AuditLog, 'append'>;
  /** Opens the door (a checked remote unlock). */
  openDoor: () => Promise<DoorResult>;
  /** A change at another door (a revocation): the matcher's gallery must follow. */
  onChanged: () => void;
  /** The door screen's view of the offline grace changed or is due again. */
  onNotice: (notice: DoorFleetNotice) => void;
  log: (message: string) => void;
  now?: () => number;
  /** Change-feed poll interval (tests shorten it). */
  pollMs?: number;
}

export class FleetHost {
  private instance: KioskFleet | null = null;
  /** Why a joined folder could not be opened: the kiosk then refuses everyone, never falls back. */
  problem: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Remote-unlock lines, refusals counted in bursts; each line written is shipped and published. */
  private readonly remoteUnlocks: RemoteUnlockAudit;

  constructor(private readonly deps: FleetHostDeps) {
    this.remoteUnlocks = new RemoteUnlockAudit(
      async (input) => {
        const record = await deps.audit.append(input);
        this.instance?.announce(record);
        return record;
      },
      deps.now ? { now: deps.now } : {},
    );
  }

  /** This kiosk as a door of a fleet; null on a lone kiosk or when it could not be opened. */
  get fleet(): KioskFleet | null {
    return this.instance;
  }

  /** Whether the data folder is a door of a fleet (even if it could not be opened). */
  get joined(): boolean {
    return isJoined(this.deps.dataDir);
  }

  /** The fleet's people (its replica), or null when the fleet is not open. */
  people(): PeopleDirectory | null {
    return this.instance ? fleetDirectory(this.instance) : null;
  }

  /** The frame path's fleet rules and announcements (door-rules.ts); null when not open. */
  rules(): DoorRules | null {
    const fleet = this.instance;
    if (!fleet) return null;
    return {
      refusal: (personId, now) => fleet.refusal(personId, now),
      announce: (record) => fleet.announce(record),
    };
  }

  /** Opens the joined folder's fleet door and follows it; a failure is kept in `problem`. */
  async open(): Promise<void> {
    const { deps } = this;
    try {
      const fleet = await KioskFleet.open(deps.dataDir, await deps.keyWrapper(), {
        log: deps.log,
        onRemoteUnlock: (request) => void this.remoteUnlock(request),
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
      });
      fleet.onChanged(() => {
        deps.onChanged();
        this.emitNotice();
      });
      fleet.door.on('connected', () => this.emitNotice());
      fleet.door.on('disconnected', () => this.emitNotice());
      this.instance = fleet;
      this.problem = null;
      await fleet.start();
      this.timer ??= setInterval(() => this.emitNotice(), FLEET_NOTICE_MS);
      this.timer.unref();
      deps.log(`fleet: door '${fleet.name}' of fleet ${fleet.fleetId}`);
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
      deps.log(`fleet: ${this.problem}`);
    }
    this.emitNotice();
  }

  /** The door screen's view of the offline grace. */
  notice(): DoorFleetNotice {
    const status = this.instance?.status();
    return {
      joined: this.joined,
      graceWarning: status?.grace_warning ?? false,
      offlineTooLong: status ? status.grace_left_ms < 0 : this.joined,
      graceLeftMs: status?.grace_left_ms ?? null,
    };
  }

  emitNotice(): void {
    this.deps.onNotice(this.notice());
  }

  /** A signed remote-unlock command over MQTT (off unless enabled): audited, then the door opens. */
  private async remoteUnlock(request: RemoteUnlockRequest): Promise<void> {
    const fleet = this.instance;
    if (!fleet) return;
    try {
      const door = request.ok ? await this.deps.openDoor() : null;
      await this.remoteUnlocks.record(request, door && { ok: door.ok, kind: door.kind, reason: door.reason });
    } catch (error) {
      this.deps.log(`remote unlock: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async close(): Promise<void> {
    await this.remoteUnlocks.flush();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.instance?.close();
    this.instance = null;
  }
}
