// 1:N over a packed template matrix: the matcher's gallery for a building-sized door.
//
// Every template is normalised once, when it is packed, and rotated by a fixed random rotation
// (random signs, then a Walsh-Hadamard transform). Its 512-bit code is the signs of the rotated
// template (SimHash, Charikar 2002). Up to COMPACT_ABOVE_ROWS rows the template is also kept as a
// float32 row; above, as "int4" rows: the code is the sign bit of each rotated coordinate, and three
// more bits a coordinate give its magnitude. A probe is scored in steps:
//   1. Hamming distance from the probe's code to every row's code (WebAssembly SIMD,
//      hamming-simd.ts): 64 bytes a row instead of 2,048, 0.2 ms for 50,000 rows;
//   2. the nearest rows by Hamming distance (the candidates) are scored against the probe: exactly
//      from float32 rows, or approximately from int4 rows (the candidate score);
//   3. int4 only: the few people whose candidate score is near the best one are scored exactly,
//      from their stored templates (GalleryEntry.templates: a door decodes them from the sealed
//      replica row), with the same cosine as 1:1. So the score compared with the threshold,
//      reported and audited is the exact cosine at every gallery size; no plaintext template is
//      kept in memory beyond the probe, nor written anywhere.
// A person's score is the best of their rows. Galleries of at most EXACT_ROWS rows skip step 1.
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
// among 100,000 random templates. Below the threshold `best` is the best of the candidates; with
// int4 rows, further than EXACT_MARGIN below it, the best candidate by candidate score (scored
// exactly): the door refuses either way, and decoding more people for such probes would cost
// every stranger's frame.
//
// Why int4 rows keep the ranking. After the rotation, each coordinate of a unit template times
// √512 has RMS exactly 1 and is close to a standard Gaussian (a sum of 512 ± terms), whatever the
// template: so one shared step serves every row and every coordinate, and a per-row scale would
// add nothing (every row's RMS is the same). Max (1960)'s optimal uniform 16-level quantiser for a
// Gaussian has step 0.3352 and mean squared error 0.01154 (checked by numerical integration); its
// levels ±1, ±3 … ±15 half-steps are a sign and 3 magnitude bits. Each row keeps one float: the
// least-squares scale c of its levels q (rotated template ≈ c q). The candidate score's error is
// then about √(0.01154 / 512) ≈ 0.005 (sd) against any probe, plus a bias of up to -0.012 × cos²
// for a probe along the template. Measured (packed-gallery.test.ts): at most 0.018 over the shared
// photos' 992 ordered pairs (rms 0.0051), 0.015 for the real faces among 100,000 random templates.
// 4 bits with a per-row scale (max |x| → 7) on the unrotated template did a little worse on the
// same pairs (0.019, rms 0.0057, measured once by hand); the rotation's larger gain is that the
// sign plane is the code, so int4 rows cost 192 bytes beside it, not 256. A real best
// person is lost only if another's candidate score passes theirs by more than EXACT_MARGIN = 0.04
// (about 5.7 sd of the difference of two errors): the people within the margin of the best
// candidate (and of the threshold: no one further below it can reach it) are all rescored
// exactly, at most MAX_EXACT_PEOPLE of them; on the same photos the answer is the list walk's.
//
// Memory a row: int4 64 B code + 192 B magnitudes + 4 B scale + 8 B owner = 268 B (500,000 rows:
// 128 MiB, 129 "MB" in the bench); float32 2,048 B + 64 B code + 8 B owner. The rotation of a
// template longer than 512 has more than 512 coordinates, which int4 rows do not hold: such
// galleries stay float32.
import { computeSim } from '../insightface/arcface.js';
import type { GalleryEntry } from '../store/enrollment-store.js';
import { mulberry32 } from '../util/seeded-random.js';
import { CODE_BYTES, HammingTable } from './hamming-simd.js';
import type { MatchResult } from './types.js';
import type { Ranking } from './matcher.js';

