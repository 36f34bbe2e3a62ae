// The door's local encrypted replica of the fleet: every entity row as the database sent it
// (still sealed under the fleet key), the highest version applied, and when the replica was last
// known to be current. Two files, sealed under the door's local key:
//   replica.snapshot  everything up to some version, replaced atomically (compaction);
//   replica.journal   batches applied since, appended as sealed frames and fsync'd.
// The snapshot (format 2) seals only its index under the local key: kind, id, parent, version and
// length of every row, plus each row's 28-byte AES-GCM nonce and tag. The rows' sealed bytes follow
// as the database sent them, already sealed under the fleet key, so a first sync of 50,000
// templates is not encrypted and decrypted a second time. The tag in the sealed index pins each
// row: changed bytes fail the fleet key's authentication when the view opens them. Format 1
// (the whole snapshot sealed at once) is still read.
// A batch is one frame, so it is applied whole or not at all: a frame cut by kill -9 or a power
// cut fails its length or authentication check on the next start, and is dropped (the door then
// pulls that batch again). Appending keeps a change cheap however large the fleet is.
import { open, readdir, readFile, rename, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { seal, unseal } from '../store/crypto.js';
import type { EntityKind } from './entities.js';
import { FleetError } from './errors.js';
import { fleetDir } from './local.js';
import { decodeRows, encodeRows } from './replica-codec.js';
import { randomBytes } from 'node:crypto';

const SNAPSHOT = 'replica.snapshot';
const JOURNAL = 'replica.journal';
const SNAPSHOT_AAD = 'tobira-fleet/v1/replica-snapshot';
const SNAPSHOT2_AAD = 'tobira-fleet/v2/replica-snapshot-index';
/** Starts a format-2 snapshot. A format-1 snapshot starts with a random nonce instead (a clash: 2^-64). */
const SNAPSHOT2_MAGIC = Buffer.from('TBRSNAP2', 'latin1');
/** seal()'s nonce (12 B) and tag (16 B): what pins a fleet-sealed row from the sealed index. */
const PIN_BYTES = 28;
const FRAME_AAD = 'tobira-fleet/v1/replica-journal';
/**
 * Compact when the journal passes this size (it is replayed on every start), or half the
 * snapshot's if that is larger: a compaction rewrites the whole snapshot, so at a fixed 32 MB a
 * first sync of 100,000 people (ten 60,000-row batches of ~125 MB) rewrote a growing 1.2 GB
 * snapshot after every batch, 6.9 GB in all. At half the snapshot each byte is rewritten a
 * bounded number of times, and a start replays at most half a snapshot more.
 */
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
  /** The admin's signature over the change (admin-key.ts); every row a door applies has one (verify.ts). */
  signed?: {
    revision: number;
    signer: string;
    /** 64 bytes; empty when the row is signed through a manifest (migration 6) instead. */
    signature: Buffer;
    /** The signed batch that lists this row's envelope digest, and its position there. */
    manifest?: { id: string; position: number };
  };
}

const headerSchema = z.object({ fleet: z.string(), version: z.number().int().min(0), syncedAt: z.number() });

/**
 * plaintext = u32 header length | header JSON | rows; without sealed bytes (a format-2 snapshot's
 * index): u32 header length | header JSON | u32 rows length | row headers.
 */
function pack(header: z.infer<typeof headerSchema>, rows: Iterable<EntityRow>, withSealed = true): Buffer {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const body = encodeRows(rows, withSealed);
  const hLen = Buffer.alloc(4);
  hLen.writeUInt32LE(h.length);
  if (withSealed) return Buffer.concat([hLen, h, body]);
  const bLen = Buffer.alloc(4);
  bLen.writeUInt32LE(body.length);
  return Buffer.concat([hLen, h, bLen, body]);
}

function unpack(plain: Buffer): { header: z.infer<typeof headerSchema>; rows: EntityRow[] } {
  const n = plain.readUInt32LE(0);
  const header = headerSchema.parse(JSON.parse(plain.subarray(4, 4 + n).toString('utf8')));
  return { header, rows: decodeRows(plain.subarray(4 + n)) };
}

