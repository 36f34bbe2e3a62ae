// The admin screen's Fleet panel: join a fleet, this door's status, and the access groups
// (weekly schedules, members). Write rights (issue 17): the door's own login only reads; the panel
// writes as `tobira fleet groups set --admin-key FILE` does, signed with the admin key the admin
// opens for this session (openAdminKey), on the writer login that key file carries. The key is
// kept in memory until the admin session ends, never on the door. No database owner URL is
// entered on the kiosk, so none is ever kept on it; token creation, revocation and `fleet init`
// stay with the CLI on an admin's PC. Every change is audited here, and in the database as the
// signed change (signed_changes names the admin key).
import type {
  FleetAuditView,
  FleetGroups,
  FleetGroupView,
  FleetStatusView,
  FleetWindow,
} from '../../preload/contract/fleet.js';
import { joinFleet } from '../fleet/join.js';
import { buildingAudit } from '../fleet/building-audit.js';
import { auditView } from './audit.js';
import type { KioskFleet } from '../fleet/kiosk-fleet.js';
import { ExpectedError } from './expected-error.js';
import type { AdminAction, AdminRecord } from '../audit/types.js';
import type { FleetHost } from '../fleet/fleet-host.js';
import type { KeyWrapper } from '../store/key-wrapper.js';

export interface GroupInput {
  id: string | null;
  name: string;
  doors: string[];
  timeZone: string;
  windows: FleetWindow[];
}

export interface FleetAuditFilter {
  offset: number;
  limit: number;
  door?: string | undefined;
  person?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** What the Fleet panel's use case needs from the app: the fleet's host and three calls. */
export interface FleetAdminDeps {
  host: Pick<FleetHost, 'fleet' | 'joined' | 'problem' | 'open'>;
  dataDir: string;
  keyWrapper: () => Promise<KeyWrapper>;
  /** Logs an admin action in the chained audit log (best effort). */
  auditAdmin: (action: AdminAction, detail?: AdminRecord['detail'], ok?: boolean) => Promise<void>;
  /** Rebuilds the kiosk's flows on the people and rules that now apply. */
  reloadEngine: () => Promise<void>;
}

export class FleetAdmin {
  constructor(private readonly deps: FleetAdminDeps) {}

  private requireFleet(): KioskFleet {
    const fleet = this.deps.host.fleet;
    if (fleet) return fleet;
    if (this.deps.host.joined)
      throw new ExpectedError(
        'FLEET_UNAVAILABLE',
        `The fleet could not be opened: ${this.deps.host.problem}`,
      );
    throw new ExpectedError('FLEET_NOT_JOINED', 'This kiosk is not part of a fleet: join one first.');
  }

  status(): FleetStatusView {
    const fleet = this.deps.host.fleet;
    if (!fleet) {
      return {
        joined: this.deps.host.joined,
        door: null,
        fleet: null,
        connected: false,
        version: 0,
        lagMs: -1,
        graceLeftMs: null,
        graceWarning: false,
        problem: this.deps.host.joined ? this.deps.host.problem : null,
        backlog: null,
        adminKey: null,
      };
    }
    const s = fleet.status();
    return {
      joined: true,
      door: s.door,
      fleet: fleet.fleetId,
      connected: s.connected,
      version: s.version,
      lagMs: s.lag_ms,
      graceLeftMs: s.grace_left_ms,
      graceWarning: s.grace_warning,
      problem: null,
      backlog: {
        pending: s.audit_pending,
        oldestMs: s.audit_oldest_ms,
        shipError: s.ship_error,
        mqtt: s.mqtt,
      },
      adminKey: fleet.adminKey,
    };
  }

  /** Opens an admin key (the key file's text) for this session; a wrong passphrase says so. */
  async openAdminKey(keyFile: string, passphrase: string): Promise<{ id: string; name: string }> {
    return this.requireFleet().bringAdminKey(keyFile, passphrase);
  }

