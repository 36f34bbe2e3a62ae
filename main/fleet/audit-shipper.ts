// Ships the door's local audit log to the fleet database. The local log stays the record of
// truth and is written first (durably, by AuditLog); shipping happens after, and again after any
// failure, from a durable cursor: the chain seq of the last line shipped, saved atomically after
// each batch. Each record's UUID is the database's primary key and rows go in with ON CONFLICT DO
// NOTHING, so a batch sent twice (a crash between the INSERT and saving the cursor) still gives
// exactly one row per event.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditRecord } from '../audit/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { fleetDir } from './local.js';
import { sealAuditRecord } from './audit-seal.js';

const CURSOR_FILE = 'audit-shipped.json';
/** Rows per INSERT: 500 × 8 parameters stays far below PostgreSQL's 65,535-parameter limit. */
const BATCH = 500;

/**
 * How far shipping has reached: the chain seq of the last line shipped (audit-chain.ts), and
 * that line's id to tell a log that started again (a new audit folder) from one that moved on.
 * Files from before the cursor had a seq hold only `lastId`.
 */
interface Cursor {
  seq: number;
  lastId: string | null;
}

export interface Backlog {
  /** Decisions not yet confirmed in the database. */
  count: number;
  /** The oldest one's time (ISO), null when none wait. */
  oldest: string | null;
}

/**
 * Reads forward from the cursor: one read of the log per ship (AuditLog.readSince), never pages
 * counted from the newest end. Paging from the newest end re-read the log for every page, so a
 * decision written between two page reads shifted the pages and the oldest record was skipped
 * and marked shipped (13 of 60 trials in the drill).
 */
export class AuditShipper {
  private readonly cursorFile: string;

  constructor(
    dataDir: string,
    private readonly log: AuditLog,
    private readonly door: string,
    /** The fleet data key: each row's name and record go in sealed (audit-seal.ts). */
    private readonly fleetKey: Buffer,
  ) {
    this.cursorFile = path.join(fleetDir(dataDir), CURSOR_FILE);
  }

  private async cursor(): Promise<Cursor> {
    try {
      const saved = JSON.parse(await readFile(this.cursorFile, 'utf8')) as Partial<Cursor>;
      if (typeof saved.seq === 'number') return { seq: saved.seq, lastId: saved.lastId ?? null };
      if (typeof saved.lastId !== 'string') return { seq: 0, lastId: null };
      // A cursor written before seqs: the seq of the line it names (0 if gone: ship it all again).
      const all = await this.log.readSince(0);
      const at = all.records.find((r) => r.record.id === saved.lastId);
      return { seq: at?.seq ?? 0, lastId: saved.lastId };
    } catch {
      return { seq: 0, lastId: null }; // none yet, or unreadable: ship from the start, duplicates are ignored
    }
  }

  /** What waits after the cursor, oldest first, and the log's newest seq. */
  private async unshipped(): Promise<{ records: { seq: number; record: AuditRecord }[]; lastSeq: number }> {
    const cursor = await this.cursor();
    const read = await this.log.readSince(cursor.seq);
    // The log is behind the cursor: it started again (a new audit folder); ship all of it.
    return read.lastSeq < cursor.seq ? this.log.readSince(0) : read;
  }

  /** Records not yet confirmed in the database. */
  async pending(): Promise<AuditRecord[]> {
    return (await this.unshipped()).records.map((r) => r.record);
  }

  async backlog(): Promise<Backlog> {
    const { records } = await this.unshipped();
    return { count: records.length, oldest: records[0]?.record.time ?? null };
  }

  /** Sends what is pending; returns the number of records sent. Throws (keeping them queued) on failure. */
  async ship(client: pg.ClientBase): Promise<number> {
    const { records: pending, lastSeq } = await this.unshipped();
    for (let i = 0; i < pending.length; i += BATCH) {
      const batch = pending.slice(i, i + BATCH);
      const values: unknown[] = [];
      const rows = batch.map(({ record: r }, j) => {
        values.push(
          r.id,
          this.door,
          r.time,
          r.outcome,
          r.reason,
          r.personId,
          // The name is in the sealed record only: the database sees the person's id.
          null,
          JSON.stringify(sealAuditRecord(this.fleetKey, this.door, r)),
        );
        const b = j * 8;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`;
      });
      await client.query(
        `INSERT INTO audit (id, door, time, outcome, reason, person_id, person_name, record) VALUES ${rows.join(', ')}
         ON CONFLICT (id) DO NOTHING`,
        values,
      );
      const last = batch[batch.length - 1]!;
      // The whole read shipped: past any admin lines after the last decision too.
      const seq = i + BATCH >= pending.length ? Math.max(last.seq, lastSeq) : last.seq;
      await this.saveCursor({ seq, lastId: last.record.id });
    }
    return pending.length;
  }

  private async saveCursor(cursor: Cursor): Promise<void> {
    await writeFileAtomic(this.cursorFile, JSON.stringify(cursor) + '\n');
  }
}