/** Galleries up to this many rows are scored without the prefilter: 1,024 × 512 multiply-adds ≈ 0.4 ms. */
export const EXACT_ROWS = 1024;
/** Share of the rows rescored after the Hamming prefilter (see the header for why). */
export const CANDIDATE_SHARE = 0.005;
export const MIN_CANDIDATES = 512;
/**
 * `auto` packs int4 rows above this many rows: 20,000 float32 rows of 512 are 41 MB, and up to
 * there a probe needs no template from the store; 500,000 would be 1.02 GB, int4 134 MB.
 */
export const COMPACT_ABOVE_ROWS = 20_000;
/**
 * int4 rows: people whose candidate score is within this of the best candidate are scored exactly.
 * 0.04: the candidate score's error is ≤ 0.018 on the shared photos' pairs (header), and two
 * people's errors can go opposite ways.
 */
export const EXACT_MARGIN = 0.04;
/** At most this many people scored exactly a probe (each costs a decode of their templates). */
export const MAX_EXACT_PEOPLE = 8;

export type Precision = 'float32' | 'int4';
export interface PackOptions {
  /**
   * Row storage; `auto` (default): float32 up to COMPACT_ABOVE_ROWS rows, int4 above (templates of
   * at most 512 floats; `int4` with longer ones is an error).
   */
  precision?: Precision | 'auto';
  /** Rows scored without the prefilter (tests set 0 to force it). */
  exactRows?: number;
}

interface Person {
  personId: string;
  name: string;
  rows: number[];
  /** The entry packed (sync skips unchanged entries); int4 galleries read its templates for step 3. */
  source: GalleryEntry;
  seen: number;
}

