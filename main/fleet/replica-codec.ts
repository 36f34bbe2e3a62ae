// Binary layout of replica rows (the replica holds tens of thousands of 2 KB templates; JSON with
// base64 costs a third more bytes and much more time). One row:
//   kind u8 | id 16 B | parent flag u8 + 16 B | version f64 | sealed length u32 (0xFFFFFFFF = tombstone) | sealed
// Versions are PostgreSQL bigints from a sequence; below 2^53 a double holds them exactly.
import type { EntityKind } from './entities.js';
import type { EntityRow } from './replica.js';

const KINDS: EntityKind[] = ['person', 'template', 'group'];
const TOMBSTONE = 0xffffffff;

const uuidBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
const uuidText = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export function encodeRows(rows: Iterable<EntityRow>): Buffer {
  const parts: Buffer[] = [];
  for (const r of rows) {
    const head = Buffer.alloc(1 + 16 + 1 + 16 + 8 + 4);
    head.writeUInt8(KINDS.indexOf(r.kind), 0);
    uuidBytes(r.id).copy(head, 1);
    if (r.parent) {
      head.writeUInt8(1, 17);
      uuidBytes(r.parent).copy(head, 18);
    }
    head.writeDoubleLE(r.version, 34);
    head.writeUInt32LE(r.sealed ? r.sealed.length : TOMBSTONE, 42);
    parts.push(head);
    if (r.sealed) parts.push(r.sealed);
  }
  return Buffer.concat(parts);
}

export function decodeRows(bytes: Buffer): EntityRow[] {
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
    if (len !== TOMBSTONE) {
      if (at + len > bytes.length) throw new Error('replica rows: truncated sealed row');
      sealed = Buffer.from(bytes.subarray(at, at + len));
      at += len;
    }
    rows.push({ kind, id, parent, version, sealed });
  }
  return rows;
}
