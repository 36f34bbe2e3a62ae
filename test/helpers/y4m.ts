// Makes .y4m clips for Chromium's fake camera from real photos, with ffmpeg,
// at test time: each photo is letterboxed into the frame and held for a while.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClipOptions {
  width?: number;
  height?: number;
  fps?: number;
  secondsEach?: number;
  /** Mirror each photo horizontally (a head turned the other way). */
  hflip?: boolean[];
}

export async function makeY4m(photos: readonly string[], options: ClipOptions = {}): Promise<string> {
  const { width = 640, height = 480, fps = 15, secondsEach = 1 } = options;
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'tobira-y4m-')), 'camera.y4m');
  const inputs = photos.flatMap((photo) => ['-loop', '1', '-t', String(secondsEach), '-i', photo]);
  const scaled = photos
    .map((_, i) => {
      const flip = options.hflip?.[i] ? ',hflip' : '';
      return (
        `[${i}:v]scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
        `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps},format=yuv420p${flip},` +
        // A little sensor noise: a real camera never repeats a frame bit for bit, and
        // the liveness check refuses a feed that does (a frozen virtual camera).
        `noise=alls=2:allf=t[v${i}]`
      );
    })
    .join(';');
  const concat = `${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0[out]`;
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    ...inputs,
    '-filter_complex',
    `${scaled};${concat}`,
    '-map',
    '[out]',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'yuv4mpegpipe',
    '-y',
    out,
  ]);
  return out;
}

/** The frame a photo becomes in the clip, as raw RGBA: what the camera should deliver. */
export async function expectedFrameRgba(photo: string, width = 640, height = 480): Promise<Uint8Array> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      photo,
      '-vf',
      `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,format=yuv420p,format=rgba`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: width * height * 4 + 1024 },
  );
  return new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength);
}
