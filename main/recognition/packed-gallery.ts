// 1:N over a packed template matrix: the matcher's gallery for a building-sized door.
//
// Every template is normalised once, when it is packed, into one contiguous row of a matrix (float32,
// or int8 "compact" rows for large galleries), next to a 512-bit code: the signs of the template
// after a fixed random rotation (SimHash, Charikar 2002). A probe is scored in two steps:
//   1. Hamming distance from the probe's code to every row's code (WebAssembly SIMD,
//      hamming-simd.ts): 64 bytes a row instead of 2,048, 0.2 ms for 50,000 rows;
//   2. exact cosine against the nearest rows by Hamming distance (the candidates), and the best row's
//      person is the answer (a person's score is the best of their rows).
// Galleries of at most EXACT_ROWS rows skip step 1 and score every row.
//
// Why the candidates hold the best person. The Hamming distance between two codes is a binomial
// count with p = θ/π per bit, θ the angle between the vectors. A cosine at the door's threshold
// (0.28-0.4) is θ ≤ 73.7°: expected distance ≤ 210 of 512, sd ≤ 11. Strangers' templates sit near
// cosine 0 (sd 0.074 on the shared photos, thresholds.ts): expected distance 256, sd ~13. The
// candidates are the nearest CANDIDATE_SHARE of rows (at least MIN_CANDIDATES): at 500,000 rows
// 2,500 rows, which reach down to about 256 - 2.6 sd ≈ 222 for a stranger's templates, so a
// template at the threshold is left out with a chance of about 1 in 7 (z ≈ 1.1 from 210 at
// p = 0.41); every cosine of 0.5 or more (θ ≤ 60°, distance 171 ± 10.7) is in with z > 4.7. The test
// (packed-gallery.test.ts) checks the answer against the exact float search on the shared photos
// among 100,000 random templates. Below the threshold `best` is the best of the candidates.
import type { GalleryEntry } from '../store/enrollment-store.js';
import { mulberry32 } from '../util/seeded-random.js';
import { CODE_BYTES, HammingTable } from './hamming-simd.js';
import type { MatchResult } from './types.js';
import type { Ranking } from './matcher.js';

/** Galleries up to this many rows are scored exactly, row by row: 1,024 × 512 multiply-adds ≈ 0.4 ms. */
export const EXACT_ROWS = 1024;
/** Share of the rows rescored exactly after the Hamming prefilter (see the header for why). */
export const CANDIDATE_SHARE = 0.005;
export const MIN_CANDIDATES = 512;
/**
 * `auto` packs int8 rows above this many rows: 20,000 float32 rows of 512 are 41 MB; 500,000 are
 * 1.02 GB, int8 256 MB.
 */
export const COMPACT_ABOVE_ROWS = 20_000;

export type Precision = 'float32' | 'int8';
export interface PackOptions {
  /** Row storage; `auto` (default): float32 up to COMPACT_ABOVE_ROWS rows, int8 above. */
  precision?: Precision | 'auto';
  /** Rows scored exactly without the prefilter (tests set 0 to force it). */
  exactRows?: number;
}

interface Person {
  personId: string;
  name: string;
  rows: number[];
  /** The entry `sync` packed it from (unchanged entries are skipped); null after `set`. */
  source: GalleryEntry | null;
  seen: number;
}

const BITS = 512;
const HADAMARD = (dim: number): number => Math.max(BITS, 1 << Math.ceil(Math.log2(dim)));

/** Fixed ±1 signs for the rotation (seed 0x7ab1, chosen once): the same codes on every door. */
function rotationSigns(n: number): Float32Array {
  const random = mulberry32(0x7ab1);
  return Float32Array.from({ length: n }, () => (random() < 0.5 ? 1 : -1));
}

/** In-place fast Walsh-Hadamard transform (length a power of two). */
function hadamard(v: Float32Array): void {
  for (let h = 1; h < v.length; h <<= 1) {
    for (let i = 0; i < v.length; i += h << 1) {
      for (let j = i; j < i + h; j++) {
        const x = v[j]!;
        const y = v[j + h]!;
        v[j] = x + y;
        v[j + h] = x - y;
      }
    }
  }
}

export class PackedGallery {
  readonly precision: Precision | 'auto';
  private readonly exactRows: number;
  private dim = 0;
  private rowCount = 0;
  private capacity = 0;
  private f32: Float32Array | null = null;
  private i8: Int8Array | null = null;
  /** int8 rows: 1 / ‖q‖, so a row's cosine is (q · probe) / ‖q‖ with the probe unit-length. */
  private inv: Float32Array | null = null;
  private owner: Person[] = [];
  private readonly people = new Map<string, Person>();
  private readonly codes = new HammingTable();
  private signs: Float32Array | null = null;
  private scratch: Float32Array | null = null;
  private lastList: readonly GalleryEntry[] | null = null;
  private generation = 0;
  private pending = 0;

