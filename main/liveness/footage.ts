// Video footage → frames for the benchmark and the tests: ffmpeg cuts a segment at a frame
// rate and writes YUV4MPEG2 (the format Chromium's fake camera plays), which image/y4m.ts reads.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseY4m, type Y4mVideo } from '../image/y4m.js';

const run = promisify(execFile);

export interface Cut {
  /** Start, in seconds. */
  from: number;
  /** Length, in seconds. */
  seconds: number;
  fps: number;
}

/** ffmpeg's arguments to cut `video` to yuv420p .y4m at `out` ('-' for stdout). */
export function cutArgs(video: string, cut: Cut, out: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-ss',
    String(cut.from),
    '-t',
    String(cut.seconds),
    '-i',
    video,
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

/** The segment's frames, decoded by image/y4m.ts. Needs ffmpeg on PATH. */
export async function cutFrames(video: string, cut: Cut): Promise<Y4mVideo> {
  const { stdout } = await run('ffmpeg', cutArgs(video, cut, '-'), {
    encoding: 'buffer',
    maxBuffer: 1 << 30,
  });
  return parseY4m(new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength), video);
}
