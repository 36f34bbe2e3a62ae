// The real head-turn footage in ../shared/faces/pad/videos, cut with ffmpeg at test time as
// .y4m (the format Chromium's fake camera plays) and read back with the product's own reader.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Y4mVideo } from '../../main/image/y4m.js';
import { cutArgs, cutFrames as cutVideo, type Cut } from '../../main/liveness/footage.js';
import { facePath } from './fixtures.js';

export type { Cut };

const run = promisify(execFile);

export const REAL_VIDEO = 'pad/videos/apfol_real2.webm';
export const REPLAY_VIDEO = 'pad/videos/apfol_fake2.webm';

/** The segment as a .y4m file in a new temporary folder. */
export async function cutY4m(video: string, cut: Cut): Promise<string> {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'tobira-cut-')), 'segment.y4m');
  await run('ffmpeg', cutArgs(facePath(video), cut, out));
  return out;
}

/** The segment's frames (`video` relative to ../shared/faces). */
export function cutFrames(video: string, cut: Cut): Promise<Y4mVideo> {
  return cutVideo(facePath(video), cut);
}

/**
 * The stretch of the real footage both the Node and the end-to-end tests play as one unlock
 * at level high: the frame at `holdAt` s is held while the kiosk agrees on the face, then the
 * footage plays from there. Measured with det_500m's keypoints (yaw.ts sign, Laplacian variance
 * of recognition/quality.ts): at 0.733 s the head is at rest, yaw −11°, sharpness 111 (the
 * blur gate needs 40); it turns left to −46° at 1.0–1.5 s, then right to +32° at 1.7–2.3 s.
 * Not 1.6 s: that frame is the middle of a fast swing from −30° to +21° (yaw −8° to −12°,
 * sharpness 18–24), so the kiosk refuses it as blurred, first recognises the face inside the
 * right turn, and the challenge starts there, with the head already turned right.
 */
export const REAL_TURNS = {
  holdAt: 0.72,
  /** Footage played after the hold: up to 2.72 s, past the right turn. */
  seconds: 2,
  directions: ['left', 'right'],
} as const satisfies { holdAt: number; seconds: number; directions: readonly ('left' | 'right')[] };
