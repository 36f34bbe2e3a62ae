// YUV4MPEG2 (.y4m) files → RGB frames, for `tobira liveness --video` and the tests that cut
// real footage with ffmpeg. The format is a text header line, then per frame a "FRAME" line
// and the raw planes. Only 4:2:0 (C420, C420jpeg, C420paldv, C420mpeg2: the chroma siting
// differs, which nearest-sample upsampling ignores) and mono are read: that is what ffmpeg
// writes for `-pix_fmt yuv420p`, the format Chromium's fake camera plays.
import { readFile } from 'node:fs/promises';
import type { PixelImage } from '../insightface/types.js';

export class Y4mError extends Error {
  override readonly name = 'Y4mError';
}

export interface Y4mVideo {
  width: number;
  height: number;
  /** Frames per second from the header's F tag (num/den). */
  fps: number;
  frames: PixelImage[];
}

/** The most frames kept from one file: 30 s at 30 fps, far more than one unlock needs. */
export const MAX_Y4M_FRAMES = 900;

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/**
 * BT.601 limited range, ffmpeg's default for yuv420p → rgb24: R = 1.164(Y−16) + 1.596(V−128),
 * G = 1.164(Y−16) − 0.392(U−128) − 0.813(V−128), B = 1.164(Y−16) + 2.017(U−128).
 */
function toRgb(y: Uint8Array, u: Uint8Array | null, v: Uint8Array | null, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  const cw = (w + 1) >> 1;
  for (let row = 0; row < h; row++) {
    for (let col = 0; col < w; col++) {
      const yy = 1.164 * (y[row * w + col]! - 16);
      const ci = (row >> 1) * cw + (col >> 1);
      const uu = u ? u[ci]! - 128 : 0;
      const vv = v ? v[ci]! - 128 : 0;
      const o = (row * w + col) * 3;
      out[o] = clamp(yy + 1.596 * vv);
      out[o + 1] = clamp(yy - 0.392 * uu - 0.813 * vv);
      out[o + 2] = clamp(yy + 2.017 * uu);
    }
  }
  return out;
}

/** Parses a whole .y4m file held in memory. */
export function parseY4m(bytes: Uint8Array, name = 'video', opts: { fps?: number } = {}): Y4mVideo {
  const headerEnd = bytes.indexOf(0x0a);
  if (headerEnd < 0 || headerEnd > 1024) throw new Y4mError(`${name}: not a YUV4MPEG2 file (no header line)`);
  const header = new TextDecoder().decode(bytes.subarray(0, headerEnd)).split(' ');
  if (header[0] !== 'YUV4MPEG2') throw new Y4mError(`${name}: not a YUV4MPEG2 file`);
  let width = 0;
  let height = 0;
  let fps = 25;
  let colour = '420jpeg';
  for (const tag of header.slice(1)) {
    const value = tag.slice(1);
    if (tag[0] === 'W') width = Number(value);
    else if (tag[0] === 'H') height = Number(value);
    else if (tag[0] === 'C') colour = value;
    else if (tag[0] === 'F') {
      const [num, den] = value.split(':').map(Number);
      if (num && den) fps = num / den;
    }
  }
  if (!(
    Number.isInteger(width) &&
    width > 0 &&
    width <= 8192 &&
    Number.isInteger(height) &&
    height > 0 &&
    height <= 8192
  ))
    throw new Y4mError(`${name}: bad frame size ${width}x${height}`);
  const mono = colour.startsWith('mono');
  if (!mono && !colour.startsWith('420'))
    throw new Y4mError(`${name}: colour space C${colour} is not supported (use -pix_fmt yuv420p)`);
  const lumaSize = width * height;
  const chromaSize = mono ? 0 : ((width + 1) >> 1) * ((height + 1) >> 1);
  const frames: PixelImage[] = [];
  // Keeping frame i when it reaches the next tick of the wanted rate (every frame without one).
  const keepFps = opts.fps !== undefined && opts.fps < fps ? opts.fps : fps;
  let index = 0;
  let at = headerEnd + 1;
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf(0x0a, at);
    if (lineEnd < 0 || new TextDecoder().decode(bytes.subarray(at, at + 5)) !== 'FRAME')
      throw new Y4mError(`${name}: frame ${frames.length + 1}: expected a FRAME marker`);
    const start = lineEnd + 1;
    const end = start + lumaSize + 2 * chromaSize;
    if (end > bytes.length) throw new Y4mError(`${name}: frame ${frames.length + 1} is cut short`);
    at = end;
    const keep =
      Math.floor((index * keepFps) / fps) !== Math.floor(((index - 1) * keepFps) / fps) || index === 0;
    index++;
    if (!keep) continue;
    if (frames.length >= MAX_Y4M_FRAMES)
      throw new Y4mError(`${name}: more than ${MAX_Y4M_FRAMES} frames; cut it shorter or lower --fps`);
    const y = bytes.subarray(start, start + lumaSize);
    const u = mono ? null : bytes.subarray(start + lumaSize, start + lumaSize + chromaSize);
    const v = mono ? null : bytes.subarray(start + lumaSize + chromaSize, end);
    frames.push({ data: toRgb(y, u, v, width, height), width, height, format: 'rgb' });
  }
  if (frames.length === 0) throw new Y4mError(`${name}: no frames`);
  return { width, height, fps: keepFps, frames };
}

export async function readY4mFile(file: string, opts: { fps?: number } = {}): Promise<Y4mVideo> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new Y4mError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      cause: err,
    });
  }
  return parseY4m(bytes, file, opts);
}
