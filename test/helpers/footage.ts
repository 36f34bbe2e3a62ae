// Cuts the real head-turn footage in ../shared/faces/pad/videos with ffmpeg at test time, as
// .y4m (the format Chromium's fake camera plays), and reads the frames back with the
// product's own y4m reader.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseY4m, type Y4mVideo } from '../../main/image/y4m.js';
import { facePath } from './fixtures.js';

const run = promisify(execFile);

export const REAL_VIDEO = 'pad/videos/apfol_real2.webm';
export const REPLAY_VIDEO = 'pad/videos/apfol_fake2.webm';

export interface Cut {
  /** Start, in seconds. */
  from: number;
  /** Length, in seconds. */
  seconds: number;
  fps: number;
}

function cutArgs(video: string, cut: Cut, out: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-ss',
    String(cut.from),
    '-t',
    String(cut.seconds),
    '-i',
    facePath(video),
    '-vf',
    `fps=${cut.fps}`,
    '-pix_fmt',
    'yuv420p',
    '-f',
    'yuv4mpegpipe',
    '-y',
    out,
  ];
}

/** The segment as a .y4m file in a new temporary folder. */
export async function cutY4m(video: string, cut: Cut): Promise<string> {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'tobira-cut-')), 'segment.y4m');
  await run('ffmpeg', cutArgs(video, cut, out));
  return out;
}

/** The segment's frames, decoded by main/image/y4m.ts. */
export async function cutFrames(video: string, cut: Cut): Promise<Y4mVideo> {
  const { stdout } = await run('ffmpeg', cutArgs(video, cut, '-'), {
    encoding: 'buffer',
    maxBuffer: 1 << 30,
  });
  return parseY4m(new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength), video);
}
