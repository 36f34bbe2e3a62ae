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
