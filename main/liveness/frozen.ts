// Replay hygiene: a live camera's sensor noise changes every pixel a little in every frame, so
// a feed whose frames stay within a hair of each other is a frozen or looping virtual camera, a
// replayed file, or a still picture re-sent with a few bits changed. Frames are compared with a
// tolerance, never bit for bit: flipping one bit per frame must not make a still picture "live".
//
// Each frame is reduced to a grey signature (frames/pixels.ts: point samples on a fixed grid).
// Two frames are "the same image" when the mean absolute difference of their signatures is
// under STILL_MAD grey levels. Only signatures are kept, for a short window.

/**
 * Mean absolute difference, in 8-bit grey levels, under which two frames show the same still
 * image. A webcam's temporal noise is at least σ ≈ 1 level even in good light, and two frames
 * with independent noise of σ differ on average by 2σ/√π ≈ 1.1σ, so a live feed measures
 * ≥ 1.1. The tests' fake camera clips (test/helpers/y4m.ts, ffmpeg noise=alls=2) measure
 * 0.81–0.89 between consecutive frames, the lowest live-like feed the kiosk is tested on. A still
 * picture re-sent with a few bits flipped per frame measures under 0.01. 0.5 sits between
 * them with room on both sides.
 */
export const STILL_MAD = 0.5;

import { frameSignature, signatureDistance, type FramePixels } from '../frames/pixels.js';
export { frameSignature, signatureDistance, type FramePixels };

/**
 * How long one still image may last, in ms, before the feed is called frozen (and the screen
 * says so). A camera slower than the sampling rate repeats a frame for a frame period (200 ms at
 * 5 fps in dim light), so 600 ms is three periods of even a slow camera. A still feed cannot
 * unlock in the meantime either: the decision engine counts distinct images among the agreeing
 * frames (recognition/decision.ts, minLiveImages, from `newImage` below), and a still has one.
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
  /**
   * The frame shows a new image: it differs from the frame before by at least the tolerance.
   * A repeat (a slow camera's, or a still picture's with bits flipped) is not one.
   */
  newImage: boolean;
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
        ? { frozen: true, reason: 'frozen', newImage: false }
        : { frozen: false, newImage: false };
    }
    const seenBefore = this.runs.some((r) => signatureDistance(r.signature, signature) < this.stillMad);
    this.runs.push({ signature, firstMs: nowMs, lastMs: nowMs });
    return seenBefore
      ? { frozen: true, reason: 'replayed', newImage: true }
      : { frozen: false, newImage: true };
  }

  reset(): void {
    this.runs = [];
  }
}
