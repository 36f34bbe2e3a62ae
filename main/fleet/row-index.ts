// The replica's rows as packed columns, not one object per row: a door with 100,000 people × 5
// templates holds 600,000 rows, and as EntityRow objects keyed by "kind:uuid" strings they were
// ~690 MB of JS heap. Here a row is a slot number into typed arrays (about 90 bytes a row), found
// from (kind, id) through an open-addressing hash table. Where a row's bytes lie (which file, at
// what offset) is kept here too; the bytes themselves stay on disk (replica.ts reads them).
//
// The record each file's sealed index holds per row (fixed size, so it is parsed without objects):
//   kind u8 | flags u8 | id 16 B | parent 16 B | version f64 | revision f64 | signer 16 B |
//   sealed length u32 (0xFFFFFFFF: a tombstone) | pin 16 B (the sealed bytes' AES-GCM tag)
// A row's raw record in the file: its signature (64 B, when signed) then its sealed bytes. A row
// signed through a manifest (migration 6; flag F_MANIFEST) holds in those 64 bytes instead
//   manifest id 16 B | position u32 | 44 zero bytes
// (replica-codec.ts's layout for the same row).
import type { EntityKind } from './entities.js';
import type { EntityRow } from './replica.js';
import { uuidText } from './replica-codec.js';

export const KINDS: readonly EntityKind[] = ['person', 'template', 'group', 'admin'];
export const TOMBSTONE = 0xffffffff;
/**
 * What pins a fleet-sealed row from the sealed index: its AES-GCM tag (seal()'s bytes 12 to 28,
 * after the 12-byte nonce). The tag is computed over the nonce, the AAD and every byte, so another
 * sealing of the row (an older version put back) has another tag but with chance 2^-128, and a
 * changed nonce or body fails the fleet key's check when the row is opened. Format-2 snapshots
 * pinned nonce and tag (28 bytes); the tag alone gives the same guarantee for 12 bytes a row less.
 */
export const PIN_AT = 12;
export const PIN_BYTES = 16;
/** An Ed25519 signature (admin-key.ts). */
export const SIGNATURE_BYTES = 64;
export const RECORD_BYTES = 1 + 1 + 16 + 16 + 8 + 8 + 16 + 4 + PIN_BYTES;
const F_PARENT = 1;
const F_SIGNED = 2;
export const F_MANIFEST = 4;

/** Where a row's raw record lies. */
export const IN_SNAPSHOT = 0;
export const IN_JOURNAL = 1;
/** Held in memory (a format-1/2 snapshot or an old journal, until the migration's compaction). */
export const IN_MEMORY = 2;

export function uuidInto(id: string, out: Uint8Array, at: number): void {
  const hex = id.replaceAll('-', '');
  if (hex.length !== 32) throw new Error(`replica rows: '${id}' is not a UUID`);
  if (Buffer.from(out.buffer, out.byteOffset + at, 16).write(hex, 'hex') !== 16)
    throw new Error(`replica rows: '${id}' is not a UUID`);
}

/** The 64 bytes a row's raw record holds before its sealed bytes: its signature, or its manifest's place. */
export function signatureBytes(signed: NonNullable<EntityRow['signed']>): Buffer {
  if (!signed.manifest) return signed.signature;
  const b = Buffer.alloc(SIGNATURE_BYTES);
  uuidInto(signed.manifest.id, b, 0);
  b.writeUInt32LE(signed.manifest.position, 16);
  return b;
}

/** Writes `row`'s index record at `out[at]`. */
export function encodeRecord(row: EntityRow, out: Buffer, at: number): void {
  out.fill(0, at, at + RECORD_BYTES);
  const kind = KINDS.indexOf(row.kind);
  if (kind < 0) throw new Error(`replica rows: unknown kind ${row.kind}`);
  out[at] = kind;
  const manifest = row.signed?.manifest;
  out[at + 1] = (row.parent ? F_PARENT : 0) | (row.signed ? F_SIGNED : 0) | (manifest ? F_MANIFEST : 0);
  uuidInto(row.id, out, at + 2);
  if (row.parent) uuidInto(row.parent, out, at + 18);
  out.writeDoubleLE(row.version, at + 34);
  if (row.signed) {
    out.writeDoubleLE(row.signed.revision, at + 42);
    uuidInto(row.signed.signer, out, at + 50);
    if (!manifest && row.signed.signature.length !== SIGNATURE_BYTES)
      throw new Error(`replica rows: a signature of ${row.signed.signature.length} bytes`);
  }
  out.writeUInt32LE(row.sealed ? row.sealed.length : TOMBSTONE, at + 66);
  if (row.sealed) row.sealed.copy(out, at + 70, PIN_AT, Math.min(PIN_AT + PIN_BYTES, row.sealed.length));
}

