// The whole building's audit as the fleet database holds it (shipped by each door's
// AuditShipper), read through a door's login: filtered by door, person and time, oldest first.
import type { AuditRecord } from '../audit/types.js';
import { withClient } from './db.js';

export interface BuildingAuditFilter {
  door?: string | undefined;
  /** A person's id or name. */
  person?: string | undefined;
  /** ISO times; `until` is exclusive. */
  since?: string | null;
  until?: string | null;
}

export function buildingAudit(
  databaseUrl: string,
  filter: BuildingAuditFilter,
): Promise<{ door: string; record: AuditRecord }[]> {
  return withClient(databaseUrl, async (client) => {
    const r = await client.query<{ door: string; record: AuditRecord }>(
      `SELECT door, record FROM audit
       WHERE ($1::text IS NULL OR door = $1) AND ($2::text IS NULL OR person_id = $2 OR person_name = $2)
         AND ($3::timestamptz IS NULL OR time >= $3) AND ($4::timestamptz IS NULL OR time < $4)
       ORDER BY time, id`,
      [filter.door ?? null, filter.person ?? null, filter.since ?? null, filter.until ?? null],
    );
    return r.rows;
  });
}
