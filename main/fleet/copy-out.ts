// Reads change-feed rows with `COPY (SELECT …) TO STDOUT (FORMAT binary)`: the sealed bytes come
// as they are stored, with no base64 or hex text made by the server, sent over the wire and
// decoded again in Node (a first sync of 50,000 templates moves about 110 MB). node-postgres runs
// any object with submit() as a query and routes the COPY-out messages to it (CopyData,
// ErrorResponse, CommandComplete, ReadyForQuery); this object is that query. The binary format is
// PostgreSQL's documented COPY "Binary Format": an 11-byte signature, flags and a header extension,
// then per row an int16 field count and each field as int32 length (-1: NULL) and bytes, and an
// int16 -1 at the end.
import type pg from 'pg';
import type { EntityKind } from './entities.js';
import type { EntityRow } from './replica.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const KINDS = new Set<string>(['person', 'template', 'group', 'admin']);
/**
 * kind, id, parent, version, sealed, revision, signer, signature: the columns of rowsQuery's SELECT;
 * from schema 6 on, manifest and manifest_pos follow (a row signed through a manifest).
 */
const FIELDS = 8;
const FIELDS_WITH_MANIFEST = 10;

/**
 * The COPY statement for rows above `from`; both numbers are integers, checked before they are
 * spliced in. `manifests`: the database has migration 6's columns.
 */
export function rowsQuery(from: number, limit: number, manifests = true): string {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(limit) || from < 0 || limit < 1)
    throw new Error(`change feed page: bad bounds ${from}, ${limit}`);
  const columns = `kind, id, parent, version, sealed, revision, signer, signature${manifests ? ', manifest, manifest_pos' : ''}`;
  return (
    `COPY (SELECT ${columns} FROM entities ` +
    `WHERE version > ${from} ` +
    `ORDER BY version LIMIT ${limit}) TO STDOUT (FORMAT binary)`
  );
}

/**
 * The sealed bytes are copied out of pg's receive buffer (which it reuses) into slabs of this
 * size, each shared by the rows it holds: one allocation per ~500 rows of 2 KB instead of one per
 * row (a first sync of 600,000 rows spent 0.5 s of 8.7 s of door CPU making Buffer pools, and
 * more in the garbage collector, at 120,000 rows).
 */
const SLAB_BYTES = 1 << 20;

/** ASCII codes of the hex digits. */
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Where each of the 16 bytes' two digits go in the 36-character UUID text (dashes at 8, 13, 18, 23). */
const UUID_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const uuidScratch = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

/**
 * The UUID text of the 16 bytes at `at` (replica-codec's uuidText), made as one flat string: the
 * digits are written into a scratch buffer and decoded once. Built by concatenation, each id was a
 * tree of ~20 string pieces kept alive with its row (about 1 KB of JS heap a row, at 600,000 rows
 * the bulk of the garbage collector's 10 s).
 */
function uuidAt(b: Buffer, at: number): string {
  for (let i = 0; i < 16; i++) {
    const v = b[at + i]!;
    uuidScratch[UUID_AT[i]!] = HEX_DIGITS[v >> 4]!;
    uuidScratch[UUID_AT[i]! + 1] = HEX_DIGITS[v & 15]!;
  }
  return uuidScratch.toString('latin1', 0, 36);
}

/** A manifest-signed row's signature: empty, one Buffer shared by all (never written to). */
const NO_SIGNATURE = Buffer.alloc(0);

const KIND_OF = new Map<string, EntityKind>([...KINDS].map((k) => [k, k as EntityKind]));

/** Exported for the tests, which feed it COPY streams cut at every byte. */
export class CopyOutRows implements pg.Submittable {
  readonly rows: EntityRow[] = [];
  private carry: Buffer | null = null;
  private headerDone = false;
  private ended = false;
  private failed: Error | null = null;
  readonly done: Promise<EntityRow[]>;
  private settle!: (error: Error | null) => void;

