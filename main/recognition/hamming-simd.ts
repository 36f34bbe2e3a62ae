// Hamming distances of one 512-bit code against many, in WebAssembly SIMD (i8x16.popcnt), the
// prefilter of the packed gallery (packed-gallery.ts). Written as bytes because it is 40
// instructions and a WAT toolchain would be a build dependency for them; each line names the
// instruction it encodes (WebAssembly core spec 2.0, "Binary Format", SIMD opcodes after 0xfd).
//
// Why not JavaScript: a scalar popcount loop takes 2.4 ms for 50,000 codes and 18 ms for 500,000
// on this 2-core machine (loaded); this takes 0.2 ms and 6 ms (loaded). Node 22 and Electron's
// V8 enable SIMD by default.

/** Bytes per code: 512 sign bits. */
export const CODE_BYTES = 64;

const LOCAL = 0x20;
const SET = 0x21;
const TEE = 0x22;
const SIMD = 0xfd;
const V128_LOAD = 0x00; // followed by memarg: align 2^4, offset
const V128_XOR = 0x51;
const I8X16_POPCNT = 0x62;
const I8X16_ADD = 0x6e;
const I16X8_EXTADD_PAIRWISE_I8X16_U = 0x7d;
const I32X4_EXTADD_PAIRWISE_I16X8_U = 0x7f;
const I32X4_EXTRACT_LANE = 0x1b;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_CONST = 0x41;
const I32_EQZ = 0x45;
const I32_STORE16 = 0x3b;
const BR_IF = 0x0d;
const BR = 0x0c;
const END = 0x0b;

// ham(codes, n, probe, out): params 0..3; locals 4..7 hold the probe's four 16-byte words, 8 the
// per-row count. Per row: popcount(code XOR probe) over four words, summed to one u16 at out.
const load = (param: number, offset: number): number[] => [LOCAL, param, SIMD, V128_LOAD, 4, offset];
const word = (offset: number, probeLocal: number): number[] => [
  ...load(0, offset),
  LOCAL,
  probeLocal,
  SIMD,
  V128_XOR,
  SIMD,
  I8X16_POPCNT,
];
const lane = (i: number): number[] => [LOCAL, 8, SIMD, I32X4_EXTRACT_LANE, i, I32_ADD];
// prettier-ignore
const BODY = [
  0x01, 0x05, 0x7b, // one group of 5 v128 locals
  ...load(2, 0x00), SET, 4,
  ...load(2, 0x10), SET, 5,
  ...load(2, 0x20), SET, 6,
  ...load(2, 0x30), SET, 7,
  0x02, 0x40, 0x03, 0x40, // block, loop
  LOCAL, 1, I32_EQZ, BR_IF, 1, // n == 0: done
  LOCAL, 3, // store address
  ...word(0x00, 4),
  ...word(0x10, 5), SIMD, I8X16_ADD, // lanes reach 4 × 8 = 32: no u8 overflow
  ...word(0x20, 6), SIMD, I8X16_ADD,
  ...word(0x30, 7), SIMD, I8X16_ADD,
  SIMD, I16X8_EXTADD_PAIRWISE_I8X16_U,
  SIMD, I32X4_EXTADD_PAIRWISE_I16X8_U,
  TEE, 8, SIMD, I32X4_EXTRACT_LANE, 0,
  ...lane(1), ...lane(2), ...lane(3),
  I32_STORE16, 0x01, 0x00, // out[row] = count
  LOCAL, 3, I32_CONST, 2, I32_ADD, SET, 3, // out += 2
  LOCAL, 0, I32_CONST, 0xc0, 0x00, I32_ADD, SET, 0, // codes += 64 (signed LEB128)
  LOCAL, 1, I32_CONST, 1, I32_SUB, SET, 1, // n -= 1
  BR, 0, END, END,
  END,
];

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];
const I32 = 0x7f;
// prettier-ignore
const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
  ...section(1, [1, 0x60, 4, I32, I32, I32, I32, 0]), // type: (i32 i32 i32 i32) -> ()
  ...section(3, [1, 0]), // function 0 has type 0
  ...section(5, [1, 0x00, 1]), // memory: min 1 page, no max
  ...section(7, [2, 3, 0x68, 0x61, 0x6d, 0x00, 0, 3, 0x6d, 0x65, 0x6d, 0x02, 0]), // export "ham", "mem"
  ...section(10, [1, ...leb(BODY.length), ...BODY]),
]); // prettier-ignore

interface Exports {
  ham(codes: number, n: number, probe: number, out: number): void;
  mem: { readonly buffer: ArrayBuffer; grow(pages: number): number };
}
/** The part of the WebAssembly API used here (main's tsconfig has no DOM lib, which declares it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;

/**
 * Codes stored in WebAssembly memory: the probe's code at 0, row r's at 64 (r + 1), and the
 * distances written after the last row. Rows are written in place (`code(row)`).
 */
export class HammingTable {
  private readonly exports: Exports;
  private rowsCapacity = 0;

  constructor() {
    this.exports = new wasm.Instance(new wasm.Module(MODULE)).exports as Exports;
    this.reserve(1024);
  }

  /** Room for `rows` codes and their distances; existing codes stay. */
  reserve(rows: number): void {
    if (rows <= this.rowsCapacity) return;
    const bytes = CODE_BYTES * (rows + 1) + 2 * rows;
    const have = this.exports.mem.buffer.byteLength;
    if (bytes > have) this.exports.mem.grow(Math.ceil((bytes - have) / PAGE));
    this.rowsCapacity = rows;
  }

  get byteLength(): number {
    return this.exports.mem.buffer.byteLength;
  }

  /** Row `row`'s code, to write (a view: take it again after `reserve`). */
  code(row: number): Uint8Array {
    return new Uint8Array(this.exports.mem.buffer, CODE_BYTES * (row + 1), CODE_BYTES);
  }

  /** All the codes' bytes, to read many rows without a view each: row r's code is at `offset(r)`. */
  bytes(): Uint8Array {
    return new Uint8Array(this.exports.mem.buffer);
  }

  offset(row: number): number {
    return CODE_BYTES * (row + 1);
  }

  copyRow(from: number, to: number): void {
    const u8 = new Uint8Array(this.exports.mem.buffer);
    u8.copyWithin(CODE_BYTES * (to + 1), CODE_BYTES * (from + 1), CODE_BYTES * (from + 2));
  }

  /** Distances of `probe` to rows 0..n-1 (a view, valid until the next call). */
  distances(probe: Uint8Array, n: number): Uint16Array {
    const buffer = this.exports.mem.buffer;
    new Uint8Array(buffer, 0, CODE_BYTES).set(probe);
    const out = CODE_BYTES * (this.rowsCapacity + 1);
    this.exports.ham(CODE_BYTES, n, 0, out);
    return new Uint16Array(buffer, out, n);
  }
}
