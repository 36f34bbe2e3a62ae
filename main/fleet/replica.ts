// The door's local encrypted replica of the fleet: every entity row as the database sent it
// (still sealed under the fleet key), the highest version applied, and when the replica was last
// known to be current. The whole file is sealed again under the door's local key and replaced
// atomically, so a batch is applied whole or not at all, even through kill -9 or a power cut.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { seal, unseal } from '../store/crypto.js';
import { describeIssues } from '../store/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { EntityKind } from './entities.js';
import { FleetError } from './errors.js';
import { fleetDir } from './local.js';

const REPLICA_FILE = 'replica.json';
const AAD = 'tobira-fleet/v1/replica';

export interface EntityRow {
  kind: EntityKind;
  id: string;
  parent: string | null;
  version: number;
  /** null: a tombstone. */
  sealed: Buffer | null;
}

const rowSchema = z.object({
  kind: z.enum(['person', 'template', 'group']),
  id: z.string(),
  parent: z.string().nullable(),
  version: z.number().int(),
  sealed: z.base64().nullable(),
});
const payloadSchema = z.object({
  fleet: z.string(),
  version: z.number().int().min(0),
  /** ms since the epoch; 0 = never. */
  syncedAt: z.number(),
  rows: z.array(rowSchema),
});

const MARK_PERSIST_MS = 60_000;

export class Replica {
  private persistedSyncedAt = 0;
  private constructor(
    readonly file: string,
    private readonly key: Buffer,
    readonly fleet: string,
    private rowsByKey: Map<string, EntityRow>,
    private _version: number,
    private _syncedAt: number,
  ) {}

  static async open(dataDir: string, key: Buffer, fleet: string): Promise<Replica> {
    const file = path.join(fleetDir(dataDir), REPLICA_FILE);
    let blob: Buffer;
    try {
      blob = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return new Replica(file, key, fleet, new Map(), 0, 0);
    }
    const plain = unseal(key, blob, AAD);
    if (!plain)
      throw new FleetError(
        'wrong_key',
        `${file}: the replica failed authentication (altered, or another door's)`,
      );
    const parsed = payloadSchema.safeParse(JSON.parse(plain.toString('utf8')));
    if (!parsed.success) throw new FleetError('database_error', `${file}: ${describeIssues(parsed.error)}`);
    if (parsed.data.fleet !== fleet)
      throw new FleetError('wrong_key', `${file} belongs to fleet ${parsed.data.fleet}`);
    const rows = new Map<string, EntityRow>();
    for (const r of parsed.data.rows) {
      rows.set(`${r.kind}:${r.id}`, {
        ...r,
        sealed: r.sealed === null ? null : Buffer.from(r.sealed, 'base64'),
      });
    }
    return new Replica(file, key, fleet, rows, parsed.data.version, parsed.data.syncedAt);
  }

  get version(): number {
    return this._version;
  }

  /** When the replica was last confirmed current against the database (ms); 0 = never. */
  get syncedAt(): number {
    return this._syncedAt;
  }

  rows(kind?: EntityKind): EntityRow[] {
    const all = [...this.rowsByKey.values()];
    return kind ? all.filter((r) => r.kind === kind) : all;
  }

  get(kind: EntityKind, id: string): EntityRow | undefined {
    return this.rowsByKey.get(`${kind}:${id}`);
  }

  /**
   * Applies a batch of rows from the change feed (idempotent: a row older than what is held is
   * ignored) and persists the result in one atomic write. `syncedAt` is when the batch was read.
   */
  async apply(rows: readonly EntityRow[], syncedAt: number): Promise<number> {
    const next = new Map(this.rowsByKey);
    let version = this._version;
    let changed = 0;
    for (const row of rows) {
      const key = `${row.kind}:${row.id}`;
      const held = next.get(key);
      if (!held || held.version < row.version) {
        next.set(key, row);
        changed++;
      }
      version = Math.max(version, row.version);
    }
    await this.persist(next, version, syncedAt);
    this.rowsByKey = next;
    this._version = version;
    this._syncedAt = syncedAt;
    return changed;
  }

  /**
   * Records that the replica was current at `at` without new rows. Persisted at most once a
   * minute (the whole file is rewritten): after a restart the offline-grace clock may then start
   * up to a minute early, which errs on the safe side.
   */
  async markSynced(at: number): Promise<void> {
    if (at - this.persistedSyncedAt >= MARK_PERSIST_MS) await this.persist(this.rowsByKey, this._version, at);
    this._syncedAt = at;
  }

  private async persist(rows: Map<string, EntityRow>, version: number, syncedAt: number): Promise<void> {
    const payload = {
      fleet: this.fleet,
      version,
      syncedAt,
      rows: [...rows.values()].map((r) => ({ ...r, sealed: r.sealed?.toString('base64') ?? null })),
    };
    await writeFileAtomic(this.file, seal(this.key, Buffer.from(JSON.stringify(payload), 'utf8'), AAD));
    this.persistedSyncedAt = syncedAt;
  }
}
