// Idle sampling: a kiosk spends most of the day with nobody in front of it, and detecting every
// frame of an empty hall at the capture rate costs more than a core. While the last frame
// analysed showed no face, a frame is analysed only when the picture changed or
// IDLE_INTERVAL_MS has passed; the moment a frame shows a face, every frame is analysed again.

/**
 * 500 ms (2 fps) when nothing changes: someone stepping up to the door changes the picture and
 * is analysed at once (IDLE_CHANGE_MAD); one who walks in without changing it enough (far
 * away, small) is still seen within half a second. At 300 ms the bench's idle figure sat at the
 * 15 % goal (5–17 % of one core over six quiet runs); each analysed frame is a detection.
 */
export const IDLE_INTERVAL_MS = 500;

/**
 * Mean grey-level change (frames/pixels.ts signatures) that counts as "the picture changed":
 * above a live sensor's frame-to-frame noise (about 1.1–1.3, see liveness/frozen.ts) with
 * margin, below what a person stepping into view does to the frame (several levels).
 */
export const IDLE_CHANGE_MAD = 2.5;

import { frameSignature, signatureDistance, type FramePixels } from './pixels.js';

export class IdleSampler {
  private last: { signature: Uint8Array; at: number; hadFace: boolean } | null = null;
  private pending: Uint8Array | null = null;

  constructor(
    private readonly intervalMs = IDLE_INTERVAL_MS,
    private readonly changeMad = IDLE_CHANGE_MAD,
  ) {}

  /** Whether this frame should be analysed; call `analyzed` after it was. */
  shouldAnalyze(image: FramePixels, now: number): boolean {
    const signature = frameSignature(image);
    this.pending = signature;
    const last = this.last;
    if (!last || last.hadFace || now - last.at >= this.intervalMs) return true;
    return signatureDistance(signature, last.signature) >= this.changeMad;
  }

  /** The frame passed to `shouldAnalyze` was analysed, and did or did not show a face. */
  analyzed(hadFace: boolean, now: number): void {
    if (this.pending) this.last = { signature: this.pending, at: now, hadFace };
    this.pending = null;
  }
}
