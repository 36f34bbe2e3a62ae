// The door a CLI command acts for, lone or fleet, behind one interface: whom it knows (a
// PeopleDirectory: the store, or the fleet's replica written through the door's login), its
// rules (a fleet door's, fleet/door-rules.ts; none on a lone kiosk), where its admin lines go and
// what its audit export holds. This is the one place that asks whether `--data-dir` names a
// joined folder; enroll, identify, people and audit run one path over what it returns.
import path from 'node:path';
import { AuditLog } from '../audit/audit-log.js';
import { csvCell, csvRow, CSV_COLUMNS } from '../audit/csv.js';
import type { AdminInput } from '../audit/types.js';
import { appendAdminToBuilding, buildingAudit, type BuildingAuditFilter } from '../fleet/building-audit.js';
import { fleetPeopleSource, isJoined, openFleet } from '../fleet/cli-context.js';
import { describeRefusal } from '../fleet/verify.js';
import { fleetRefusal, graceLeftMs, type DoorRules } from '../fleet/door-rules.js';
import { fleetDirectory } from '../fleet/fleet-directory.js';
import { localDirectory, type PeopleDirectory } from '../people/people-directory.js';
import { UsageError, type CliIO } from './command.js';
import { cliPaths } from './data-dir.js';
import { auditCli, cliAuditDir, openCliStore } from './store-cli.js';

export interface CliDoor {
  readonly kind: 'lone' | 'fleet';
  readonly people: PeopleDirectory;
  /** A fleet door's rule for a matched person; null on a lone kiosk. */
  readonly rules: Pick<DoorRules, 'refusal'> | null;
  /** What a JSON answer adds about the door (a fleet door: its fleet and replica version). */
  facts(): Record<string, string | number>;
  /** What a listing adds about a person (a fleet door: disabled, access groups). */
  personFacts(personId: string): { disabled?: boolean; groups?: string[] };
  /** Writes one of the CLI's admin actions to the door's audit log (a fleet door's reaches the building's too). */
  audit(event: Omit<AdminInput, 'actor'>): Promise<unknown>;
}

export interface CliDoorOptions {
  /** A lone kiosk's store is created when missing (enroll). */
  create?: boolean;
  /** The command changes people: a fleet door must reach its database, not answer from the replica. */
  write?: boolean;
}

type StoreFlags = { store?: string | undefined; key?: string | undefined };

/** The joined data folder the dispatcher's --data-dir named, or null (a lone kiosk's store). */
function joinedDir(io: CliIO): string | null {
  const value = io.paths?.dataDir;
  return value && isJoined(path.resolve(value)) ? path.resolve(value) : null;
}

/** The door `--data-dir` (or `--store`) names: the fleet's, caught up with the change feed, or the store. */
export async function openCliDoor(
  values: StoreFlags,
  io: CliIO,
  options: CliDoorOptions = {},
): Promise<CliDoor> {
  const paths = cliPaths(io);
  const dir = joinedDir(io);
  if (!dir) {
    const store = await openCliStore(values, options.create === true, paths);
    return {
      kind: 'lone',
      people: localDirectory(store),
      rules: null,
      facts: () => ({}),
      personFacts: () => ({}),
      audit: (event) => auditCli(cliAuditDir(paths, io, values.store), store, event),
    };
  }
  const fleet = await openFleet(dir, { catchUp: true });
  if (fleet.syncError) {
    if (options.write) throw fleet.syncError; // a change needs the database: say so rather than queue
    io.err(`warning: answering from the local replica: ${fleet.syncError.message}`);
  }
  for (const r of fleet.refusals) io.err(`warning: ${describeRefusal(r)}`);
  const source = fleetPeopleSource(fleet);
  const { door, fleet: fleetId, offlineGraceMs } = fleet.config;
  return {
    kind: 'fleet',
    people: fleetDirectory(source),
    rules: {
      refusal: (personId, now) =>
        fleetRefusal(
          { view: source.view, door, graceLeftMs: graceLeftMs(fleet.replica.syncedAt, offlineGraceMs, now) },
          personId,
          now,
        ),
    },
    facts: () => ({ fleet: fleetId, version: fleet.replica.version }),
    personFacts: (id) => {
      const p = source.view.people.get(id);
      return p ? { disabled: p.disabled, groups: p.groups } : {};
    },
    // The door's own log (<data dir>/audit) first, as the headless door writes it (no store key
    // here); then the building's audit, under the same id.
    audit: async (event) => {
      const record = await auditCli(paths.auditDir, null, {
        ...event,
        detail: { ...event.detail, fleet: fleetId },
      });
      await appendAdminToBuilding(fleet.config.databaseUrl, door, record, fleet.config.fleetKey);
    },
  };
}

const isoOrThrow = (value: string | undefined, flag: string): string | null => {
  if (value === undefined) return null;
  if (Number.isNaN(Date.parse(value)))
    throw new UsageError(`--${flag}: expected a date/time such as 2026-06-01T09:00:00Z, got '${value}'`);
  return new Date(value).toISOString();
};

/**
 * What `tobira audit export` writes, oldest first: on a lone kiosk its log (`auditDir`), on a
 * fleet door the whole building's audit from the database, filtered, with a leading door column.
 */
export async function auditExport(
  io: CliIO,
  auditDir: string | undefined,
  filter: Omit<BuildingAuditFilter, 'since' | 'until'> & {
    since?: string | undefined;
    until?: string | undefined;
  },
): Promise<{ csv: string; count: number; from: string }> {
  const dir = joinedDir(io);
  if (!dir) {
    const log = new AuditLog(path.resolve(auditDir ?? cliPaths(io).auditDir));
    const csv = await log.exportCsv();
    return { csv, count: csv.split('\r\n').length - 2, from: '' };
  }
  const since = isoOrThrow(filter.since, 'since');
  const until = isoOrThrow(filter.until, 'until');
  const fleet = await openFleet(dir);
  const { rows } = await buildingAudit(fleet.config.databaseUrl, fleet.config.fleetKey, {
    ...filter,
    since,
    until,
  });
  const csv =
    [['door', ...CSV_COLUMNS].join(','), ...rows.map((r) => `${csvCell(r.door)},${csvRow(r.record)}`)].join(
      '\r\n',
    ) + '\r\n';
  return { csv, count: rows.length, from: ' from the fleet' };
}
