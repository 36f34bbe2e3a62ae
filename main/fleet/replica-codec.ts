// Binary layout of replica rows (the replica holds tens of thousands of 2 KB templates; JSON with
// base64 costs a third more bytes and much more time). One row:
//   kind u8 | id 16 B | parent flag u8 + 16 B | version f64 | sealed length u32 (0xFFFFFFFF = tombstone) | sealed
// Versions are PostgreSQL bigints from a sequence; below 2^53 a double holds them exactly.
// A signed row (issue 17) sets bit 1 of the parent flag and follows its header with
//   revision f64 | signer 16 B | signature 64 B
// so replicas written before signing still read (their flag byte is 0 or 1). A row signed through
// a manifest (migration 6) sets bit 2 as well, and its signature's 64 bytes are instead
//   manifest id 16 B | position u32 | 44 zero bytes
import type { EntityKind } from './entities.js';
import type { EntityRow } from './replica.js';

const KINDS: EntityKind[] = ['person', 'template', 'group', 'admin'];
const TOMBSTONE = 0xffffffff;

const uuidBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const text = Buffer.alloc(36);
/**
 * 16 bytes as a UUID's text, one flat string: slices joined with '-' make a V8 cons string of
 * nine parts (~200 bytes of heap where a flat one takes 48; 100,000 people's ids are kept).
 */
export const uuidText = (b: Uint8Array): string => {
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[o++] = 0x2d;
    text[o++] = HEX[b[i]! >> 4]!;
    text[o++] = HEX[b[i]! & 15]!;
  }
  return text.toString('latin1');
};

/** Bytes of a row's header (everything but its sealed bytes). */
export const ROW_HEAD_BYTES = 46;
const PARENT = 1;
const SIGNED = 2;
const MANIFEST = 4;
/** A manifest row's signature: one empty Buffer shared by every such row (never written to). */
const NO_SIGNATURE = Buffer.alloc(0);
/** revision, signer, signature after a signed row's header. */
const SIGNED_BYTES = 8 + 16 + 64;

export function encodeRows(rows: Iterable<EntityRow>, withSealed = true): Buffer {
  const parts: Buffer[] = [];
  for (const r of rows) {
    const head = Buffer.alloc(ROW_HEAD_BYTES);
    head.writeUInt8(KINDS.indexOf(r.kind), 0);
    uuidBytes(r.id).copy(head, 1);
    if (r.parent) uuidBytes(r.parent).copy(head, 18);
    const m = r.signed?.manifest;
    head.writeUInt8((r.parent ? PARENT : 0) | (r.signed ? SIGNED : 0) | (m ? MANIFEST : 0), 17);
    head.writeDoubleLE(r.version, 34);
    head.writeUInt32LE(r.sealed ? r.sealed.length : TOMBSTONE, 42);
    parts.push(head);
    if (r.signed) {
      const s = Buffer.alloc(SIGNED_BYTES);
      s.writeDoubleLE(r.signed.revision, 0);
      uuidBytes(r.signed.signer).copy(s, 8);
      if (m) {
        uuidBytes(m.id).copy(s, 24);
        s.writeUInt32LE(m.position, 40);
      } else r.signed.signature.copy(s, 24);
      parts.push(s);
    }
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
  // A manifest's rows share their signer and manifest id: one string each, not one per row
  // (600,000 rows of a campus held ~1 KB of JS heap a row more otherwise).
  let lastSigner: { bytes: Buffer; text: string } | null = null;
  let lastManifest: { bytes: Buffer; text: string } | null = null;
  const same = (last: { bytes: Buffer; text: string } | null, b: Buffer) =>
    last?.bytes.equals(b) ? last : { bytes: b, text: uuidText(b) };
  while (at < bytes.length) {
    if (at + 46 > bytes.length) throw new Error('replica rows: truncated row header');
    const kind = KINDS[bytes.readUInt8(at)];
    if (!kind) throw new Error('replica rows: unknown kind');
    const id = uuidText(bytes.subarray(at + 1, at + 17));
    const flags = bytes.readUInt8(at + 17);
    const parent = flags & PARENT ? uuidText(bytes.subarray(at + 18, at + 34)) : null;
    const version = bytes.readDoubleLE(at + 34);
    const len = bytes.readUInt32LE(at + 42);
    at += 46;
    let signed: EntityRow['signed'];
    if (flags & SIGNED) {
      if (at + SIGNED_BYTES > bytes.length) throw new Error('replica rows: truncated signature');
      lastSigner = same(lastSigner, bytes.subarray(at + 8, at + 24));
      const revision = bytes.readDoubleLE(at);
      if (flags & MANIFEST) {
        lastManifest = same(lastManifest, bytes.subarray(at + 24, at + 40));
        // One literal: the object is made with its four fields (no added property's extra storage).
        signed = {
          revision,
          signer: lastSigner.text,
          signature: NO_SIGNATURE,
          manifest: { id: lastManifest.text, position: bytes.readUInt32LE(at + 40) },
        };
      } else
        signed = {
          revision,
          signer: lastSigner.text,
          signature: Buffer.from(bytes.subarray(at + 24, at + 88)),
        };
      at += SIGNED_BYTES;
    }
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
    rows.push(signed ? { kind, id, parent, version, sealed, signed } : { kind, id, parent, version, sealed });
  }
  return rows;
}
