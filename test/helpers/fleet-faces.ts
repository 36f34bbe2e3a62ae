// Real embeddings for the fleet tests: InsightFace's own outputs for ../shared/faces (see
// reference-faces.ts), so a "recognised" in a fleet test is a real face matching a real face.
import { defaultThreshold } from '../../main/recognition/thresholds.js';
import { distinctSinglePhotos, identificationProtocol } from './identification.js';
import { REFERENCE_RECOGNIZER, referenceFaces } from './reference-faces.js';

export const RECOGNIZER = REFERENCE_RECOGNIZER;
export const THRESHOLD = defaultThreshold({
  file: 'w600k_mbf_int8_dynq.onnx',
  id: REFERENCE_RECOGNIZER,
}).threshold;

export interface Identity {
  identity: string;
  /** The photo to enroll. */
  enroll: Float32Array;
  /** Another photo of the same person. */
  probe: Float32Array;
}

const embeddingOf = (file: string): Float32Array => {
  const faces = referenceFaces(file);
  if (faces.length !== 1 || !faces[0]!.normedEmbedding) throw new Error(`${file}: expected one face`);
  return faces[0]!.normedEmbedding;
};

/** Identities with an enrollment photo and a different probe photo, in labels.csv order. */
export function identities(count: number): Identity[] {
  // Fleet tests check rules, not recognition: any identity with two photos will do.
  const p = identificationProtocol(distinctSinglePhotos());
  const out: Identity[] = [];
  for (const e of p.enroll) {
    const probe = p.genuineProbes.find((g) => g.identity === e.identity);
    if (probe)
      out.push({ identity: e.identity, enroll: embeddingOf(e.file), probe: embeddingOf(probe.file) });
    if (out.length === count) return out;
  }
  throw new Error(`only ${out.length} identities have two photos`);
}
