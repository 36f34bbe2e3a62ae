// The door's local encrypted replica of the fleet: every entity row as the database sent it
// (still sealed under the fleet key), the highest version applied, and when the replica was last
// known to be current. Two files, both sealed under the door's local key:
//   replica.snapshot  everything up to some version, replaced atomically (compaction);
//   replica.journal   batches applied since, appended as sealed frames and fsync'd.
// A batch is one frame, so it is applied whole or not at all: a frame cut by kill -9 or a power
// cut fails its length or authentication check on the next start, and is dropped (the door then
// pulls that batch again). Appending keeps a change cheap however large the fleet is.
import { open, readFile, rm, truncate } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { seal, unseal } from '../store/crypto.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { EntityKind } from './entities.js';
import { FleetError } from './errors.js';
import { fleetDir } from './local.js';
import { decodeRows, encodeRows } from './replica-codec.js';

const SNAPSHOT = 'replica.snapshot';
const JOURNAL = 'replica.journal';
const SNAPSHOT_AAD = 'tobira-fleet/v1/replica-snapshot';
const FRAME_AAD = 'tobira-fleet/v1/replica-journal';
/** Compact when the journal passes this size (it is replayed on every start). */
const COMPACT_BYTES = 32 * 1024 * 1024;
/** Persist "still current" at most once a minute: a restart may then start the grace clock up to a minute early (safe side). */
const MARK_PERSIST_MS = 60_000;

export interface EntityRow {
  kind: EntityKind;
  id: string;
  parent: string | null;
  version: number;
  /** null: a tombstone. */
  sealed: Buffer | null;
}

const headerSchema = z.object({ fleet: z.string(), version: z.number().int().min(0), syncedAt: z.number() });

/** plaintext = u32 header length | header JSON | rows */
function pack(header: z.infer<typeof headerSchema>, rows: Iterable<EntityRow>): Buffer {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length);
  return Buffer.concat([len, h, encodeRows(rows)]);
}

function unpack(plain: Buffer): { header: z.infer<typeof headerSchema>; rows: EntityRow[] } {
  const n = plain.readUInt32LE(0);
  const header = headerSchema.parse(JSON.parse(plain.subarray(4, 4 + n).toString('utf8')));
  return { header, rows: decodeRows(plain.subarray(4 + n)) };
}

export class Replica {
  private persistedSyncedAt = 0;
  private journalBytes = 0;

  private constructor(
    private readonly dir: string,
    private readonly key: Buffer,
    readonly fleet: string,
    private rowsByKey: Map<string, EntityRow>,
    private _version: number,
    private _syncedAt: number,
  ) {}

  static async open(dataDir: string, key: Buffer, fleet: string): Promise<Replica> {
    const dir = fleetDir(dataDir);
    const rows = new Map<string, EntityRow>();
    let version = 0;
    let syncedAt = 0;
    const take = (header: z.infer<typeof headerSchema>, list: EntityRow[], where: string) => {
      if (header.fleet !== fleet)
        throw new FleetError('wrong_key', `${where} belongs to fleet ${header.fleet}`);
      for (const r of list) {
        const k = `${r.kind}:${r.id}`;
        const held = rows.get(k);
        if (!held || held.version < r.version) rows.set(k, r);
      }
      version = Math.max(version, header.version);
      syncedAt = Math.max(syncedAt, header.syncedAt);
    };
    const snapFile = path.join(dir, SNAPSHOT);
    const snap = await readIfExists(snapFile);
    if (snap) {
      const plain = unseal(key, snap, SNAPSHOT_AAD);
      if (!plain)
        throw new FleetError(
          'wrong_key',
          `${snapFile}: the replica failed authentication (altered, or another door's)`,
        );
      const { header, rows: list } = unpack(plain);
      take(header, list, snapFile);
    }
    const journalFile = path.join(dir, JOURNAL);
    const journal = await readIfExists(journalFile);
    let good = 0;
    if (journal) {
      // Frames: u32 length | sealed plaintext. Stop at the first torn or unauthentic frame.
      while (good + 4 <= journal.length) {
        const len = journal.readUInt32LE(good);
        if (good + 4 + len > journal.length) break;
        const plain = unseal(key, journal.subarray(good + 4, good + 4 + len), FRAME_AAD);
        if (!plain) break;
        const { header, rows: list } = unpack(plain);
        take(header, list, journalFile);
        good += 4 + len;
      }
      if (good < journal.length) await truncate(journalFile, good); // drop the torn tail
    }
    const replica = new Replica(dir, key, fleet, rows, version, syncedAt);
    replica.journalBytes = good;
    replica.persistedSyncedAt = syncedAt;
    return replica;
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
   * Applies a batch from the change feed (idempotent: a row older than what is held is ignored)
   * and persists it as one journal frame. `syncedAt` is when the batch was read.
   */
  async apply(rows: readonly EntityRow[], syncedAt: number): Promise<number> {
    let version = this._version;
    const fresh: EntityRow[] = [];
    for (const row of rows) {
      const held = this.rowsByKey.get(`${row.kind}:${row.id}`);
      if (!held || held.version < row.version) fresh.push(row);
      version = Math.max(version, row.version);
    }
    await this.append({ fleet: this.fleet, version, syncedAt }, fresh);
    for (const row of fresh) this.rowsByKey.set(`${row.kind}:${row.id}`, row);
    this._version = version;
    this._syncedAt = syncedAt;
    this.persistedSyncedAt = syncedAt;
    if (this.journalBytes > COMPACT_BYTES) await this.compact();
    return fresh.length;
  }

  /** Records that the replica was current at `at` without new rows. */
  async markSynced(at: number): Promise<void> {
    if (at - this.persistedSyncedAt >= MARK_PERSIST_MS) {
      await this.append({ fleet: this.fleet, version: this._version, syncedAt: at }, []);
      this.persistedSyncedAt = at;
    }
    this._syncedAt = at;
  }

  /** Writes everything into a new snapshot, then empties the journal (replaying it again would be harmless). */
  async compact(): Promise<void> {
    const plain = pack(
      { fleet: this.fleet, version: this._version, syncedAt: this._syncedAt },
      this.rowsByKey.values(),
    );
    await writeFileAtomic(path.join(this.dir, SNAPSHOT), seal(this.key, plain, SNAPSHOT_AAD));
    await rm(path.join(this.dir, JOURNAL), { force: true });
    this.journalBytes = 0;
  }

  private async append(header: z.infer<typeof headerSchema>, rows: EntityRow[]): Promise<void> {
    // A first sync is one big batch: it becomes the snapshot directly.
    if (this.rowsByKey.size === 0 && this.journalBytes === 0 && rows.length > 1000) {
      await writeFileAtomic(path.join(this.dir, SNAPSHOT), seal(this.key, pack(header, rows), SNAPSHOT_AAD));
      return;
    }
    const sealed = seal(this.key, pack(header, rows), FRAME_AAD);
    const frame = Buffer.alloc(4 + sealed.length);
    frame.writeUInt32LE(sealed.length, 0);
    sealed.copy(frame, 4);
    const handle = await open(path.join(this.dir, JOURNAL), 'a', 0o600);
    try {
      await handle.write(frame);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    this.journalBytes += frame.length;
  }
}

async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
