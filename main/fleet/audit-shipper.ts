// Ships the door's local audit log to the fleet database. The local log stays the record of
// truth and is written first (durably, by AuditLog); shipping happens after, and again after any
// failure. Each record's UUID is the database's primary key and rows go in with ON CONFLICT DO
// NOTHING, so a batch sent twice (a crash between the INSERT and saving the cursor) still gives
// exactly one row per event.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditRecord } from '../audit/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { fleetDir } from './local.js';

const CURSOR_FILE = 'audit-shipped.json';
/** Rows per INSERT: 500 × 8 parameters stays far below PostgreSQL's 65,535-parameter limit. */
const BATCH = 500;
/** AuditLog.read's page limit. */
const READ_PAGE = 1000;

/** Every local record, oldest first. */
async function allRecords(log: AuditLog): Promise<AuditRecord[]> {
  const first = await log.read({ offset: 0, limit: READ_PAGE });
  const out = [...first.records];
  for (let offset = READ_PAGE; offset < first.total; offset += READ_PAGE) {
    out.push(...(await log.read({ offset, limit: READ_PAGE })).records);
  }
  return out.reverse();
}

export class AuditShipper {
  private readonly cursorFile: string;

  constructor(
    dataDir: string,
    private readonly log: AuditLog,
    private readonly door: string,
  ) {
    this.cursorFile = path.join(fleetDir(dataDir), CURSOR_FILE);
  }

  private async cursor(): Promise<string | null> {
    try {
      return (JSON.parse(await readFile(this.cursorFile, 'utf8')) as { lastId: string | null }).lastId;
    } catch {
      return null; // none yet, or unreadable: ship from the start, duplicates are ignored
    }
  }

  /** Records not yet confirmed in the database. */
  async pending(): Promise<AuditRecord[]> {
    const records = await allRecords(this.log);
    const last = await this.cursor();
    const at = last === null ? -1 : records.findIndex((r) => r.id === last);
    return records.slice(at + 1);
  }

  /** Sends what is pending; returns the number of records sent. Throws (keeping them queued) on failure. */
  async ship(client: pg.ClientBase): Promise<number> {
    const pending = await this.pending();
    for (let i = 0; i < pending.length; i += BATCH) {
      const batch = pending.slice(i, i + BATCH);
      const values: unknown[] = [];
      const rows = batch.map((r, j) => {
        values.push(
          r.id,
          this.door,
          r.time,
          r.outcome,
          r.reason,
          r.personId,
          r.personName,
          JSON.stringify(r),
        );
        const b = j * 8;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`;
      });
      await client.query(
        `INSERT INTO audit (id, door, time, outcome, reason, person_id, person_name, record) VALUES ${rows.join(', ')}
         ON CONFLICT (id) DO NOTHING`,
        values,
      );
      await writeFileAtomic(this.cursorFile, JSON.stringify({ lastId: batch[batch.length - 1]!.id }) + '\n');
    }
    return pending.length;
  }
}