  /**
   * Joins with the kiosk's own key store (the OS keychain in the app). The kiosk then decides
   * against the fleet's people and rules; the local store is kept as it was, unused while joined.
   */
  async join(input: { databaseUrl: string; token: string; door: string }): Promise<FleetStatusView> {
    const { deps } = this;
    if (deps.host.joined)
      throw new ExpectedError('FLEET_ALREADY_JOINED', 'This kiosk is already a door of a fleet.');
    try {
      await joinFleet({
        databaseUrl: input.databaseUrl.trim(),
        token: input.token,
        door: input.door,
        dataDir: deps.dataDir,
        wrapper: await deps.keyWrapper(),
      });
    } catch (error) {
      await deps.auditAdmin(
        'fleet_join',
        { door: input.door, error: String((error as Error).message) },
        false,
      );
      throw error;
    }
    await deps.host.open();
    await deps.host.fleet?.firstContact();
    await deps.auditAdmin('fleet_join', {
      door: input.door,
      fleet: deps.host.fleet?.fleetId ?? null,
    });
    // The kiosk's flows are rebuilt on the fleet's people and rules (or refuse everyone, below).
    await deps.reloadEngine();
    if (!deps.host.fleet)
      throw new ExpectedError(
        'FLEET_UNAVAILABLE',
        `Joined, but the fleet could not be opened: ${deps.host.problem}`,
      );
    return this.status();
  }

  /**
   * The building's audit from the database, read with this door's login (doors may read the
   * audit, never change it), as `tobira audit export --data-dir` does. This door's own records
   * not yet shipped are in its local log (the Audit tab) until they arrive.
   */
  async audit(filter: FleetAuditFilter): Promise<{ records: FleetAuditView[]; total: number }> {
    const fleet = this.requireFleet();
    const { databaseUrl, fleetKey } = fleet.door.config;
    const { rows, total } = await buildingAudit(databaseUrl, fleetKey, filter, {
      page: { limit: filter.limit, offset: filter.offset },
    });
    return { records: rows.map((r) => ({ ...auditView(r.record), doorName: r.door })), total };
  }

  groups(): FleetGroups {
    const view = this.requireFleet().view;
    const people = [...view.people.values()].sort((a, b) => a.name.localeCompare(b.name));
    const groups: FleetGroupView[] = [...view.groups.values()]
      .map((g) => ({
        id: g.id,
        name: g.name,
        doors: g.doors,
        timeZone: g.timeZone,
        windows: g.windows,
        members: people.filter((p) => p.groups.includes(g.id)).map((p) => p.id),
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return {
      groups,
      people: people.map((p) => ({ id: p.id, name: p.name, disabled: p.disabled })),
    };
  }

  async saveGroup(input: GroupInput): Promise<FleetGroups> {
    const fleet = this.requireFleet();
    if (input.id !== null && !fleet.view.groups.has(input.id))
      throw new ExpectedError('FLEET_INVALID_INPUT', `no group ${input.id} in the fleet`);
    const saved = await fleet.write(
      (w) =>
        w.putGroup(input.id, {
          name: input.name,
          doors: [...new Set(input.doors)],
          timeZone: input.timeZone,
          windows: input.windows,
        }),
      (r) => r.version,
    );
    await this.deps.auditAdmin('fleet_group_save', {
      groupId: saved.id,
      name: input.name,
      doors: input.doors,
      timeZone: input.timeZone,
      windows: input.windows.length,
    });
    return this.groups();
  }

  async removeGroup(id: string): Promise<FleetGroups> {
    const fleet = this.requireFleet();
    const group = fleet.view.groups.get(id);
    if (!group) throw new ExpectedError('FLEET_INVALID_INPUT', `no group ${id} in the fleet`);
    await fleet.write(
      (w) => w.removeGroup(id),
      (v) => v,
    );
    await this.deps.auditAdmin('fleet_group_remove', { groupId: id, name: group.name });
    return this.groups();
  }

  /** The group's members become exactly `personIds`: each changed person in one write. */
  async setMembers(id: string, personIds: string[]): Promise<FleetGroups> {
    const fleet = this.requireFleet();
    const view = fleet.view;
    if (!view.groups.has(id)) throw new ExpectedError('FLEET_INVALID_INPUT', `no group ${id} in the fleet`);
    const wanted = new Set(personIds);
    for (const pid of wanted)
      if (!view.people.has(pid))
        throw new ExpectedError('FLEET_INVALID_INPUT', `no person ${pid} in the fleet`);
    const changes = [...view.people.values()].flatMap((p) => {
      const has = p.groups.includes(id);
      if (has === wanted.has(p.id)) return [];
      return [{ id: p.id, groups: has ? p.groups.filter((g) => g !== id) : [...p.groups, id] }];
    });
    if (changes.length > 0) {
      await fleet.write(
        async (w) => {
          let version = 0;
          for (const c of changes) version = Math.max(version, await w.setGroups(c.id, c.groups));
          return version;
        },
        (v) => v,
      );
    }
    await this.deps.auditAdmin('fleet_group_members', {
      groupId: id,
      members: wanted.size,
      changed: changes.length,
    });
    return this.groups();
  }
}
