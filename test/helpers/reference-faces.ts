// InsightFace's own outputs for ../shared/faces (det_500m + w600k_mbf_int8_dynq,
// det size 640), and the identity labels: real embeddings for testing the
// decision and calibration logic independently of our engine.
import { readFileSync } from 'node:fs';
import type { Face, Point } from '../../main/insightface/types.js';
import { facePath } from './fixtures.js';

interface ReferenceFace {
  bbox: [number, number, number, number];
  kps: Point[];
  det_score: number;
  embedding: number[];
}

export interface LabelledPhoto {
  file: string;
  identity: string;
  kind: string;
}

export function readLabels(): LabelledPhoto[] {
  const lines = readFileSync(facePath('labels.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [file, identity, kind] = line.split(',');
    if (!file || !identity || !kind) throw new Error(`labels.csv: bad line ${line}`);
    return { file, identity, kind };
  });
}

let cache: Record<string, ReferenceFace[] | null> | null = null;

/** Faces InsightFace found in `file` (path relative to the faces folder), as our Face type. */
export function referenceFaces(file: string): Face[] {
  cache ??= (
    JSON.parse(readFileSync(facePath('insightface_reference_640.json'), 'utf8')) as {
      images: Record<string, ReferenceFace[] | null>;
    }
  ).images;
  const faces = cache[file];
  if (faces === undefined) throw new Error(`reference JSON has no entry for ${file}`);
  return (faces ?? []).map((f) => ({
    bbox: f.bbox,
    kps: f.kps,
    detScore: f.det_score,
    normedEmbedding: Float32Array.from(f.embedding),
  }));
}

/** The test pack recognizer's id as the engine reports it (model_zoo modelId: sha256 of the file, 16 hex). */
export const REFERENCE_RECOGNIZER = 'sha256:7caa7fb0ad6c37b3';
