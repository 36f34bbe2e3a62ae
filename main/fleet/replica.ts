// The door's local encrypted replica of the fleet: every entity row as the database sent it
// (still sealed under the fleet key), the highest version applied, and when the replica was last
// known to be current. Two files:
//   replica.snapshot  everything up to some version, replaced atomically (compaction);
//   replica.journal   batches applied since, appended as frames and fsync'd.
// Both lay rows out the same way (format 3 of the snapshot, format 2 of the journal): a sealed
// index under the door's local key (a header, then one fixed-size record per row: kind, id,
// parent, version, revision, signer, length, and the 16-byte AES-GCM tag that pins the row;
// row-index.ts), followed by each row's raw record as the database sent it (signature, then
// the bytes sealed under the fleet key), so a first sync of 600,000 templates is neither
// encrypted a second time nor held in memory.
//   snapshot: "TBRSNAP3" | u32 index length | sealed index | raw records
//   journal:  "TBRJRNL2" | frames; frame: u32 length of what follows | u32 index length |
//             sealed index | raw records
// Memory holds the packed index only (row-index.ts: ~90 bytes a row); a row's bytes are read
// from its file when asked (sealedAt: one positioned read), and compared there with the pin held
// in memory: bytes changed on disk since the index was sealed are refused with a clear error for
// that row only, and the fleet key's tag refuses a changed body when the view opens it. The pins
// come from the authenticated index, never from disk, so a compaction that copies altered bytes
// still refuses them. (A signature is not pinned: it was checked when the row was applied,
// verify.ts, and is kept only to be written again.)
// Compaction writes a new snapshot from the old files and switches every row's location to it in
// one synchronous step after the rename; reads never await between taking a location and reading
// it, and the old snapshot's descriptor, still open, reads the unlinked file until that step.
// Older files still open: format-1 snapshots (all sealed at once), format-2 snapshots (sealed
// index, signatures inside it) and format-1 journals (each frame sealed whole) are read into
// memory and migrated at once by a compaction.
// A batch is one frame, so it is applied whole or not at all: a frame cut by kill -9 or a power
// cut fails its length or authentication check on the next start, and is dropped (the door then
// pulls that batch again). Only the last frame can be torn (each is fsync'd before the next), so
// its raw records' pins are checked on open too. Appending keeps a change cheap however large the
// fleet is.
import { closeSync, fstatSync, openSync, read, readSync, statSync } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { seal, unseal } from '../store/crypto.js';
import type { EntityKind } from './entities.js';
import { FleetError } from './errors.js';
import { fleetDir } from './local.js';
import { decodeRows, uuidText } from './replica-codec.js';
import {
  encodeRecord,
  IN_JOURNAL,
  IN_MEMORY,
  IN_SNAPSHOT,
  PIN_AT,
  PIN_BYTES,
  RECORD_BYTES,
  recordRawLength,
  RowIndex,
  SIGNATURE_BYTES,
  signatureBytes,
} from './row-index.js';
import { randomBytes } from 'node:crypto';

const readAt = promisify(read);

const SNAPSHOT = 'replica.snapshot';
const JOURNAL = 'replica.journal';
const SNAPSHOT_AAD = 'tobira-fleet/v1/replica-snapshot';
const SNAPSHOT2_AAD = 'tobira-fleet/v2/replica-snapshot-index';
const SNAPSHOT3_AAD = 'tobira-fleet/v3/replica-snapshot-index';
/** Starts a format-2 snapshot. A format-1 snapshot starts with a random nonce instead (a clash: 2^-64). */
const SNAPSHOT2_MAGIC = Buffer.from('TBRSNAP2', 'latin1');
const SNAPSHOT3_MAGIC = Buffer.from('TBRSNAP3', 'latin1');
/**
 * Starts a format-2 journal. A format-1 journal starts with a frame's u32 length: these 8 bytes
 * would be a first frame of 1.2 GB, which no batch reaches (sync.ts: 60,000 rows, ~125 MB).
 */
