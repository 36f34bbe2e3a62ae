// Replay hygiene: a live camera's sensor noise changes every pixel a little in every frame, so
// a feed whose frames stay within a hair of each other is a frozen or looping virtual camera, a
// replayed file, or a still picture re-sent with a few bits changed. Frames are compared with a
// tolerance, never bit for bit: flipping one bit per frame must not make a still picture "live".
//
// Each frame is reduced to a grey signature: point samples on a fixed grid (not block means:
// averaging would smooth away exactly the sensor noise that tells a live feed from a still one).
// Two frames are "the same image" when the mean absolute difference of their signatures is
// under STILL_MAD grey levels. Only signatures are kept, for a short window.

/** Signature grid: 64×48 = 3072 samples, enough that the mean difference is a stable statistic. */
const GRID_W = 64;
const GRID_H = 48;

/**
 * Mean absolute difference, in 8-bit grey levels, under which two frames show the same still
 * image. A webcam's temporal noise is at least σ ≈ 1 level even in good light, and two frames
 * with independent noise of σ differ on average by 2σ/√π ≈ 1.1σ, so a live feed measures
 * ≥ 1.1 (Chromium's fake camera in the tests, ±2 levels of noise, measures about 1.3). A still
 * picture re-sent with a few bits flipped per frame measures under 0.01. 0.5 sits between
 * them with room on both sides.
 */
export const STILL_MAD = 0.5;

/**
 * How long one still image may last, in ms. A camera slower than the sampling rate repeats a
 * frame for a frame period (200 ms at 5 fps in dim light), so 600 ms is three periods of even a
 * slow camera. The decision engine's live-evidence span (recognition/decision.ts,
 * minLiveEvidenceMs) is at least this long, so a still feed is caught before it can unlock.
 */
export const STILL_FEED_MS = 600;

export interface FrozenFrameOptions {
  /** How long one still image may last, in ms (STILL_FEED_MS). */
  maxStillMs?: number;
  /** How far back a frame seen before (a loop of a recording) is remembered, in ms. */
  windowMs?: number;
  /** The tolerance, in grey levels (STILL_MAD). */
  stillMad?: number;
}

export type FrozenReason = 'frozen' | 'replayed';

export interface FrozenVerdict {
  frozen: boolean;
  reason?: FrozenReason;
}

/** Pixels as the frame path carries them (a PixelImage fits). */
export interface FramePixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  format: 'rgba' | 'rgb' | 'bgr';
}

/** The grey signature of a frame: GRID_W × GRID_H point samples, BT.601 luma. */
export function frameSignature(image: FramePixels): Uint8Array {
  const channels = image.format === 'rgba' ? 4 : 3;
  const [r, b] = image.format === 'bgr' ? [2, 0] : [0, 2];
  const out = new Uint8Array(GRID_W * GRID_H);
  for (let gy = 0; gy < GRID_H; gy++) {
    const y = Math.min(image.height - 1, Math.floor(((gy + 0.5) * image.height) / GRID_H));
    for (let gx = 0; gx < GRID_W; gx++) {
      const x = Math.min(image.width - 1, Math.floor(((gx + 0.5) * image.width) / GRID_W));
      const i = (y * image.width + x) * channels;
      const d = image.data;
      out[gy * GRID_W + gx] = (77 * d[i + r]! + 150 * d[i + 1]! + 29 * d[i + b]!) >> 8;
    }
  }
  return out;
}

/** Mean absolute difference of two signatures, in grey levels. */
export function signatureDistance(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

interface Run {
  signature: Uint8Array;
  firstMs: number;
  lastMs: number;
}

export class FrozenFrameDetector {
  private readonly maxStillMs: number;
  private readonly windowMs: number;
  private readonly stillMad: number;
  /** Runs of frames showing the same image, oldest first; the last is the current image. */
  private runs: Run[] = [];

  constructor(opts: FrozenFrameOptions = {}) {
    this.maxStillMs = opts.maxStillMs ?? STILL_FEED_MS;
    this.windowMs = opts.windowMs ?? 10_000;
    this.stillMad = opts.stillMad ?? STILL_MAD;
  }

  /** Records the frame taken at `nowMs` and says whether it shows a frozen or replayed feed. */
  check(image: FramePixels, nowMs: number): FrozenVerdict {
    const signature = frameSignature(image);
    this.runs = this.runs.filter((r) => nowMs - r.lastMs <= this.windowMs);
    const current = this.runs.at(-1);
    if (current && signatureDistance(current.signature, signature) < this.stillMad) {
      current.lastMs = nowMs;
      return nowMs - current.firstMs >= this.maxStillMs
        ? { frozen: true, reason: 'frozen' }
        : { frozen: false };
    }
    const seenBefore = this.runs.some((r) => signatureDistance(r.signature, signature) < this.stillMad);
    this.runs.push({ signature, firstMs: nowMs, lastMs: nowMs });
    return seenBefore ? { frozen: true, reason: 'replayed' } : { frozen: false };
  }

  reset(): void {
    this.runs = [];
  }
}
