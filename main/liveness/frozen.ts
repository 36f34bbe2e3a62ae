// Replay hygiene: a live camera's sensor noise makes two frames bit-identical practically
// never, so identical frames mean a frozen or looping virtual camera (or a replayed file).
// Each frame is hashed in full (two independent 32-bit lanes, 64 bits together) and only the
// hashes are kept, for a short window.

/** 64-bit hash of the bytes as two FNV-1a-style 32-bit lanes over 32-bit words. */
export function frameHash(data: Uint8Array | Uint8ClampedArray): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ data.length;
  const words = data.length >>> 2;
  const aligned = data.byteOffset % 4 === 0;
  const view = aligned ? new Uint32Array(data.buffer, data.byteOffset, words) : null;
  for (let i = 0; i < words; i++) {
    const w = view
      ? view[i]!
      : (data[i * 4]! | (data[i * 4 + 1]! << 8) | (data[i * 4 + 2]! << 16) | (data[i * 4 + 3]! << 24)) >>> 0;
    h1 = Math.imul(h1 ^ w, 0x01000193);
    // A different multiplier and rotation, so a collision in one lane is not one in the other.
    h2 = Math.imul((h2 << 5) | (h2 >>> 27), 0x9e3779b1) ^ w;
  }
  for (let i = words * 4; i < data.length; i++) {
    h1 = Math.imul(h1 ^ data[i]!, 0x01000193);
    h2 = Math.imul((h2 << 5) | (h2 >>> 27), 0x9e3779b1) ^ data[i]!;
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

export interface FrozenFrameOptions {
  /**
   * How long one identical image may last, in ms. A camera slower than the sampling rate
   * repeats a frame for a frame period (200 ms at 5 fps in dim light), so 1000 ms is several
   * periods of even a slow camera and still quick to catch a frozen one.
   */
  maxStillMs?: number;
  /** How far back a frame seen before (a loop of a recording) is remembered, in ms. */
  windowMs?: number;
}

export type FrozenReason = 'frozen' | 'replayed';

export interface FrozenVerdict {
  frozen: boolean;
  reason?: FrozenReason;
}

interface Run {
  hash: string;
  firstMs: number;
  lastMs: number;
}

export class FrozenFrameDetector {
  private readonly maxStillMs: number;
  private readonly windowMs: number;
  /** Runs of identical frames, oldest first; the last is the current image. */
  private runs: Run[] = [];

  constructor(opts: FrozenFrameOptions = {}) {
    this.maxStillMs = opts.maxStillMs ?? 1000;
    this.windowMs = opts.windowMs ?? 10_000;
  }

  /** Records the frame taken at `nowMs` and says whether it shows a frozen or replayed feed. */
  check(data: Uint8Array | Uint8ClampedArray, nowMs: number): FrozenVerdict {
    const hash = frameHash(data);
    this.runs = this.runs.filter((r) => nowMs - r.lastMs <= this.windowMs);
    const current = this.runs.at(-1);
    if (current && current.hash === hash) {
      current.lastMs = nowMs;
      return nowMs - current.firstMs >= this.maxStillMs
        ? { frozen: true, reason: 'frozen' }
        : { frozen: false };
    }
    const seenBefore = this.runs.some((r) => r.hash === hash);
    this.runs.push({ hash, firstMs: nowMs, lastMs: nowMs });
    return seenBefore ? { frozen: true, reason: 'replayed' } : { frozen: false };
  }

  reset(): void {
    this.runs = [];
  }
}