const JOURNAL2_MAGIC = Buffer.from('TBRJRNL2', 'latin1');
const FRAME_AAD = 'tobira-fleet/v1/replica-journal';
/** A format-2 snapshot pinned each row by its nonce and tag (row-index.ts pins the tag alone). */
const LEGACY_PIN_BYTES = 28;
const FRAME2_AAD = 'tobira-fleet/v2/replica-journal-index';
/**
 * Compact when the journal passes this size (it is replayed on every start), or half the
 * snapshot's if that is larger: a compaction rewrites the whole snapshot, so at a fixed 32 MB a
 * first sync of 100,000 people (ten 60,000-row batches of ~125 MB) rewrote a growing 1.2 GB
 * snapshot after every batch, 6.9 GB in all. At half the snapshot each byte is rewritten a
 * bounded number of times, and a start replays at most half a snapshot more (its index only:
 * the rows' bytes stay where they are).
 */
const COMPACT_BYTES = 32 * 1024 * 1024;
/** Persist "still current" at most once a minute: a restart may then start the grace clock up to a minute early (safe side). */
const MARK_PERSIST_MS = 60_000;
/** Compaction copies rows in reads and writes of about this size (contiguous rows are read at once). */
const COPY_CHUNK = 8 * 1024 * 1024;

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
type Header = z.infer<typeof headerSchema>;

/** Format-1 journal frames and format-1 snapshots: u32 header length | header JSON | rows. */
function unpack(plain: Buffer): { header: Header; rows: EntityRow[] } {
  const n = plain.readUInt32LE(0);
  const header = headerSchema.parse(JSON.parse(plain.subarray(4, 4 + n).toString('utf8')));
  return { header, rows: decodeRows(plain.subarray(4 + n)) };
}

/** A sealed index's plaintext: u32 header length | header JSON | u32 row count | records. */
function indexPlain(header: Header, count: number): { plain: Buffer; at: number } {
  const h = Buffer.from(JSON.stringify(header), 'utf8');
  const plain = Buffer.alloc(4 + h.length + 4 + count * RECORD_BYTES);
  plain.writeUInt32LE(h.length, 0);
  h.copy(plain, 4);
  plain.writeUInt32LE(count, 4 + h.length);
  return { plain, at: 8 + h.length };
}

function parseIndex(plain: Buffer, where: string): { header: Header; records: Buffer; count: number } {
  const bad = () => new FleetError('wrong_key', `${where}: the replica's index is malformed (altered)`);
  if (plain.length < 8) throw bad();
  const n = plain.readUInt32LE(0);
  if (8 + n > plain.length) throw bad();
  const header = headerSchema.parse(JSON.parse(plain.subarray(4, 4 + n).toString('utf8')));
  const count = plain.readUInt32LE(4 + n);
  const records = plain.subarray(8 + n);
  if (records.length !== count * RECORD_BYTES) throw bad();
  return { header, records, count };
}

/** The raw record of a row that arrived in memory: its signature, then its sealed bytes. */
function rawParts(row: EntityRow): Buffer[] {
  const parts: Buffer[] = [];
  if (row.signed) parts.push(signatureBytes(row.signed));
  if (row.sealed) parts.push(row.sealed);
  return parts;
}

/** Format-2 snapshot (older builds): MAGIC | u32 sealed index length | sealed index | rows' sealed bytes. */
function readSnapshot2(key: Buffer, file: Buffer, where: string): { header: Header; rows: EntityRow[] } {
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
    const p = Math.min(LEGACY_PIN_BYTES, r.sealed.length);
    if (r.sealed.compare(plain, pin, pin + p, 0, p) !== 0)
      throw new FleetError('wrong_key', `${where}: ${r.kind} ${r.id} was altered`);
    pin += p;
  }
  return { header, rows };
}

/** Reads exactly `length` bytes at `position` (into `into` when given), or null when the file ends first. */
function readExactly(fd: number, length: number, position: number, into?: Buffer): Buffer | null {
  const buf = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) return null;
    got += n;
  }
  return buf;
}

/** How many recently applied rows the replica remembers for changesSince (a view moving forward). */
const RECENT_ROWS = 20_000;
const RECENT_BATCHES = 1000;

export class Replica {
  private persistedSyncedAt = 0;
  private journalBytes = 0;
  /** Size of the snapshot file (COMPACT_BYTES's rule). */
  private snapshotBytes = 0;
  /** The slots of the last batches' rows, each batch with the version it brought the replica to. */
  private recent: { to: number; slots: number[] }[] = [];
  private recentRows = 0;
  /** changesSince knows every change after this version. */
  private recentFrom = 0;
  private readonly index = new RowIndex();
  /** Rows held in memory (IN_MEMORY): read from an older format, until the migration's compaction. */
  private readonly memory = new Map<number, EntityRow>();
  private snapshotFd: number | null = null;
  private journalFd: number | null = null;

