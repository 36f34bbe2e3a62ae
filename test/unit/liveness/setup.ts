// Shared set-up for the liveness tests: a temporary pack folder holding det_500m and the two
// liveness models (symlinks into ../shared/models), and the photos' largest faces.
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeImageFile } from '../../../main/image/decode.js';
import { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { Face, PixelImage } from '../../../main/insightface/types.js';
import { ANTI_SPOOF_MODEL_FILES } from '../../../main/liveness/anti-spoof.js';
import { parseCsv } from '../../../main/liveness/evaluate.js';
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

/**
 * Every live still in ../shared/faces: the single-face photos of labels.csv and the live images
 * of liveness/ and pad/. Layer 2's threshold (structure.ts, DEFAULT_MIN_PARALLAX) is derived
 * from these moved like paper (structure-paper.test.ts), and the PAD table's print row
 * (pad-evaluate.ts) is measured on pad/ and liveness/.
 */
export function thresholdPhotos(): string[] {
  const csv = (p: string) => parseCsv(readFileSync(facePath(p), 'utf8'));
  return [
    ...csv('labels.csv')
      .filter((r) => r.kind === 'single')
      .map((r) => r.file!),
    ...csv('liveness/labels.csv')
      .filter((r) => r.label === 'live')
      .map((r) => `liveness/${r.file!}`),
    ...csv('pad/labels.csv')
      .filter((r) => r.label === 'live' && !r.file!.startsWith('videos/'))
      .map((r) => `pad/${r.file!}`),
  ];
}

/**
 * Held-out prints: photos the threshold never saw. The rule: a photo of ../shared/faces/photos
 * whose kind in labels.csv is not 'single' (multi, unknown, aligned112), so it is in neither
 * thresholdPhotos() nor pad/ or liveness/, printed as it is (no crop). Left out: the Solvay
 * portrait, whose 29 faces are 11–13 px on a print (no face at the door is that small), and
 * view.jpg (no face). The tests move them through poses of their own, not PAPER_SEQUENCE.
 */
export const HELD_OUT_PRINTS = [
  'photos/face_recognition/knn_examples/test/kit_with_rose.jpg',
  'photos/face_recognition/ex_two_people.jpg',
  'photos/face_recognition/knn_examples/test/obama_and_biden.jpg',
  'photos/insightface/t1.jpg',
  'photos/insightface/Tom_Hanks_54745.png',
  'photos/inspireface/image_T1.jpeg',
] as const;
