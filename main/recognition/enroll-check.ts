// Is this face fit to enroll? One person, good quality, and not a copy of a sample we already have.
import type { Face, PixelImage } from '../insightface/types.js';
import { cosine } from './matcher.js';
import { checkQuality } from './quality.js';
import type { QualityConfig } from './quality.js';
import { DEFAULT_SECOND_FACE_RATIO, selectSubject } from './subject.js';
import type { GateResult } from './types.js';

export type EnrollCheck =
  | { ok: true; face: Face; gates: GateResult[] }
  | {
      ok: false;
      code: 'no_face' | 'several_faces' | 'quality' | 'no_embedding';
      message: string;
      gates: GateResult[];
    };

export function checkEnrollmentFace(
  faces: readonly Face[],
  image: PixelImage,
  quality: QualityConfig,
  secondFaceRatio = DEFAULT_SECOND_FACE_RATIO,
): EnrollCheck {
  const selection = selectSubject(faces, image, { secondFaceRatio });
  if (!selection.subject) return { ok: false, code: 'no_face', message: 'no face found', gates: [] };
  if (selection.competing.length > 0) {
    return {
      ok: false,
      code: 'several_faces',
      message: `${selection.competing.length + 1} faces: one person per photo`,
      gates: [],
    };
  }
  const report = checkQuality(selection.subject, image, quality);
  if (!report.passed) {
    const failed = report.gates.filter((g) => !g.passed).map((g) => `${g.name} ${g.value ?? 'n/a'}`);
    return {
      ok: false,
      code: 'quality',
      message: `quality too low (${failed.join(', ')})`,
      gates: report.gates,
    };
  }
  if (!selection.subject.normedEmbedding) {
    return {
      ok: false,
      code: 'no_embedding',
      message: 'the pack has no recognition model',
      gates: report.gates,
    };
  }
  return { ok: true, face: selection.subject, gates: report.gates };
}

/** 0.95: re-encodings of one photo score ≥ 0.99; different photos of one person scored 0.55–0.9 here. */
export const NEAR_DUPLICATE_COSINE = 0.95;

/** A new sample this close to an existing one adds no variety: reject it. */
export function isNearDuplicate(
  embedding: Float32Array,
  existing: readonly Float32Array[],
  maxCosine = NEAR_DUPLICATE_COSINE,
): boolean {
  return existing.some((t) => t.length === embedding.length && cosine(embedding, t) >= maxCosine);
}