  private constructor(
    private readonly dir: string,
    private readonly key: Buffer,
    readonly fleet: string,
    private _version: number,
    private _syncedAt: number,
  ) {}

  static async open(dataDir: string, key: Buffer, fleet: string): Promise<Replica> {
    const dir = fleetDir(dataDir);
    await removeStaleTemporaries(dir);
    const replica = new Replica(dir, key, fleet, 0, 0);
    try {
      const oldSnapshot = await replica.openSnapshot();
      const oldJournal = await replica.openJournal();
      replica.recentFrom = replica._version;
      replica.persistedSyncedAt = replica._syncedAt;
      if (oldSnapshot || oldJournal) await replica.compact();
    } catch (error) {
      replica.close();
      throw error;
    }
    return replica;
  }

  private take(header: Header, where: string): void {
    if (header.fleet !== this.fleet)
      throw new FleetError('wrong_key', `${where} belongs to fleet ${header.fleet}`);
    this._version = Math.max(this._version, header.version);
    this._syncedAt = Math.max(this._syncedAt, header.syncedAt);
  }

  /** Reads the snapshot's index; true when it is of an older format (to migrate). */
  private async openSnapshot(): Promise<boolean> {
    const file = path.join(this.dir, SNAPSHOT);
    const fd = openIfExists(file);
    if (fd === null) return false;
    const size = fstatSync(fd).size;
    const magic = readExactly(fd, 8, 0);
    if (magic?.equals(SNAPSHOT3_MAGIC)) {
      this.snapshotFd = fd;
      this.snapshotBytes = size;
      const len = readExactly(fd, 4, 8)?.readUInt32LE(0) ?? 0;
      const sealed = len > 0 ? readExactly(fd, len, 12) : null;
      const plain = sealed && unseal(this.key, sealed, SNAPSHOT3_AAD);
      if (!plain)
        throw new FleetError(
          'wrong_key',
          `${file}: the replica failed authentication (altered, or another door's)`,
        );
      const { header, records, count } = parseIndex(plain, file);
      this.take(header, file);
      this.index.reserve(count, true);
      let at = 12 + len;
      for (let i = 0; i < count; i++) {
        this.index.put(records, i * RECORD_BYTES, IN_SNAPSHOT, at);
        at += recordRawLength(records, i * RECORD_BYTES);
      }
      if (at > size)
        throw new FleetError('wrong_key', `${file}: the replica is cut short (${size} of ${at} bytes)`);
      if (at < size)
        throw new FleetError('wrong_key', `${file}: the replica's length does not match its index (altered)`);
      return false;
    }
    closeSync(fd);
    const snap = await readFile(file);
    if (magic?.equals(SNAPSHOT2_MAGIC)) {
      const { header, rows } = readSnapshot2(this.key, snap, file);
      this.take(header, file);
      this.takeFresh(rows, IN_MEMORY, 0);
    } else {
      const plain = unseal(this.key, snap, SNAPSHOT_AAD);
      if (!plain)
        throw new FleetError(
          'wrong_key',
          `${file}: the replica failed authentication (altered, or another door's)`,
        );
      const { header, rows } = unpack(plain);
      this.take(header, file);
      this.takeFresh(rows, IN_MEMORY, 0);
    }
    return true;
  }

