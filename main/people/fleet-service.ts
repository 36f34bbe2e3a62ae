// The admin screen's Fleet panel: join a fleet, this door's status, and the access groups
// (weekly schedules, members). Write rights: the panel writes exactly as `tobira fleet groups
// set --data-dir DIR` and `tobira fleet person --groups` do, through this door's own login,
// whose only write path is the database's tobira_put function (fleet/admin.ts grantDoorRole):
// it can change people and groups, never the audit, tokens or roles. No database owner URL is
// entered on the kiosk, so none is ever kept on it; token creation, revocation and `fleet init`
// stay with the CLI on an admin's PC. Every change is audited here and in the database
// (changed_by names this door).
import type {
  FleetAuditView,
  FleetGroups,
  FleetGroupView,
  FleetStatusView,
  FleetWindow,
} from '../../preload/contract/fleet.js';
import { joinFleet } from '../fleet/join.js';
import { withClient } from '../fleet/db.js';
import type { AuditRecord } from '../audit/types.js';
import { auditView } from '../use-cases/audit.js';
import type { KioskFleet } from '../kiosk/kiosk-fleet.js';
import { ExpectedError } from '../ipc/errors.js';
import type { AppServices } from '../services.js';

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

export class FleetService {
  constructor(private readonly services: AppServices) {}

  private requireFleet(): KioskFleet {
    const fleet = this.services.fleet;
    if (fleet) return fleet;
    if (this.services.joined)
      throw new ExpectedError(
        'FLEET_UNAVAILABLE',
        `The fleet could not be opened: ${this.services.fleetProblem}`,
      );
    throw new ExpectedError('FLEET_NOT_JOINED', 'This kiosk is not part of a fleet: join one first.');
  }

  status(): FleetStatusView {
    const fleet = this.services.fleet;
    if (!fleet) {
      return {
        joined: this.services.joined,
        door: null,
        fleet: null,
        connected: false,
        version: 0,
        lagMs: -1,
        graceLeftMs: null,
        graceWarning: false,
        problem: this.services.joined ? this.services.fleetProblem : null,
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
    };
  }

  /**
   * Joins with the kiosk's own key store (the OS keychain in the app). The kiosk then decides
   * against the fleet's people and rules; the local store is kept as it was, unused while joined.
   */
  async join(input: { databaseUrl: string; token: string; door: string }): Promise<FleetStatusView> {
    const { services } = this;
    if (services.joined)
      throw new ExpectedError('FLEET_ALREADY_JOINED', 'This kiosk is already a door of a fleet.');
    try {
      await joinFleet({
        databaseUrl: input.databaseUrl.trim(),
        token: input.token,
        door: input.door,
        dataDir: services.paths.dataDir,
        wrapper: await services.options.keyWrapper(),
      });
    } catch (error) {
      await services.auditAdmin(
        'fleet_join',
        { door: input.door, error: String((error as Error).message) },
        false,
      );
      throw error;
    }
    await services.openFleet();
    await services.fleet?.firstContact();
    await services.auditAdmin('fleet_join', { door: input.door, fleet: services.fleet?.fleetId ?? null });
    // The kiosk's flows are rebuilt on the fleet's people and rules (or refuse everyone, below).
    await services.engine.reload();
    if (!services.fleet)
      throw new ExpectedError(
        'FLEET_UNAVAILABLE',
        `Joined, but the fleet could not be opened: ${services.fleetProblem}`,
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
    const where = `($1::text IS NULL OR door = $1)
      AND ($2::text IS NULL OR person_id = $2 OR person_name = $2)
      AND ($3::timestamptz IS NULL OR time >= $3) AND ($4::timestamptz IS NULL OR time < $4)`;
    const params = [filter.door ?? null, filter.person ?? null, filter.since ?? null, filter.until ?? null];
    return withClient(fleet.door.config.databaseUrl, async (client) => {
      const total = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM audit WHERE ${where}`,
        params,
      );
      const rows = await client.query<{ door: string; record: AuditRecord }>(
        `SELECT door, record FROM audit WHERE ${where} ORDER BY time DESC, id LIMIT $5 OFFSET $6`,
        [...params, filter.limit, filter.offset],
      );
      return {
        records: rows.rows.map((r) => ({ ...auditView(r.record), doorName: r.door })),
        total: Number(total.rows[0]!.n),
      };
    });
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
    await this.services.auditAdmin('fleet_group_save', {
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
    await this.services.auditAdmin('fleet_group_remove', { groupId: id, name: group.name });
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
    await this.services.auditAdmin('fleet_group_members', {
      groupId: id,
      members: wanted.size,
      changed: changes.length,
    });
    return this.groups();
  }
}