  constructor(options: PackOptions = {}) {
    this.precision = options.precision ?? 'auto';
    this.exactRows = options.exactRows ?? EXACT_ROWS;
  }

  static of(entries: readonly GalleryEntry[], options?: PackOptions): PackedGallery {
    return new PackedGallery(options).sync(entries);
  }

  get size(): number {
    return this.people.size;
  }

  get rows(): number {
    return this.rowCount;
  }

  get storage(): Precision {
    return this.i8 ? 'int8' : 'float32';
  }

  /** Bytes held: rows, norms, codes and owners (8 bytes a reference). */
  get bytes(): number {
    return (
      (this.f32?.byteLength ?? 0) +
      (this.i8?.byteLength ?? 0) +
      (this.inv?.byteLength ?? 0) +
      this.codes.byteLength +
      8 * this.owner.length
    );
  }

  /**
   * Brings the matrix in line with `entries` (one recognizer's gallery), in place: people whose
   * entry object is unchanged are skipped, changed ones re-packed, missing ones removed. The same
   * list twice costs nothing, so callers may sync before every probe.
   */
  sync(entries: readonly GalleryEntry[]): this {
    if (entries === this.lastList) return this;
    const stamp = ++this.generation;
    // `count`: a door's entries say how many templates they hold without decoding them.
    if (this.rowCount === 0) this.reserve(entries.reduce((n, e) => n + (e.count ?? e.templates.length), 0));
    for (const entry of entries) {
      const known = this.people.get(entry.personId);
      if (!known || (known.source !== entry && !sameEntry(known.source, entry))) this.set(entry);
      const person = this.people.get(entry.personId);
      if (person) {
        person.seen = stamp;
        person.source = entry;
      }
    }
    for (const person of [...this.people.values()]) if (person.seen !== stamp) this.remove(person.personId);
    this.lastList = entries;
    return this;
  }

  /** Adds or replaces one person's rows. */
  set(entry: GalleryEntry): void {
    this.remove(entry.personId);
    this.lastList = null;
    if (this.dim === 0) {
      const first = entry.templates[0];
      if (!first) return;
      this.dim = first.length;
    }
    const templates = entry.templates.filter((t) => t.length === this.dim);
    if (templates.length === 0) return;
    const person: Person = { personId: entry.personId, name: entry.name, rows: [], source: null, seen: 0 };
    this.reserve(Math.max(this.pending, this.rowCount + templates.length));
    for (const t of templates) {
      const row = this.rowCount++;
      this.writeRow(row, t);
      this.owner[row] = person;
      person.rows.push(row);
    }
    this.people.set(entry.personId, person);
  }

  /** Removes a person's rows: the last rows move into their places. */
  remove(personId: string): void {
    const person = this.people.get(personId);
    if (!person) return;
    this.lastList = null;
    this.people.delete(personId);
    for (const row of [...person.rows].sort((a, b) => b - a)) {
      const last = --this.rowCount;
      if (row !== last) this.moveRow(last, row);
      this.owner.length = this.rowCount;
    }
  }

  /**
   * 1:N: the best person; `match` when the best reaches `threshold`. `exclude`: a person left out
   * (the duplicate check at enrollment asks about everyone but the person being enrolled).
   */
  identify(probe: Float32Array, threshold: number, exclude?: string): Ranking {
    if (this.rowCount === 0 || probe.length !== this.dim) return { best: null, match: null };
    const unit = normalised(probe);
    let bestRow = -1;
    let bestScore = -Infinity;
    const consider = (row: number): void => {
      if (exclude !== undefined && this.owner[row]!.personId === exclude) return;
      const s = this.score(row, unit);
      if (s > bestScore) {
        bestScore = s;
        bestRow = row;
      }
    };
    if (this.rowCount <= this.exactRows) {
      for (let r = 0; r < this.rowCount; r++) consider(r);
    } else {
      const distances = this.codes.distances(this.codeOf(unit), this.rowCount);
      const cutoff = nearestCutoff(
        distances,
        Math.max(MIN_CANDIDATES, Math.ceil(this.rowCount * CANDIDATE_SHARE)),
      );
      for (let r = 0; r < distances.length; r++) if (distances[r]! <= cutoff) consider(r);
    }
    if (bestRow < 0) return { best: null, match: null };
    const person = this.owner[bestRow]!;
    const best: MatchResult = { personId: person.personId, name: person.name, score: bestScore };
    return { best, match: bestScore >= threshold ? best : null };
  }

  private score(row: number, unit: Float32Array): number {
    const d = this.dim;
    const o = row * d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const m = (this.f32 ?? this.i8)!;
    for (let k = 0; k < d; k += 4) {
      s0 += m[o + k]! * unit[k]!;
      s1 += m[o + k + 1]! * unit[k + 1]!;
      s2 += m[o + k + 2]! * unit[k + 2]!;
      s3 += m[o + k + 3]! * unit[k + 3]!;
    }
    const s = s0 + s1 + s2 + s3;
    return this.inv ? s * this.inv[row]! : s;
  }