  /** Replays the journal (dropping a torn last frame); true when it is of the older format. */
  private async openJournal(): Promise<boolean> {
    const file = path.join(this.dir, JOURNAL);
    const fd = openIfExists(file);
    if (fd === null) return this.memory.size > 0;
    const size = fstatSync(fd).size;
    const magic = readExactly(fd, 8, 0);
    if (!magic?.equals(JOURNAL2_MAGIC) && size >= 8) {
      closeSync(fd);
      await this.openJournal1(file);
      return true;
    }
    if (!magic) {
      // Cut inside its magic: nothing was applied from it.
      closeSync(fd);
      await rm(file, { force: true });
      return this.memory.size > 0;
    }
    // Frames: read and authenticate every index first; the last frame's pins are checked against
    // its raw records before anything is taken (only it can be torn).
    const frames: { header: Header; records: Buffer; count: number; at: number; raw: number }[] = [];
    let good = 8;
    while (good + 8 <= size) {
      const head = readExactly(fd, 8, good);
      if (!head) break;
      const len = head.readUInt32LE(0);
      const indexLen = head.readUInt32LE(4);
      if (good + 4 + len > size || indexLen + 4 > len) break;
      const sealed = readExactly(fd, indexLen, good + 8);
      const plain = sealed && unseal(this.key, sealed, FRAME2_AAD);
      if (!plain) break;
      const { header, records, count } = parseIndex(plain, file);
      let raw = 0;
      for (let i = 0; i < count; i++) raw += recordRawLength(records, i * RECORD_BYTES);
      if (8 + indexLen + raw !== 4 + len) break;
      frames.push({ header, records, count, at: good + 8 + indexLen, raw });
      good += 4 + len;
    }
    const last = frames.at(-1);
    if (last && !this.pinsMatch(fd, last.records, last.count, last.at)) frames.pop();
    // Where the kept frames end (a dropped last frame started there).
    good = frames.length === 0 ? 8 : frames.at(-1)!.at + frames.at(-1)!.raw;
    for (const f of frames) {
      this.take(f.header, file);
      let at = f.at;
      for (let i = 0; i < f.count; i++) {
        this.index.put(f.records, i * RECORD_BYTES, IN_JOURNAL, at);
        at += recordRawLength(f.records, i * RECORD_BYTES);
      }
    }
    if (good < size) await truncate(file, good); // drop the torn tail
    this.journalFd = fd;
    this.journalBytes = good;
    return this.memory.size > 0;
  }

  /** Do the raw records from `at` start with the pins their index records hold? */
  private pinsMatch(fd: number, records: Buffer, count: number, at: number): boolean {
    for (let i = 0; i < count; i++) {
      const r = i * RECORD_BYTES;
      const sealedLen = records.readUInt32LE(r + 66);
      const raw = recordRawLength(records, r);
      if (raw > 0 && sealedLen !== 0xffffffff) {
        const sig = raw - sealedLen;
        const p = Math.max(0, Math.min(PIN_BYTES, sealedLen - PIN_AT));
        const bytes = readExactly(fd, p, at + sig + PIN_AT);
        if (!bytes || bytes.compare(records, r + 70, r + 70 + p) !== 0) return false;
      }
      at += raw;
    }
    return true;
  }

  /** A format-1 journal (each frame sealed whole): its rows are held in memory, then migrated. */
  private async openJournal1(file: string): Promise<void> {
    const journal = await readFile(file);
    let good = 0;
    while (good + 4 <= journal.length) {
      const len = journal.readUInt32LE(good);
      if (good + 4 + len > journal.length) break;
      const plain = unseal(this.key, journal.subarray(good + 4, good + 4 + len), FRAME_AAD);
      if (!plain) break;
      const { header, rows } = unpack(plain);
      this.take(header, file);
      this.takeFresh(rows, IN_MEMORY, 0);
      good += 4 + len;
    }
  }

  /** Closes the files (a replica is not used after). */
  close(): void {
    if (this.snapshotFd !== null) closeSync(this.snapshotFd);
    if (this.journalFd !== null) closeSync(this.journalFd);
    this.snapshotFd = this.journalFd = null;
  }

  get version(): number {
    return this._version;
  }

  /** When the replica was last confirmed current against the database (ms); 0 = never. */
  get syncedAt(): number {
    return this._syncedAt;
  }

  /** How many rows are held (tombstones too): slots are 0 … size - 1, stable for the replica's life. */
  get size(): number {
    return this.index.size;
  }

  /** Bytes of the packed row index in memory. */
  get indexBytes(): number {
    return this.index.bytes;
  }

  /** Bytes of the rows' sealed bytes, wherever they lie. */
  get sealedBytes(): number {
    let n = 0;
    for (let s = 0; s < this.index.size; s++) if (!this.index.tombstone(s)) n += this.index.sealedLen[s]!;
    return n;
  }

  kindAt(slot: number): EntityKind {
    return this.index.kindOf(slot);
  }

  idAt(slot: number): string {
    return this.index.idOf(slot);
  }

  parentAt(slot: number): string | null {
    return this.index.parentOf(slot);
  }

  versionAt(slot: number): number {
    return this.index.version[slot]!;
  }

  isTombstone(slot: number): boolean {
    return this.index.tombstone(slot);
  }

  compareIds(a: number, b: number): number {
    return this.index.compareIds(a, b);
  }

  /** The slot of (kind, id), or -1. */
  slotOf(kind: EntityKind, id: string): number {
    return this.index.find(kind, id);
  }