const BITS = 512;
const HADAMARD = (dim: number): number => Math.max(BITS, 1 << Math.ceil(Math.log2(dim)));
/** Max (1960): optimal step of a uniform 16-level quantiser for a unit Gaussian. */
const INT4_STEP = 0.3352;
/** int4 magnitude bits: three planes of one bit a coordinate, after the code (the sign plane). */
const PLANE = CODE_BYTES;
const MAGNITUDE_BYTES = 3 * PLANE;

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
  /** int4 rows: three magnitude planes of 64 bytes a row (the sign plane is the code). */
  private magnitudes: Uint8Array | null = null;
  /** int4 rows: the least-squares scale of the row's levels, over 512 (the rotation's gain). */
  private scales: Float32Array | null = null;
  private owner: Person[] = [];
  private readonly people = new Map<string, Person>();
  private readonly codes = new HammingTable();
  private signs: Float32Array | null = null;
  private rotated: Float32Array | null = null;
  /** Per probe: for each group of 8 rotated coordinates, the sum of the probe's over each subset. */
  private readonly subsetSums = new Float64Array((BITS / 8) * 256);
  /** Per probe: the sum of its rotated coordinates (Σ over groups of P_g[255]). */
  private probeSum = 0;
  /** Per probe: the codes' memory (int4 rows read their sign plane there). */
  private codeBytes: Uint8Array = new Uint8Array(0);
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
    return this.magnitudes ? 'int4' : 'float32';
  }

  /** Bytes held: rows, scales, codes and owners (8 bytes a reference). */
  get bytes(): number {
    return (
      (this.f32?.byteLength ?? 0) +
      (this.magnitudes?.byteLength ?? 0) +
      (this.scales?.byteLength ?? 0) +
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

  /**
   * Adds or replaces one person's rows. An int4 gallery keeps `entry` to read its templates again
   * for the exact score: give it entries that decode on demand (lazyGalleryEntry), not copies.
   */
  set(entry: GalleryEntry): void {
    this.remove(entry.personId);
    this.lastList = null;
    const all = entry.templates;
    if (this.dim === 0) {
      const first = all[0];
      if (!first) return;
      this.dim = first.length;
    }
    const templates = all.filter((t) => t.length === this.dim);
    if (templates.length === 0) return;
    const person: Person = { personId: entry.personId, name: entry.name, rows: [], source: entry, seen: 0 };
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
    const { rows, scores } = this.scoreCandidates(probe, exclude);
    let top = -1;
    for (let i = 0; i < scores.length; i++) if (scores[i]! > (top < 0 ? -Infinity : scores[top]!)) top = i;
    if (top < 0) return { best: null, match: null };
    let best: MatchResult | null = null;
    if (!this.magnitudes) {
      const person = this.owner[rows[top]!]!;
      best = { personId: person.personId, name: person.name, score: scores[top]! };
    } else {
      // Step 3: the best candidate (its score is reported), and everyone within the margin of it
      // who could reach the threshold.
      const floor = Math.max(scores[top]!, threshold) - EXACT_MARGIN;
      const near = new Map<Person, number>();
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i]!;
        if (s < floor && i !== top) continue;
        const person = this.owner[rows[i]!]!;
        if (s > (near.get(person) ?? -Infinity)) near.set(person, s);
      }
      const ranked = [...near].sort((a, b) => b[1] - a[1]).slice(0, MAX_EXACT_PEOPLE);
      for (const [person] of ranked) {
        const exact = personScore(probe, person.source);
        if (exact !== null && (!best || exact > best.score))
          best = { personId: person.personId, name: person.name, score: exact };
      }
    }
    return { best, match: best && best.score >= threshold ? best : null };
  }

  /**
   * Step 2: each candidate person's score, from their rows among the candidates (float32 rows:
   * the exact cosine; int4 rows: the candidate score the header describes). For tests and the
   * bench; `identify` is the door's answer.
   */
  candidateScores(probe: Float32Array, exclude?: string): Map<string, number> {
    const out = new Map<string, number>();
    if (this.rowCount === 0 || probe.length !== this.dim) return out;
    const { rows, scores } = this.scoreCandidates(probe, exclude);
    rows.forEach((row, i) => {
      const id = this.owner[row]!.personId;
      if (id !== exclude && scores[i]! > (out.get(id) ?? -Infinity)) out.set(id, scores[i]!);
    });
    return out;
  }

  /** Steps 1 and 2: the candidate rows and their scores (-Infinity for `exclude`'s rows). */
  private scoreCandidates(
    probe: Float32Array,
    exclude: string | undefined,
  ): { rows: number[]; scores: Float64Array } {
    const unit = normalised(probe);
    const rows = this.candidateRows(unit);
    const scores = new Float64Array(rows.length);
    const int4 = this.magnitudes !== null;
    if (int4) this.prepareInt4(unit);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      scores[i] =
        this.owner[row]!.personId === exclude
          ? -Infinity
          : int4
            ? this.int4Score(row)
            : this.floatScore(row, unit);
    }
    return { rows, scores };
  }

  /** Step 1: the rows to score (all of a small gallery, else the nearest by Hamming distance). */
  private candidateRows(unit: Float32Array): number[] {
    const rows: number[] = [];
    if (this.rowCount <= this.exactRows) {
      for (let r = 0; r < this.rowCount; r++) rows.push(r);
      return rows;
    }
    const distances = this.codes.distances(this.codeOf(this.rotate(unit)), this.rowCount);
    const cutoff = nearestCutoff(
      distances,
      Math.max(MIN_CANDIDATES, Math.ceil(this.rowCount * CANDIDATE_SHARE)),
    );
    for (let r = 0; r < distances.length; r++) if (distances[r]! <= cutoff) rows.push(r);
    return rows;
  }

  private floatScore(row: number, unit: Float32Array): number {
    const d = this.dim;
    const o = row * d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const m = this.f32!;
    for (let k = 0; k < d; k += 4) {
      s0 += m[o + k]! * unit[k]!;
      s1 += m[o + k + 1]! * unit[k + 1]!;
      s2 += m[o + k + 2]! * unit[k + 2]!;
      s3 += m[o + k + 3]! * unit[k + 3]!;
    }
    return s0 + s1 + s2 + s3;
  }

  /**
   * The probe's subset sums for int4 scoring: for each group g of 8 rotated coordinates and each
   * byte m, P_g[m] = the sum of the coordinates whose bit is set in m.
   */
  private prepareInt4(unit: Float32Array): void {
    const w = this.rotate(unit);
    const p = this.subsetSums;
    this.codeBytes = this.codes.bytes();
    let sum = 0;
    for (let g = 0; g < BITS / 8; g++) {
      const t = g << 8;
      p[t] = 0;
      for (let m = 1; m < 256; m++) {
        const low = m & -m;
        p[t + m] = p[t + (m ^ low)]! + w[8 * g + 31 - Math.clz32(low)]!;
      }
      sum += p[t + 255]!;
    }
    this.probeSum = sum;
  }

  /**
   * A row's candidate score: scale × Σ q_i w_i, with q_i = s_i (1 + 2 b0 + 4 b1 + 8 b2) from the
   * sign bit s and magnitude bits b, and w the rotated probe. Per group of 8 coordinates, with S
   * the code's byte and B a magnitude byte, Σ s_i w_i = 2 P[S] - P[255] and
   * Σ s_i b_i w_i = 2 P[B & S] - P[B]: 7 look-ups for 8 coordinates (P[255] summed once a
   * probe), no unpacking.
   */
  private int4Score(row: number): number {
    const p = this.subsetSums;
    const code = this.codeBytes;
    const c = this.codes.offset(row);
    const mag = this.magnitudes!;
    const o = row * MAGNITUDE_BYTES;
    let plus = 0;
    let minus = 0;
    for (let g = 0; g < PLANE; g++) {
      const t = g << 8;
      const s = code[c + g]!;
      const b0 = mag[o + g]!;
      const b1 = mag[o + PLANE + g]!;
      const b2 = mag[o + 2 * PLANE + g]!;
      plus += p[t + s]! + 2 * p[t + (b0 & s)]! + 4 * p[t + (b1 & s)]! + 8 * p[t + (b2 & s)]!;
      minus += 2 * p[t + b0]! + 4 * p[t + b1]! + 8 * p[t + b2]!;
    }
    return this.scales![row]! * (2 * plus - minus - this.probeSum);
  }

  /** Room for `rows` rows, so a gallery of known size is packed without growing (and over-allocating). */
  reserve(rows: number): void {
    if (this.dim === 0) {
      // The row length comes with the first template.
      this.pending = Math.max(this.pending, rows);
      return;
    }
    // Once int4, always int4: the float32 rows are gone (a shrinking gallery stays compact).
    const int4 = this.magnitudes !== null || this.wantsInt4(rows);
    if (rows <= this.capacity && int4 === (this.magnitudes !== null)) return;
    const capacity =
      rows <= this.capacity ? this.capacity : Math.max(rows, Math.ceil(this.capacity * 1.5), 64);
    this.codes.reserve(capacity);
    if (int4) {
      const magnitudes = new Uint8Array(capacity * MAGNITUDE_BYTES);
      const scales = new Float32Array(capacity);
      if (this.magnitudes && this.scales) {
        magnitudes.set(this.magnitudes.subarray(0, this.rowCount * MAGNITUDE_BYTES));
        scales.set(this.scales.subarray(0, this.rowCount));
      }
      const from = this.f32;
      this.magnitudes = magnitudes;
      this.scales = scales;
      this.f32 = null;
      if (from) {
        const d = this.dim;
        for (let r = 0; r < this.rowCount; r++)
          this.writeInt4(r, this.rotate(from.subarray(r * d, (r + 1) * d)));
      }
    } else {
      const f32 = new Float32Array(capacity * this.dim);
      if (this.f32) f32.set(this.f32.subarray(0, this.rowCount * this.dim));
      this.f32 = f32;
    }
    this.capacity = capacity;
  }

  private wantsInt4(rows: number): boolean {
    if (this.precision === 'float32') return false;
    const fits = HADAMARD(this.dim) === BITS;
    if (this.precision === 'int4' && !fits)
      throw new RangeError(
        `int4 rows hold 512 rotated coordinates: templates of ${this.dim} floats do not fit`,
      );
    return fits && (this.precision === 'int4' || rows > COMPACT_ABOVE_ROWS);
  }

  private writeRow(row: number, template: Float32Array): void {
    const unit = normalised(template);
    const v = this.rotate(unit);
    this.codes.code(row).set(this.codeOf(v));
    if (this.magnitudes) this.writeInt4(row, v);
    else this.f32!.set(unit, row * this.dim);
  }

  /** int4 magnitudes and scale of a rotated unit row `v` (its signs are the code). */
  private writeInt4(row: number, v: Float32Array): void {
    const mag = this.magnitudes!;
    const o = row * MAGNITUDE_BYTES;
    mag.fill(0, o, o + MAGNITUDE_BYTES);
    let vq = 0;
    let qq = 0;
    for (let i = 0; i < BITS; i++) {
      const x = v[i]!;
      const k = Math.min(7, Math.floor(Math.abs(x) / INT4_STEP));
      const q = x > 0 ? 2 * k + 1 : -(2 * k + 1);
      vq += x * q;
      qq += q * q;
      const byte = o + (i >> 3);
      const bit = 1 << (i & 7);
      if (k & 1) mag[byte]! |= bit;
      if (k & 2) mag[byte + PLANE]! |= bit;
      if (k & 4) mag[byte + 2 * PLANE]! |= bit;
    }
    // v ≈ scale q in the least-squares sense; over BITS because rotated probes have norm √BITS.
    this.scales![row] = vq / qq / BITS;
  }

  private moveRow(from: number, to: number): void {
    if (this.f32) this.f32.copyWithin(to * this.dim, from * this.dim, (from + 1) * this.dim);
    if (this.magnitudes && this.scales) {
      this.magnitudes.copyWithin(to * MAGNITUDE_BYTES, from * MAGNITUDE_BYTES, (from + 1) * MAGNITUDE_BYTES);
      this.scales[to] = this.scales[from]!;
    }
    this.codes.copyRow(from, to);
    const person = this.owner[from]!;
    this.owner[to] = person;
    person.rows[person.rows.indexOf(from)] = to;
  }

  /**
   * The rotation: random ±1 per coordinate, then Walsh-Hadamard, unscaled (a unit vector comes out
   * with norm √n, each coordinate of RMS 1). A view, overwritten by the next call.
   */
  private rotate(unit: Float32Array): Float32Array {
    const n = HADAMARD(this.dim);
    if (!this.signs || this.signs.length !== n) {
      this.signs = rotationSigns(n);
      this.rotated = new Float32Array(n);
    }
    const v = this.rotated!;
    v.fill(0);
    for (let i = 0; i < this.dim; i++) v[i] = unit[i]! * this.signs[i]!;
    hadamard(v);
    return v;
  }

  /** The 512 signs of the rotated vector. */
  private codeOf(v: Float32Array): Uint8Array {
    const code = new Uint8Array(CODE_BYTES);
    for (let i = 0; i < BITS; i++) if (v[i]! > 0) code[i >> 3]! |= 1 << (i & 7);
    return code;
  }
}

/**
 * A person's score: the best over their templates (null when none is comparable). Step 3 here,
 * and 1:1 (matcher.ts, which exports it).
 */
export function personScore(probe: Float32Array, entry: GalleryEntry): number | null {
  let best: number | null = null;
  for (const t of entry.templates) {
    if (t.length !== probe.length) continue;
    const s = computeSim(probe, t);
    if (best === null || s > best) best = s;
  }
  return best;
}

function normalised(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
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
