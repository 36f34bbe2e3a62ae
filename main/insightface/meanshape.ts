// InsightFace's mean 3-D face shape (68 × 3), which 1k3d68's pose is fitted to. InsightFace ships
// it as data/objects/meanshape_68.pkl, a pickled numpy array; a pack may carry that file or a
// JSON array of 68 [x, y, z] rows.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const COUNT = 68 * 3;

/**
 * The float data of a pickled 68×3 numpy array: the one bytes payload of 816 (float32) or
 * 1632 (float64) bytes, whichever way the pickle protocol stored it (BINBYTES in protocol 3+,
 * BINSTRING in Python 2, latin-1 text via _codecs.encode in protocol 2 under Python 3).
 */
export function meanShapeFromPickle(buf: Uint8Array): Float32Array {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = 0; i + 5 <= buf.length; i++) {
    const op = buf[i];
    let payload: Uint8Array | null = null;
    if (op === 0x42 || op === 0x54 || op === 0x58) {
      // 'B' BINBYTES, 'T' BINSTRING, 'X' BINUNICODE: 4-byte little-endian length.
      const len = view.getUint32(i + 1, true);
      if (i + 5 + len > buf.length) continue;
      payload = buf.subarray(i + 5, i + 5 + len);
      if (op === 0x58) {
        const text = new TextDecoder('utf-8', { fatal: false }).decode(payload);
        payload = Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
      }
    } else if (op === 0x8e && i + 9 <= buf.length) {
      // BINBYTES8: 8-byte length.
      const len = Number(view.getBigUint64(i + 1, true));
      if (i + 9 + len > buf.length) continue;
      payload = buf.subarray(i + 9, i + 9 + len);
    }
    if (!payload || (payload.length !== COUNT * 4 && payload.length !== COUNT * 8)) continue;
    const data = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const wide = payload.length === COUNT * 8;
    const out = new Float32Array(COUNT);
    for (let k = 0; k < COUNT; k++)
      out[k] = wide ? data.getFloat64(k * 8, true) : data.getFloat32(k * 4, true);
    if (out.every(Number.isFinite)) return out;
  }
  throw new RangeError('no 68×3 float array found in the pickle');
}

/** meanshape_68.json or meanshape_68.pkl from a pack folder, or null when it has neither. */
export async function readMeanShape(packDir: string): Promise<Float32Array | null> {
  const json = path.join(packDir, 'meanshape_68.json');
  const pkl = path.join(packDir, 'meanshape_68.pkl');
  if (existsSync(json)) {
    const parsed: unknown = JSON.parse(await readFile(json, 'utf8'));
    const flat = Array.isArray(parsed) ? parsed.flat() : [];
    if (flat.length !== COUNT || !flat.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new RangeError(`${json}: expected 68 [x, y, z] rows`);
    }
    return Float32Array.from(flat as number[]);
  }
  if (existsSync(pkl)) {
    try {
      return meanShapeFromPickle(await readFile(pkl));
    } catch (err) {
      throw new RangeError(`${pkl}: ${(err as Error).message}`);
    }
  }
  return null;
}