  /** Room for `rows` rows, so a gallery of known size is packed without growing (and over-allocating). */
  reserve(rows: number): void {
    if (this.dim === 0) {
      // The row length comes with the first template.
      this.pending = Math.max(this.pending, rows);
      return;
    }
    const compact = this.precision === 'int8' || (this.precision === 'auto' && rows > COMPACT_ABOVE_ROWS);
    if (rows <= this.capacity && compact === (this.i8 !== null)) return;
    const capacity =
      rows <= this.capacity ? this.capacity : Math.max(rows, Math.ceil(this.capacity * 1.5), 64);
    const d = this.dim;
    if (compact) {
      const i8 = new Int8Array(capacity * d);
      const inv = new Float32Array(capacity);
      if (this.i8 && this.inv) {
        i8.set(this.i8.subarray(0, this.rowCount * d));
        inv.set(this.inv.subarray(0, this.rowCount));
      } else if (this.f32) {
        for (let r = 0; r < this.rowCount; r++) {
          inv[r] = quantise(this.f32.subarray(r * d, (r + 1) * d), i8.subarray(r * d, (r + 1) * d));
        }
      }
      this.i8 = i8;
      this.inv = inv;
      this.f32 = null;
    } else {
      const f32 = new Float32Array(capacity * d);
      if (this.f32) f32.set(this.f32.subarray(0, this.rowCount * d));
      this.f32 = f32;
    }
    this.codes.reserve(capacity);
    this.capacity = capacity;
  }

  private writeRow(row: number, template: Float32Array): void {
    const d = this.dim;
    const unit = normalised(template);
    if (this.i8 && this.inv) this.inv[row] = quantise(unit, this.i8.subarray(row * d, (row + 1) * d));
    else this.f32!.set(unit, row * d);
    this.codes.code(row).set(this.codeOf(unit));
  }

  private moveRow(from: number, to: number): void {
    const d = this.dim;
    const m = this.f32 ?? this.i8!;
    m.copyWithin(to * d, from * d, (from + 1) * d);
    if (this.inv) this.inv[to] = this.inv[from]!;
    this.codes.copyRow(from, to);
    const person = this.owner[from]!;
    this.owner[to] = person;
    person.rows[person.rows.indexOf(from)] = to;
  }

  /** The 512 signs of the rotated vector: random ±1 per coordinate, then Walsh-Hadamard. */
  private codeOf(unit: Float32Array): Uint8Array {
    const n = HADAMARD(this.dim);
    if (!this.signs || this.signs.length !== n) {
      this.signs = rotationSigns(n);
      this.scratch = new Float32Array(n);
    }
    const v = this.scratch!;
    v.fill(0);
    for (let i = 0; i < this.dim; i++) v[i] = unit[i]! * this.signs[i]!;
    hadamard(v);
    const code = new Uint8Array(CODE_BYTES);
    for (let i = 0; i < BITS; i++) if (v[i]! > 0) code[i >> 3]! |= 1 << (i & 7);
    return code;
  }
}

function normalised(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

/** int8 with one scale per row (max |x| → 127); returns 1 / ‖q‖ for the row's cosine. */
export function quantise(unit: Float32Array, out: Int8Array): number {
  let max = 0;
  for (let i = 0; i < unit.length; i++) max = Math.max(max, Math.abs(unit[i]!));
  const scale = max > 0 ? 127 / max : 0;
  let n = 0;
  for (let i = 0; i < unit.length; i++) {
    const q = Math.round(unit[i]! * scale);
    out[i] = q;
    n += q * q;
  }
  return n > 0 ? 1 / Math.sqrt(n) : 0;
}

/**
 * The distance within which about the `k` nearest rows lie (ties all included). Above 64k rows it
 * is read from every 8th row's distance: a histogram over 62,500 of 500,000 rows puts the cutoff
 * within a distance step or so of the full count's (k = 2,500 is the 312th of the sample) and saves
 * a pass over the rest.
 */
function nearestCutoff(distances: Uint16Array, k: number): number {
  if (k >= distances.length) return BITS;
  const stride = distances.length > 65_536 ? 8 : 1;
  const want = Math.ceil(k / stride);
  const histogram = new Uint32Array(BITS + 1);
  for (let r = 0; r < distances.length; r += stride) histogram[distances[r]!]!++;
  let count = 0;
  for (let d = 0; d <= BITS; d++) {
    count += histogram[d]!;
    if (count >= want) return d;
  }
  return BITS;
}

function sameEntry(a: GalleryEntry | null, b: GalleryEntry): boolean {
  if (!a || a.name !== b.name) return false;
  // Read once each: a door's entries decode their templates on every read (lazyGalleryEntry).
  const as = a.templates;
  const bs = b.templates;
  if (as.length !== bs.length) return false;
  for (let t = 0; t < as.length; t++) {
    const x = as[t]!;
    const y = bs[t]!;
    if (x === y) continue;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}
