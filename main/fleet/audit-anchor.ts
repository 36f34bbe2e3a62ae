// The chain head held off the PC: a fleet door's shipped audit rows carry each line's chain fields
// (seq, prev) in `record`, so the newest shipped row of a door anchors its local log. `tobira audit
// verify --data-dir DIR` on a joined folder compares the local log against it (audit/verify.ts,
// anchorProblem): a cut end or a deleted log is named. Admin lines are not shipped, so the anchor
// is the newest decision shipped; lines written after it are anchored by the next ship.
import type { ChainAnchor } from '../audit/verify.js';
import { withClient } from './db.js';

export function shippedAnchor(databaseUrl: string, door: string): Promise<ChainAnchor | null> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ seq: string; prev: string; id: string }>(
      `SELECT record->>'seq' AS seq, record->>'prev' AS prev, id::text AS id FROM audit
        WHERE door = $1 AND jsonb_typeof(record->'seq') = 'number' AND jsonb_typeof(record->'prev') = 'string'
        ORDER BY (record->>'seq')::bigint DESC LIMIT 1`,
      [door],
    );
    const row = rows[0];
    return row ? { seq: Number(row.seq), prev: row.prev, id: row.id } : null;
  });
}
