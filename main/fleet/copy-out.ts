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
import { uuidText } from './replica-codec.js';

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

/** Buffer.from(buffer) copies through a slow generic path; allocUnsafe + copy is one memcpy. */
function copyOf(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  b.copy(out);
  return out;
}

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
      const fields: (Buffer | null)[] = [];
      for (let i = 0; i < count; i++) {
        if (at + 4 > buf.length) break;
        const len = buf.readInt32BE(at);
        at += 4;
        if (len === -1) fields.push(null);
        else if (at + len > buf.length) break;
        else {
          fields.push(buf.subarray(at, at + len));
          at += len;
        }
      }
      if (fields.length < count) {
        this.carry = Buffer.from(buf.subarray(start));
        return;
      }
      const [kind, id, parent, version, sealed, revision, signer, signature, manifest, position] = fields;
      const k = kind?.toString('utf8') ?? '';
      if (
        !KINDS.has(k) ||
        id?.length !== 16 ||
        (parent && parent.length !== 16) ||
        version?.length !== 8 ||
        revision?.length !== 8 ||
        (signer && signer.length !== 16) ||
        (manifest && (manifest.length !== 16 || position?.length !== 4))
      )
        throw new Error('COPY: a change-feed row has unexpected columns');
      const row: EntityRow = {
        kind: k as EntityKind,
        id: uuidText(id),
        parent: parent ? uuidText(parent) : null,
        version: Number(version.readBigInt64BE(0)),
        // Copied out of pg's receive buffer, which it reuses.
        sealed: sealed ? copyOf(sealed) : null,
      };
      // An unsigned row (or a signature of the wrong length) comes without `signed`: doors refuse it (verify.ts).
      if (signer && manifest && position)
        row.signed = {
          revision: Number(revision.readBigInt64BE(0)),
          signer: uuidText(signer),
          signature: Buffer.alloc(0),
          manifest: { id: uuidText(manifest), position: position.readInt32BE(0) },
        };
      else if (signer && signature?.length === 64)
        row.signed = {
          revision: Number(revision.readBigInt64BE(0)),
          signer: uuidText(signer),
          signature: copyOf(signature),
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
