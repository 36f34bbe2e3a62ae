// The whole building's audit as the fleet database holds it (each door's decisions shipped by
// its AuditShipper; the CLI's admin actions at a door written at once), read through a door's
// login: filtered by door, person and time. `tobira audit export` and the Fleet panel read it here.
import type { AdminRecord, AuditEntry } from '../audit/types.js';
import { withClient } from './db.js';

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

const WHERE = `($1::text IS NULL OR door = $1)
  AND ($2::text IS NULL OR person_id = $2 OR person_name = $2)
  AND ($3::timestamptz IS NULL OR time >= $3) AND ($4::timestamptz IS NULL OR time < $4)`;

export function buildingAudit(
  databaseUrl: string,
  filter: BuildingAuditFilter,
  order: BuildingAuditOrder = { page: null },
): Promise<{ rows: { door: string; record: AuditEntry }[]; total: number }> {
  const params = [filter.door ?? null, filter.person ?? null, filter.since ?? null, filter.until ?? null];
  return withClient(databaseUrl, async (client) => {
    if (!order.page) {
      const all = await client.query<{ door: string; record: AuditEntry }>(
        `SELECT door, record FROM audit WHERE ${WHERE} ORDER BY time, id`,
        params,
      );
      return { rows: all.rows, total: all.rows.length };
    }
    const total = await client.query<{ n: string }>(`SELECT count(*) AS n FROM audit WHERE ${WHERE}`, params);
    const page = await client.query<{ door: string; record: AuditEntry }>(
      `SELECT door, record FROM audit WHERE ${WHERE} ORDER BY time DESC, id LIMIT $5 OFFSET $6`,
      [...params, order.page.limit, order.page.offset],
    );
    return { rows: page.rows, total: Number(total.rows[0]!.n) };
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
): Promise<void> {
  const name = record.detail.name;
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
        typeof name === 'string' ? name : null,
        JSON.stringify(record),
      ],
    ),
  );
}