  /** Where sealedAt(slot, true) reads: one buffer for the view's 600,000 reads, not one each. */
  private scratch = Buffer.alloc(0);

  /** A row's raw record (signature, then sealed bytes), read from where it lies. */
  private raw(slot: number, reuse = false): Buffer {
    const len = this.index.rawLength(slot);
    const where = this.index.file[slot];
    if (where === IN_MEMORY) {
      const row = this.memory.get(slot)!;
      return Buffer.concat(rawParts(row));
    }
    if (len === 0) return Buffer.alloc(0);
    const fd = where === IN_SNAPSHOT ? this.snapshotFd : this.journalFd;
    const name = where === IN_SNAPSHOT ? SNAPSHOT : JOURNAL;
    if (reuse && this.scratch.length < len) this.scratch = Buffer.alloc(Math.max(len, 4096));
    const into = reuse ? this.scratch : undefined;
    const bytes = fd === null ? null : readExactly(fd, len, this.index.offset[slot]!, into);
    if (!bytes)
      throw new FleetError(
        'wrong_key',
        `${path.join(this.dir, name)}: ${this.index.kindOf(slot)} ${this.index.idOf(slot)} is cut short (altered)`,
      );
    return bytes;
  }

  /**
   * A row's sealed bytes (null: a tombstone), read from disk and checked against the pin its
   * sealed index held: bytes changed on disk throw FleetError('wrong_key') naming the row.
   * `reuse`: read into the replica's one scratch buffer, valid until the next such read (for a
   * caller that opens the row at once and keeps nothing of it: 600,000 short-lived buffers left
   * ~30 MB of resident memory behind per 120,000 rows, measured).
   */
  sealedAt(slot: number, reuse = false): Buffer | null {
    if (this.index.tombstone(slot)) return null;
    const raw = this.raw(slot, reuse);
    const sealed = raw.subarray(this.index.signed(slot) ? SIGNATURE_BYTES : 0);
    const p = Math.max(0, Math.min(PIN_BYTES, sealed.length - PIN_AT));
    const pin = slot * PIN_BYTES;
    if (sealed.compare(this.index.pins, pin, pin + p, PIN_AT, PIN_AT + p) !== 0) {
      const name = this.index.file[slot] === IN_JOURNAL ? JOURNAL : SNAPSHOT;
      throw new FleetError(
        'wrong_key',
        `${path.join(this.dir, name)}: ${this.index.kindOf(slot)} ${this.index.idOf(slot)} was altered ` +
          "on disk (its bytes no longer match the replica's sealed index)",
      );
    }
    return sealed;
  }

  /** A row as an object, its bytes read from disk (for the few rows asked: admin keys, a re-pulled row). */
  rowAt(slot: number): EntityRow {
    const ix = this.index;
    const row: EntityRow = {
      kind: ix.kindOf(slot),
      id: ix.idOf(slot),
      parent: ix.parentOf(slot),
      version: ix.version[slot]!,
      sealed: this.sealedAt(slot),
    };
    if (ix.signed(slot)) {
      const raw = this.raw(slot); // a second read, for the few rows read whole
      row.signed = ix.viaManifest(slot)
        ? {
            revision: ix.revision[slot]!,
            signer: ix.signerOfSlot(slot),
            signature: Buffer.alloc(0),
            manifest: { id: uuidText(raw.subarray(0, 16)), position: raw.readUInt32LE(16) },
          }
        : {
            revision: ix.revision[slot]!,
            signer: ix.signerOfSlot(slot),
            signature: Buffer.from(raw.subarray(0, SIGNATURE_BYTES)),
          };
    }
    return row;
  }

  /** Every row of `kind` (or all) as objects, bytes read: for small kinds (admin keys), not templates. */
  rows(kind?: EntityKind): EntityRow[] {
    const out: EntityRow[] = [];
    for (let s = 0; s < this.index.size; s++)
      if (!kind || this.index.kindOf(s) === kind) out.push(this.rowAt(s));
    return out;
  }