/** Bytes of a record's raw part in the file (signature, then sealed bytes). */
export function recordRawLength(rec: Buffer, at: number): number {
  const len = rec.readUInt32LE(at + 66);
  return (rec[at + 1]! & F_SIGNED ? SIGNATURE_BYTES : 0) + (len === TOMBSTONE ? 0 : len);
}

/** Mixes a (kind, 16-byte id) key into 32 bits (murmur3's multiply-xorshift steps). */
function hashKey(kind: number, b: Uint8Array, at: number): number {
  let h = Math.imul(kind + 1, 0x9e3779b1);
  for (let i = 0; i < 16; i += 4) {
    const w = b[at + i]! | (b[at + i + 1]! << 8) | (b[at + i + 2]! << 16) | (b[at + i + 3]! << 24);
    h = Math.imul(h ^ w, 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function grow<T extends Float64Array | Uint32Array | Uint8Array>(a: T, size: number): T {
  const C = a.constructor as new (n: number) => T;
  const next = new C(size);
  next.set(a);
  return next;
}

export class RowIndex {
  size = 0;
  private cap = 0;
  kind = new Uint8Array(0);
  flags = new Uint8Array(0);
  ids = new Uint8Array(0);
  parents = new Uint8Array(0);
  version = new Float64Array(0);
  revision = new Float64Array(0);
  signer = new Uint32Array(0);
  sealedLen = new Uint32Array(0);
  file = new Uint8Array(0);
  offset = new Float64Array(0);
  pins = new Uint8Array(0);
  /** Signer ids (admin key ids, UUIDs) by the index `signer` holds: a fleet has a few admins. */
  private signers: string[] = [];
  private signerOf = new Map<string, number>();
  /** Open addressing, linear probing: slot + 1, 0 empty. Kept at most two-thirds full. */
  private table = new Uint32Array(0);
  private readonly scratch = new Uint8Array(16);

  /** Room for n rows: exactly n when asked ahead (a snapshot's count), else a quarter more than now. */
  reserve(n: number, exact = false): void {
    if (n <= this.cap) return;
    // 1.25, not 2: doubling left 600,000 rows in room for 1,048,576 (~40 MB unused).
    const cap = exact ? n : Math.max(n, Math.ceil(this.cap * 1.25), 1024);
    this.kind = grow(this.kind, cap);
    this.flags = grow(this.flags, cap);
    this.ids = grow(this.ids, cap * 16);
    this.parents = grow(this.parents, cap * 16);
    this.version = grow(this.version, cap);
    this.revision = grow(this.revision, cap);
    this.signer = grow(this.signer, cap);
    this.sealedLen = grow(this.sealedLen, cap);
    this.file = grow(this.file, cap);
    this.offset = grow(this.offset, cap);
    this.pins = grow(this.pins, cap * PIN_BYTES);
    this.cap = cap;
    let t = 1024;
    while (t < cap * 1.5) t *= 2;
    if (t > this.table.length) {
      this.table = new Uint32Array(t);
      for (let s = 0; s < this.size; s++) this.link(s);
    }
  }

  private link(slot: number): void {
    const mask = this.table.length - 1;
    let i = hashKey(this.kind[slot]!, this.ids, slot * 16) & mask;
    while (this.table[i] !== 0) i = (i + 1) & mask;
    this.table[i] = slot + 1;
  }

  /** The slot of (kind, id at b[at..at+16]), or -1. */
  private findBytes(kind: number, b: Uint8Array, at: number): number {
    if (this.table.length === 0) return -1;
    const mask = this.table.length - 1;
    for (let i = hashKey(kind, b, at) & mask; ; i = (i + 1) & mask) {
      const e = this.table[i]!;
      if (e === 0) return -1;
      const s = e - 1;
      if (this.kind[s] !== kind) continue;
      let same = true;
      for (let k = 0, o = s * 16; k < 16; k++)
        if (this.ids[o + k] !== b[at + k]) {
          same = false;
          break;
        }
      if (same) return s;
    }
  }

  find(kind: EntityKind, id: string): number {
    const k = KINDS.indexOf(kind);
    if (k < 0) return -1;
    try {
      uuidInto(id, this.scratch, 0);
    } catch {
      return -1; // not a UUID: never held
    }
    return this.findBytes(k, this.scratch, 0);
  }

  /**
   * Takes the record at rec[at] for a row whose raw record lies at (file, offset), unless a row at
   * least as new is held. Returns its slot, or -1 when it was older.
   */
  put(rec: Buffer, at: number, file: number, offset: number): number {
    const kind = rec[at]!;
    if (!KINDS[kind]) throw new Error('replica rows: unknown kind');
    const version = rec.readDoubleLE(at + 34);
    let slot = this.findBytes(kind, rec, at + 2);
    if (slot >= 0 && this.version[slot]! >= version) return -1;
    if (slot < 0) {
      this.reserve(this.size + 1);
      slot = this.size++;
      this.kind[slot] = kind;
      this.ids.set(rec.subarray(at + 2, at + 18), slot * 16);
      this.link(slot);
    }
    const flags = rec[at + 1]!;
    this.flags[slot] = flags;
    this.parents.set(rec.subarray(at + 18, at + 34), slot * 16);
    this.version[slot] = version;
    this.revision[slot] = flags & F_SIGNED ? rec.readDoubleLE(at + 42) : 0;
    this.signer[slot] = flags & F_SIGNED ? this.signerIndex(uuidText(rec.subarray(at + 50, at + 66))) : 0;
    this.sealedLen[slot] = rec.readUInt32LE(at + 66);
    this.pins.set(rec.subarray(at + 70, at + 70 + PIN_BYTES), slot * PIN_BYTES);
    this.file[slot] = file;
    this.offset[slot] = offset;
    return slot;
  }

  private signerIndex(id: string): number {
    let i = this.signerOf.get(id);
    if (i === undefined) {
      i = this.signers.length;
      this.signers.push(id);
      this.signerOf.set(id, i);
    }
    return i;
  }

  /** Writes slot's index record at out[at] (compaction: the pins travel from here, not from disk). */
  record(slot: number, out: Buffer, at: number): void {
    out[at] = this.kind[slot]!;
    out[at + 1] = this.flags[slot]!;
    out.set(this.ids.subarray(slot * 16, slot * 16 + 16), at + 2);
    out.set(this.parents.subarray(slot * 16, slot * 16 + 16), at + 18);
    out.writeDoubleLE(this.version[slot]!, at + 34);
    out.writeDoubleLE(this.revision[slot]!, at + 42);
    out.fill(0, at + 50, at + 66);
    if (this.signed(slot)) uuidInto(this.signers[this.signer[slot]!]!, out, at + 50);
    out.writeUInt32LE(this.sealedLen[slot]!, at + 66);
    out.set(this.pins.subarray(slot * PIN_BYTES, slot * PIN_BYTES + PIN_BYTES), at + 70);
  }

  kindOf(slot: number): EntityKind {
    return KINDS[this.kind[slot]!]!;
  }

  idOf(slot: number): string {
    return uuidText(Buffer.from(this.ids.buffer, slot * 16, 16));
  }

  parentOf(slot: number): string | null {
    return this.flags[slot]! & F_PARENT ? uuidText(Buffer.from(this.parents.buffer, slot * 16, 16)) : null;
  }

  signed(slot: number): boolean {
    return (this.flags[slot]! & F_SIGNED) !== 0;
  }

  /** Signed through a manifest: the raw record's 64 signature bytes name the manifest and position. */
  viaManifest(slot: number): boolean {
    return (this.flags[slot]! & F_MANIFEST) !== 0;
  }

  signerOfSlot(slot: number): string {
    return this.signers[this.signer[slot]!]!;
  }

  tombstone(slot: number): boolean {
    return this.sealedLen[slot] === TOMBSTONE;
  }

  rawLength(slot: number): number {
    const len = this.sealedLen[slot]!;
    return (this.signed(slot) ? SIGNATURE_BYTES : 0) + (len === TOMBSTONE ? 0 : len);
  }

  /** Orders two slots by id as their text sorts (lower-case hex: the same as the bytes). */
  compareIds(a: number, b: number): number {
    return Buffer.compare(Buffer.from(this.ids.buffer, a * 16, 16), Buffer.from(this.ids.buffer, b * 16, 16));
  }

  /** Bytes the columns and the table take (the bench reports it). */
  get bytes(): number {
    return this.cap * (1 + 1 + 16 + 16 + 8 + 8 + 4 + 4 + 1 + 8 + PIN_BYTES) + this.table.length * 4;
  }

  clear(): void {
    this.size = 0;
    this.table.fill(0);
  }
}