  constructor(private readonly text: string) {
    this.done = new Promise((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve(this.rows));
    });
  }

  submit(connection: pg.Connection): void {
    connection.query(this.text);
  }

  handleCopyData(msg: { chunk: Buffer }): void {
    if (this.failed) return;
    try {
      this.parse(msg.chunk);
    } catch (error) {
      this.failed = error as Error;
    }
  }

  /** The last signer and manifest read, bytes and text: a manifest's rows share them (one string for all). */
  private readonly lastIds = Buffer.alloc(32);
  private lastSigner = '';
  private lastManifest = '';

  /** uuidAt, reusing the previous row's string when the bytes are the same (slot 0: signer, 1: manifest). */
  private sameId(b: Buffer, at: number, slot: 0 | 1): string {
    const o = slot * 16;
    const last = slot === 0 ? this.lastSigner : this.lastManifest;
    if (last && b.compare(this.lastIds, o, o + 16, at, at + 16) === 0) return last;
    b.copy(this.lastIds, o, at, at + 16);
    const text = uuidAt(b, at);
    if (slot === 0) this.lastSigner = text;
    else this.lastManifest = text;
    return text;
  }

  private slab: Buffer | null = null;
  private slabAt = 0;

  /** A copy of `b[start, end)` in the current slab (a new slab when it does not fit). */
  private keep(b: Buffer, start: number, end: number): Buffer {
    const n = end - start;
    if (n > SLAB_BYTES / 4) {
      const own = Buffer.allocUnsafeSlow(n);
      b.copy(own, 0, start, end);
      return own;
    }
    if (!this.slab || this.slabAt + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.slabAt = 0;
    }
    const at = this.slabAt;
    b.copy(this.slab, at, start, end);
    this.slabAt = at + n;
    return this.slab.subarray(at, at + n);
  }

  /** Field offsets of the row being parsed: start of field i at [2i], its length (-1: NULL) at [2i + 1]. */
  private readonly at = new Int32Array(2 * FIELDS_WITH_MANIFEST);

  /** Parses whole rows; a row cut across messages waits in `carry` (a copy: pg reuses its buffer). */
  private parse(chunk: Buffer): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    let at = 0;
    if (!this.headerDone) {
      if (buf.length < 19) return void (this.carry = Buffer.from(buf));
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('COPY: not PostgreSQL binary COPY data');
      const extension = buf.readUInt32BE(15);
      if (buf.length < 19 + extension) return void (this.carry = Buffer.from(buf));
      at = 19 + extension;
      this.headerDone = true;
    }
    const f = this.at;
    while (at + 2 <= buf.length) {
      const start = at;
      const count = buf.readInt16BE(at);
      if (count === -1) {
        this.ended = true;
        return;
      }
      if (count !== FIELDS && count !== FIELDS_WITH_MANIFEST)
        throw new Error(`COPY: expected ${FIELDS} or ${FIELDS_WITH_MANIFEST} columns, got ${count}`);
      at += 2;
      let got = 0;
      for (; got < count; got++) {
        if (at + 4 > buf.length) break;
        const len = buf.readInt32BE(at);
        at += 4;
        if (len < -1) throw new Error(`COPY: a field of length ${len}`);
        if (len > 0 && at + len > buf.length) break;
        f[2 * got] = at;
        f[2 * got + 1] = len;
        if (len > 0) at += len;
      }
      if (got < count) {
        this.carry = Buffer.from(buf.subarray(start));
        return;
      }
      // Columns: 0 kind, 1 id, 2 parent, 3 version, 4 sealed, 5 revision, 6 signer, 7 signature,
      // 8 manifest, 9 manifest_pos (the last two from schema 6).
      const len = (i: number) => (i < count ? f[2 * i + 1]! : -1);
      const kind = len(0) > 0 ? KIND_OF.get(buf.toString('latin1', f[0], f[0]! + f[1]!)) : undefined;
      if (
        !kind ||
        len(1) !== 16 ||
        (len(2) !== -1 && len(2) !== 16) ||
        len(3) !== 8 ||
        len(5) !== 8 ||
        (len(6) !== -1 && len(6) !== 16) ||
        (len(8) !== -1 && (len(8) !== 16 || len(9) !== 4))
      )
        throw new Error('COPY: a change-feed row has unexpected columns');
      const sealedLen = len(4);
      const row: EntityRow = {
        kind,
        id: uuidAt(buf, f[2]!),
        parent: len(2) === 16 ? uuidAt(buf, f[4]!) : null,
        version: Number(buf.readBigInt64BE(f[6])),
        // Copied out of pg's receive buffer, which it reuses.
        sealed: sealedLen >= 0 ? this.keep(buf, f[8]!, f[8]! + sealedLen) : null,
      };
      // An unsigned row (or a signature of the wrong length) comes without `signed`: doors refuse it (verify.ts).
      if (len(6) === 16 && len(8) === 16)
        row.signed = {
          revision: Number(buf.readBigInt64BE(f[10])),
          signer: this.sameId(buf, f[12]!, 0),
          signature: NO_SIGNATURE,
          manifest: { id: this.sameId(buf, f[16]!, 1), position: buf.readInt32BE(f[18]) },
        };
      else if (len(6) === 16 && len(7) === 64)
        row.signed = {
          revision: Number(buf.readBigInt64BE(f[10])),
          signer: this.sameId(buf, f[12]!, 0),
          signature: this.keep(buf, f[14]!, f[14]! + 64),
        };
      this.rows.push(row);
    }
    if (at < buf.length) this.carry = Buffer.from(buf.subarray(at));
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    if (this.failed) this.settle(this.failed);
    else if (!this.ended || this.carry) this.settle(new Error('COPY: the change feed ended mid-row'));
    else this.settle(null);
  }

  handleError(error: Error): void {
    this.settle(error);
  }

  // A query that is not COPY (never sent by rowsQuery) would answer with rows: refuse them.
  handleRowDescription(): void {
    this.failed ??= new Error('COPY: expected COPY data, got rows');
  }
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
}

/** Rows with a version above `from`, in version order, at most `limit`. */
export async function copyRows(
  client: pg.ClientBase,
  from: number,
  limit: number,
  manifests = true,
): Promise<EntityRow[]> {
  const query = new CopyOutRows(rowsQuery(from, limit, manifests));
  void client.query(query);
  return query.done;
}