  get(kind: EntityKind, id: string): EntityRow | undefined {
    const slot = this.index.find(kind, id);
    return slot < 0 ? undefined : this.rowAt(slot);
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
      const held = this.index.find(row.kind, row.id);
      if (held < 0 || this.index.version[held]! < row.version) fresh.push(row);
      version = Math.max(version, row.version);
    }
    const header = { fleet: this.fleet, version, syncedAt };
    let slots: number[];
    if (this.index.size === 0 && this.journalBytes === 0 && fresh.length > 1000) {
      // A first sync is one big batch: it becomes the snapshot directly.
      slots = this.takeFresh(fresh, IN_MEMORY, 0);
      try {
        await this.writeSnapshot(header);
      } catch (error) {
        this.index.clear();
        this.memory.clear();
        throw error;
      }
    } else {
      const at = await this.append(header, fresh);
      slots = this.takeFresh(fresh, IN_JOURNAL, at);
    }
    this.remember(version, slots);
    this._version = version;
    this._syncedAt = syncedAt;
    this.persistedSyncedAt = syncedAt;
    if (this.journalBytes > Math.max(COMPACT_BYTES, this.snapshotBytes / 2)) await this.compact();
    return fresh.length;
  }

  /**
   * Indexes rows: persisted in the journal from `at` on, or held in memory (a first sync's batch
   * until its snapshot is written; an older format's rows until the migration).
   */
  private takeFresh(rows: readonly EntityRow[], where: number, at: number): number[] {
    const rec = Buffer.alloc(RECORD_BYTES);
    const slots: number[] = [];
    for (const row of rows) {
      encodeRecord(row, rec, 0);
      const slot = this.index.put(rec, 0, where, at);
      at += recordRawLengthOf(row);
      if (slot < 0) continue;
      if (where === IN_MEMORY) this.memory.set(slot, row);
      slots.push(slot);
    }
    return slots;
  }

  /**
   * The slots of the rows applied after `version` (oldest first; a slot may come twice), or null
   * when they are no longer all remembered: then the caller reads every slot instead.
   */
  changesSince(version: number): number[] | null {
    if (version < this.recentFrom || version > this._version) return null;
    return this.recent.filter((b) => b.to > version).flatMap((b) => b.slots);
  }

  private remember(to: number, slots: number[]): void {
    if (slots.length > RECENT_ROWS) {
      this.recent = [];
      this.recentRows = 0;
      this.recentFrom = to;
      return;
    }
    this.recent.push({ to, slots });
    this.recentRows += slots.length;
    while (this.recentRows > RECENT_ROWS || this.recent.length > RECENT_BATCHES) {
      const dropped = this.recent.shift()!;
      this.recentRows -= dropped.slots.length;
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
    await this.writeSnapshot({ fleet: this.fleet, version: this._version, syncedAt: this._syncedAt });
    if (this.journalFd !== null) closeSync(this.journalFd);
    this.journalFd = null;
    await rm(path.join(this.dir, JOURNAL), { force: true });
    this.journalBytes = 0;
  }

  /**
   * Writes a format-3 snapshot of every slot, its raw records copied from where they lie (runs of
   * contiguous records in one read), then points every slot at it.
   */
  private async writeSnapshot(header: Header): Promise<void> {
    const ix = this.index;
    const n = ix.size;
    const { plain, at } = indexPlain(header, n);
    for (let s = 0; s < n; s++) ix.record(s, plain, at + s * RECORD_BYTES);
    const sealed = seal(this.key, plain, SNAPSHOT3_AAD);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(sealed.length);
    const offsets = new Float64Array(n);
    let end = 12 + sealed.length;
    const file = path.join(this.dir, SNAPSHOT);
    await writeStreamAtomic(
      file,
      async (write) => {
        await write([SNAPSHOT3_MAGIC, len, sealed]);
        let parts: Buffer[] = [];
        let pending = 0;
        let run: { fd: number; from: number; to: number } | null = null;
        const readRun = async () => {
          if (!run) return;
          const buf = Buffer.allocUnsafe(run.to - run.from);
          const { bytesRead } = await readAt(run.fd, buf, 0, buf.length, run.from);
          if (bytesRead !== buf.length)
            throw new FleetError('wrong_key', `${file}: a replica file is cut short`);
          parts.push(buf);
          run = null;
        };
        for (let s = 0; s < n; s++) {
          const rawLen = ix.rawLength(s);
          offsets[s] = end;
          end += rawLen;
          if (rawLen === 0) continue;
          const where = ix.file[s];
          if (where === IN_MEMORY) {
            await readRun();
            parts.push(...rawParts(this.memory.get(s)!));
          } else {
            const fd = (where === IN_SNAPSHOT ? this.snapshotFd : this.journalFd)!;
            const from = ix.offset[s]!;
            if (run && run.fd === fd && run.to === from && run.to - run.from < COPY_CHUNK) run.to += rawLen;
            else {
              await readRun();
              run = { fd, from, to: from + rawLen };
            }
          }
          pending += rawLen;
          if (pending >= COPY_CHUNK) {
            await readRun();
            await write(parts);
            parts = [];
            pending = 0;
          }
        }
        await readRun();
        await write(parts);
      },
      () => {
        // Synchronous: every slot moves to the new file at once.
        const fd = openSync(file, 'r');
        if (this.snapshotFd !== null) closeSync(this.snapshotFd);
        this.snapshotFd = fd;
        ix.offset.set(offsets);
        ix.file.fill(IN_SNAPSHOT, 0, n);
        this.memory.clear();
        this.snapshotBytes = end;
      },
    );
  }

  /**
   * Is the journal on disk still the one this replica wrote (same file, same length)? Another
   * process on the same folder (the CLI beside a running door) may have appended to it, or
   * compacted and removed it: offsets computed from this replica's count would then be wrong.
   */
  private journalIsOurs(file: string): boolean {
    let onDisk: { ino: number; dev: number; size: number };
    try {
      onDisk = statSync(file);
    } catch {
      return this.journalBytes === 0; // none: ours only if we wrote none
    }
    if (this.journalBytes === 0 || this.journalFd === null) return onDisk.size === 0;
    const mine = fstatSync(this.journalFd);
    return onDisk.ino === mine.ino && onDisk.dev === mine.dev && onDisk.size === this.journalBytes;
  }

  /** Appends one frame to the journal; returns where its first raw record lies. */
  private async append(header: Header, rows: EntityRow[]): Promise<number> {
    const file = path.join(this.dir, JOURNAL);
    // Someone else's journal: write this replica's whole state anew first (each process holds
    // every row up to its version, so the last to write leaves a complete replica).
    if (!this.journalIsOurs(file)) await this.compact();
    const { plain, at } = indexPlain(header, rows.length);
    let raw = 0;
    for (const [i, row] of rows.entries()) {
      encodeRecord(row, plain, at + i * RECORD_BYTES);
      raw += recordRawLengthOf(row);
    }
    const sealed = seal(this.key, plain, FRAME2_AAD);
    const head = Buffer.alloc(8);
    head.writeUInt32LE(4 + sealed.length + raw, 0);
    head.writeUInt32LE(sealed.length, 4);
    const start = this.journalBytes === 0 ? JOURNAL2_MAGIC.length : this.journalBytes;
    const parts = [
      ...(this.journalBytes === 0 ? [JOURNAL2_MAGIC] : []),
      head,
      sealed,
      ...rows.flatMap(rawParts),
    ];
    const handle = await open(file, 'a', 0o600);
    try {
      for (let i = 0; i < parts.length; i += 1024) await handle.writev(parts.slice(i, i + 1024));
      await handle.datasync();
    } catch (error) {
      // A frame cut short (a full disk) would shift every later frame's offsets: cut it off.
      await handle.truncate(this.journalBytes).catch(() => undefined);
      throw error;
    } finally {
      await handle.close();
    }
    this.journalBytes = start + 8 + sealed.length + raw;
    if (this.journalFd === null) this.journalFd = openSync(file, 'r');
    return start + 8 + sealed.length;
  }
}

function recordRawLengthOf(row: EntityRow): number {
  return (row.signed ? SIGNATURE_BYTES : 0) + (row.sealed?.length ?? 0);
}

/**
 * writeFileAtomic for a snapshot written in pieces (the rows' raw records are streamed from where
 * they lie, never gathered into one buffer): temporary file, fsync, rename, fsync the folder.
 * `produce` hands its pieces to `write`; `swap` runs right after the rename, before any await, so
 * nothing reads the new file's offsets before they are installed.
 */
async function writeStreamAtomic(
  file: string,
  produce: (write: (parts: readonly Buffer[]) => Promise<void>) => Promise<void>,
  swap: () => void,
): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await produce(async (parts) => {
      // 1024: Linux's IOV_MAX, the most buffers one writev takes.
      for (let i = 0; i < parts.length; i += 1024) await handle.writev(parts.slice(i, i + 1024));
    });
    await handle.sync();
    await handle.close();
    await rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  swap();
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

/** A file opened for reading, or null when it does not exist. */
function openIfExists(file: string): number | null {
  try {
    return openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