/** Format-2 snapshot: MAGIC | u32 sealed index length | sealed index | rows' sealed bytes. */
function snapshotParts(
  key: Buffer,
  header: z.infer<typeof headerSchema>,
  rows: readonly EntityRow[],
): Buffer[] {
  const pins: Buffer[] = [];
  const bodies: Buffer[] = [];
  for (const r of rows) {
    if (!r.sealed) continue;
    pins.push(r.sealed.subarray(0, PIN_BYTES));
    bodies.push(r.sealed);
  }
  const index = seal(key, Buffer.concat([pack(header, rows, false), Buffer.concat(pins)]), SNAPSHOT2_AAD);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(index.length);
  return [SNAPSHOT2_MAGIC, len, index, ...bodies];
}

function readSnapshot2(
  key: Buffer,
  file: Buffer,
  where: string,
): { header: z.infer<typeof headerSchema>; rows: EntityRow[] } {
  const at = SNAPSHOT2_MAGIC.length;
  const len = file.length >= at + 4 ? file.readUInt32LE(at) : 0;
  const plain =
    len > 0 && at + 4 + len <= file.length
      ? unseal(key, file.subarray(at + 4, at + 4 + len), SNAPSHOT2_AAD)
      : null;
  if (!plain)
    throw new FleetError(
      'wrong_key',
      `${where}: the replica failed authentication (altered, or another door's)`,
    );
  const n = plain.readUInt32LE(0);
  const header = headerSchema.parse(JSON.parse(plain.subarray(4, 4 + n).toString('utf8')));
  const rowsLen = plain.readUInt32LE(4 + n);
  const bodies = { bytes: file, at: at + 4 + len };
  let rows: EntityRow[];
  try {
    rows = decodeRows(plain.subarray(8 + n, 8 + n + rowsLen), bodies);
  } catch (error) {
    throw new FleetError('wrong_key', `${where}: the replica is cut short (${(error as Error).message})`);
  }
  if (bodies.at !== file.length)
    throw new FleetError('wrong_key', `${where}: the replica's length does not match its index (altered)`);
  let pin = 8 + n + rowsLen;
  for (const r of rows) {
    if (!r.sealed) continue;
    const p = Math.min(PIN_BYTES, r.sealed.length);
    if (r.sealed.compare(plain, pin, pin + p, 0, p) !== 0)
      throw new FleetError('wrong_key', `${where}: ${r.kind} ${r.id} was altered`);
    pin += p;
  }
  return { header, rows };
}

/** How many recently applied rows the replica remembers for changesSince (a view moving forward). */
const RECENT_ROWS = 20_000;
const RECENT_BATCHES = 1000;

