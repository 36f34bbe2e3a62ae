// Real photos as the camera path carries them (RGBA), and the two ways a feed can be
// varied: one bit flipped per frame (an attacker defeating a bit-equality check) and
// sensor-like noise (what a live camera adds to every frame).
import { decodeImageFile } from '../../main/image/decode.js';

export interface RgbaFrame {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export async function rgbaFrameOf(photo: string): Promise<RgbaFrame> {
  const bgr = await decodeImageFile(photo);
  const { width, height } = bgr;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i++, j += 3) {
    rgba[i * 4] = bgr.data[j + 2]!;
    rgba[i * 4 + 1] = bgr.data[j + 1]!;
    rgba[i * 4 + 2] = bgr.data[j]!;
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/** The same picture with bit 0 of one byte flipped: never bit-identical to frame `n - 1`. */
export function bitFlipped(frame: RgbaFrame, n: number): RgbaFrame {
  const rgba = frame.rgba.slice();
  rgba[(n * 4) % rgba.length]! ^= 1;
  return { ...frame, rgba };
}

/**
 * The picture with uniform noise of ±`amplitude` grey levels per channel, from a seeded
 * generator: about what a webcam's sensor adds in indoor light (σ ≈ 2 for amplitude 3.5).
 */
export function noisy(frame: RgbaFrame, seed: number, amplitude = 3.5): RgbaFrame {
  let state = (seed * 2654435761) >>> 0 || 1;
  const rgba = frame.rgba.slice();
  for (let i = 0; i < rgba.length; i++) {
    if ((i & 3) === 3) continue;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const n = ((state >>> 0) / 0xffffffff) * 2 - 1;
    rgba[i] = Math.max(0, Math.min(255, Math.round(rgba[i]! + n * amplitude)));
  }
  return { ...frame, rgba };
}

/** What `attemptUnlock` drives: the kiosk's frame entry and its decision engine. */
export interface FrameSink {
  decisions: { reset(): void };
  analyzeFrame(frame: RgbaFrame & { id: number }): Promise<unknown>;
  settled(): Promise<void>;
}

/**
 * Feeds `frame` as camera frames until the kiosk decides (at most 30), each one bit apart (a
 * live camera never sends the same image twice). `next()` advances the test's clock by a frame
 * period and gives the frame's id; `decisions` is the list the test's event subscriber fills.
 * `reset: false` keeps the decision engine's memory (cooldowns, lockout) from earlier attempts.
 */
export async function attemptUnlock<D>(
  kiosk: FrameSink,
  frame: RgbaFrame,
  decisions: D[],
  next: () => number,
  reset = true,
): Promise<D> {
  if (reset) kiosk.decisions.reset();
  decisions.length = 0;
  for (let i = 0; i < 30 && decisions.length === 0; i++) {
    const id = next();
    await kiosk.analyzeFrame({ ...bitFlipped(frame, id), id });
    await kiosk.settled();
  }
  if (decisions.length !== 1) throw new Error(`the face was never judged (${decisions.length} decisions)`);
  return decisions[0]!;
}
