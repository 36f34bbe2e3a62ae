// Is this face fit to enroll? One person, good quality, and not a copy of a sample we already have.
import type { Face, PixelImage } from '../insightface/types.js';
import type { GalleryEntry } from '../store/enrollment-store.js';
import { cosine, identify } from './matcher.js';
import { checkQuality } from './quality.js';
import type { QualityConfig } from './quality.js';
import { DEFAULT_SECOND_FACE_RATIO, selectSubject } from './subject.js';
import type { GateResult, MatchResult } from './types.js';

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

/**
 * Duplicate check (as ZKTeco terminals do at enrollment): the enrolled person, other than the one
 * being enrolled, whom this face already matches at the door's threshold. The same person enrolled
 * twice, or a twin: the door could open as either, so the admin decides before it is saved.
 */
export function findLookalike(
  embedding: Float32Array,
  gallery: readonly GalleryEntry[],
  enrolling: string | null,
  threshold: number,
): MatchResult | null {
  return identify(
    embedding,
    gallery.filter((g) => g.personId !== enrolling),
    threshold,
  ).match;
}

/** The refusal a flagged photo gets, in the CLI and the admin screen's import list. */
export const lookalikeReason = (m: MatchResult): string =>
  `looks like ${m.name} (score ${m.score.toFixed(2)}): the same person twice, or a twin?`;
