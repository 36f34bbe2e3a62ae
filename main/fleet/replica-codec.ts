// Binary layout of replica rows (the replica holds tens of thousands of 2 KB templates; JSON with
// base64 costs a third more bytes and much more time). One row:
//   kind u8 | id 16 B | parent flag u8 + 16 B | version f64 | sealed length u32 (0xFFFFFFFF = tombstone) | sealed
// Versions are PostgreSQL bigints from a sequence; below 2^53 a double holds them exactly.
import type { EntityKind } from './entities.js';
import type { EntityRow } from './replica.js';

const KINDS: EntityKind[] = ['person', 'template', 'group'];
const TOMBSTONE = 0xffffffff;

const uuidBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
export const uuidText = (b: Buffer): string => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** Bytes of a row's header (everything but its sealed bytes). */
export const ROW_HEAD_BYTES = 46;

export function encodeRows(rows: Iterable<EntityRow>, withSealed = true): Buffer {
  const parts: Buffer[] = [];
  for (const r of rows) {
    const head = Buffer.alloc(ROW_HEAD_BYTES);
    head.writeUInt8(KINDS.indexOf(r.kind), 0);
    uuidBytes(r.id).copy(head, 1);
    if (r.parent) {
      head.writeUInt8(1, 17);
      uuidBytes(r.parent).copy(head, 18);
    }
    head.writeDoubleLE(r.version, 34);
    head.writeUInt32LE(r.sealed ? r.sealed.length : TOMBSTONE, 42);
    parts.push(head);
    if (r.sealed && withSealed) parts.push(r.sealed);
  }
  return Buffer.concat(parts);
}

/**
 * The inverse of encodeRows. Without `sealedFrom`, each row's sealed bytes follow its header; with
 * it (encodeRows(rows, false)), they are taken in order from `sealedFrom`'s buffer instead.
 */
export function decodeRows(bytes: Buffer, sealedFrom?: { bytes: Buffer; at: number }): EntityRow[] {
  const rows: EntityRow[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 46 > bytes.length) throw new Error('replica rows: truncated row header');
    const kind = KINDS[bytes.readUInt8(at)];
    if (!kind) throw new Error('replica rows: unknown kind');
    const id = uuidText(bytes.subarray(at + 1, at + 17));
    const parent = bytes.readUInt8(at + 17) ? uuidText(bytes.subarray(at + 18, at + 34)) : null;
    const version = bytes.readDoubleLE(at + 34);
    const len = bytes.readUInt32LE(at + 42);
    at += 46;
    let sealed: Buffer | null = null;
    if (len !== TOMBSTONE && sealedFrom) {
      if (sealedFrom.at + len > sealedFrom.bytes.length)
        throw new Error('replica rows: truncated sealed row');
      sealed = sealedFrom.bytes.subarray(sealedFrom.at, sealedFrom.at + len);
      sealedFrom.at += len;
    } else if (len !== TOMBSTONE) {
      if (at + len > bytes.length) throw new Error('replica rows: truncated sealed row');
      // A view, not a copy: the rows keep the decoded plaintext alive, which they hold anyway.
      sealed = bytes.subarray(at, at + len);
      at += len;
    }
    rows.push({ kind, id, parent, version, sealed });
  }
  return rows;
}
