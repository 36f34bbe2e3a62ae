// The whole building's audit as the fleet database holds it (each door's decisions shipped by
// its AuditShipper; the CLI's admin actions at a door written at once), read through a door's
// login: filtered by door, person and time. `tobira audit export` and the Fleet panel read it here.
// Each row's name and record are sealed under the fleet key (audit-seal.ts says what the database
// sees, and why): rows are opened here, and a name is looked for by its keyed tag.
import type { AdminRecord, AuditEntry } from '../audit/types.js';
import { withClient } from './db.js';
import { nameTag, openAuditRecord, sealAuditRecord } from './audit-seal.js';

export interface BuildingAuditFilter {
  door?: string | undefined;
  /** A person's id or name. */
  person?: string | undefined;
  /** ISO times; `until` is exclusive. */
  since?: string | null | undefined;
  until?: string | null | undefined;
}

/** All of it oldest first (an export), or one page newest first (the Fleet panel). */
export type BuildingAuditOrder = { page: null } | { page: { limit: number; offset: number } };

// person_name is null on sealed rows, which match a name by its tag; rows shipped before sealing
// still match by it.
const WHERE = `($1::text IS NULL OR door = $1)
  AND ($2::text IS NULL OR person_id = $2 OR record->>'nameTag' = $5 OR person_name = $2)
  AND ($3::timestamptz IS NULL OR time >= $3) AND ($4::timestamptz IS NULL OR time < $4)`;

type Row = { id: string; door: string; record: unknown };

export function buildingAudit(
  databaseUrl: string,
  /** The fleet data key: each row opens with it. */
  fleetKey: Buffer,
  filter: BuildingAuditFilter,
  order: BuildingAuditOrder = { page: null },
): Promise<{ rows: { door: string; record: AuditEntry }[]; total: number }> {
  const person = filter.person ?? null;
  const params = [
    filter.door ?? null,
    person,
    filter.since ?? null,
    filter.until ?? null,
    person === null ? null : nameTag(fleetKey, person),
  ];
  const opened = (rows: Row[]) =>
    rows.map((r) => ({ door: r.door, record: openAuditRecord(fleetKey, r.id, r.door, r.record) }));
  return withClient(databaseUrl, async (client) => {
    if (!order.page) {
      const all = await client.query<Row>(
        `SELECT id::text AS id, door, record FROM audit WHERE ${WHERE} ORDER BY time, id`,
        params,
      );
      return { rows: opened(all.rows), total: all.rows.length };
    }
    const total = await client.query<{ n: string }>(`SELECT count(*) AS n FROM audit WHERE ${WHERE}`, params);
    const page = await client.query<Row>(
      `SELECT id::text AS id, door, record FROM audit WHERE ${WHERE} ORDER BY time DESC, id LIMIT $6 OFFSET $7`,
      [...params, order.page.limit, order.page.offset],
    );
    return { rows: opened(page.rows), total: Number(total.rows[0]!.n) };
  });
}

/**
 * An admin action taken at this door (the CLI's enroll, people remove), into the building's
 * audit through the door's login, under the id of its line in the door's own log, so a copy
 * sent twice stays one row. Its outcome column says 'admin', its reason the action.
 */
export async function appendAdminToBuilding(
  databaseUrl: string,
  door: string,
  record: AdminRecord,
  fleetKey: Buffer,
): Promise<void> {
  const personId = record.detail.personId;
  await withClient(databaseUrl, (client) =>
    client.query(
      `INSERT INTO audit (id, door, time, outcome, reason, person_id, person_name, record)
       VALUES ($1, $2, $3, 'admin', $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [
        record.id,
        door,
        record.time,
        record.action,
        typeof personId === 'string' ? personId : null,
        // The name (detail.name) is in the sealed record only.
        null,
        JSON.stringify(sealAuditRecord(fleetKey, door, record)),
      ],
    ),
  );
}
