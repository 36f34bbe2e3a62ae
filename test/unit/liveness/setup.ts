// Shared set-up for the liveness tests: a temporary pack folder holding det_500m and the two
// liveness models (symlinks into ../shared/models), and the photos' largest faces.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeImageFile } from '../../../main/image/decode.js';
import { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { Face, PixelImage } from '../../../main/insightface/types.js';
import { ANTI_SPOOF_MODEL_FILES } from '../../../main/liveness/anti-spoof.js';
import { largestFace } from '../../../main/liveness/liveness.js';
import { facePath, modelPath } from '../../helpers/fixtures.js';

export const PRINT = 'liveness/image_F1.jpg';
export const SCREEN = 'liveness/image_F2.jpg';
export const LIVE = ['liveness/image_T1.jpg', 'liveness/image_T2_c3e2048.jpg'] as const;

/** A temp folder with det_500m + the liveness models; `remove` deletes it. */
export function tempPack(files: readonly string[] = ['det_500m.onnx', ...ANTI_SPOOF_MODEL_FILES]): {
  dir: string;
  remove: () => void;
} {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-liveness-'));
  for (const f of files) symlinkSync(modelPath(f), path.join(dir, f));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Photo {
  image: PixelImage;
  face: Face;
}

/** Decodes a photo of ../shared/faces and detects its largest face with `fa`. */
export async function photo(fa: FaceAnalysis, relative: string): Promise<Photo> {
  const image = await decodeImageFile(facePath(relative));
  const face = largestFace(await fa.detect(image));
  if (!face) throw new Error(`${relative}: no face found`);
  return { image, face };
}

export async function loadDetector(dir: string): Promise<FaceAnalysis> {
  return FaceAnalysis.load(dir, { allowedModules: ['detection'] });
}