export class Replica {
  private persistedSyncedAt = 0;
  private journalBytes = 0;
  /** Size of the snapshot file (COMPACT_BYTES's rule). */
  private snapshotBytes = 0;
  /** The rows of the last batches, each with the version it brought the replica to. */
  private recent: { to: number; rows: EntityRow[] }[] = [];
  private recentRows = 0;
  /** changesSince knows every change after this version. */
  private recentFrom = 0;

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
    await removeStaleTemporaries(dir);
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
    if (snap && snap.subarray(0, SNAPSHOT2_MAGIC.length).equals(SNAPSHOT2_MAGIC)) {
      const { header, rows: list } = readSnapshot2(key, snap, snapFile);
      take(header, list, snapFile);
    } else if (snap) {
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
    replica.snapshotBytes = snap?.length ?? 0;
    replica.recentFrom = version;
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
   * and persists it as one journal frame. `syncedAt` is when the batch was read; `through` is the
   * feed's version the batch reached when rows were left out of it (verify.ts refused them).
   */
  async apply(rows: readonly EntityRow[], syncedAt: number, through = 0): Promise<number> {
    let version = Math.max(this._version, through);
    const fresh: EntityRow[] = [];
    for (const row of rows) {
      const held = this.rowsByKey.get(`${row.kind}:${row.id}`);
      if (!held || held.version < row.version) fresh.push(row);
      version = Math.max(version, row.version);
    }
    await this.append({ fleet: this.fleet, version, syncedAt }, fresh);
    for (const row of fresh) this.rowsByKey.set(`${row.kind}:${row.id}`, row);
    this.remember(version, fresh);
    this._version = version;
    this._syncedAt = syncedAt;
    this.persistedSyncedAt = syncedAt;
    if (this.journalBytes > Math.max(COMPACT_BYTES, this.snapshotBytes / 2)) await this.compact();
    return fresh.length;
  }

  /**
   * The rows applied after `version` (oldest first), or null when they are no longer all
   * remembered: then the caller reads rows() instead.
   */
  changesSince(version: number): EntityRow[] | null {
    if (version < this.recentFrom || version > this._version) return null;
    return this.recent.filter((b) => b.to > version).flatMap((b) => b.rows);
  }

  private remember(to: number, rows: EntityRow[]): void {
    if (rows.length > RECENT_ROWS) {
      this.recent = [];
      this.recentRows = 0;
      this.recentFrom = to;
      return;
    }
    this.recent.push({ to, rows });
    this.recentRows += rows.length;
    while (this.recentRows > RECENT_ROWS || this.recent.length > RECENT_BATCHES) {
      const dropped = this.recent.shift()!;
      this.recentRows -= dropped.rows.length;
      this.recentFrom = dropped.to;
    }
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
    await this.writeSnapshot({ fleet: this.fleet, version: this._version, syncedAt: this._syncedAt }, [
      ...this.rowsByKey.values(),
    ]);
    await rm(path.join(this.dir, JOURNAL), { force: true });
    this.journalBytes = 0;
  }

  private async writeSnapshot(
    header: z.infer<typeof headerSchema>,
    rows: readonly EntityRow[],
  ): Promise<void> {
    const parts = snapshotParts(this.key, header, rows);
    await writePartsAtomic(path.join(this.dir, SNAPSHOT), parts);
    this.snapshotBytes = parts.reduce((n, b) => n + b.length, 0);
  }

  private async append(header: z.infer<typeof headerSchema>, rows: EntityRow[]): Promise<void> {
    // A first sync is one big batch: it becomes the snapshot directly.
    if (this.rowsByKey.size === 0 && this.journalBytes === 0 && rows.length > 1000) {
      await this.writeSnapshot(header, rows);
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

/**
 * writeFileAtomic for a snapshot in parts (the rows' sealed bytes are written where they lie, not
 * gathered into one buffer first): temporary file, fsync, rename, fsync the folder.
 */
async function writePartsAtomic(file: string, parts: readonly Buffer[]): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    // 1024: Linux's IOV_MAX, the most buffers one writev takes.
    for (let i = 0; i < parts.length; i += 1024) await handle.writev(parts.slice(i, i + 1024));
    await handle.sync();
    await handle.close();
    await rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  if (process.platform === 'win32') return; // Windows cannot open a folder to fsync it
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** `.<name>.<pid>.<12 hex>.tmp`: writePartsAtomic's and writeFileAtomic's temporary files. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;
/** A temporary file this old is stale even if its pid is alive again (a reused pid after a reboot). */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the temporary files a killed writer left in the fleet folder (a kill during compaction
 * left a 7.3 MB snapshot in the drill). A file whose writer still runs (another process on the
 * same folder, such as the CLI beside a running door) is left alone unless it is a day old.
 */
async function removeStaleTemporaries(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return; // no fleet folder yet
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    const pid = Number(m[1]);
    const old = await stat(file).then(
      (s) => Date.now() - s.mtimeMs > STALE_TEMP_MS,
      () => false,
    );
    if (pid !== process.pid && (old || !processRuns(pid))) await rm(file, { force: true });
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // runs, as another user
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
