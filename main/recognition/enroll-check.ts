// Is this face fit to enroll? One person, good quality, and not a copy of a sample we already have.
import type { Face, PixelImage } from '../insightface/types.js';
import type { GalleryEntry } from '../store/enrollment-store.js';
import { cosine, identify } from './matcher.js';
import { PackedGallery } from './packed-gallery.js';
import { judgeFrame, type FrameJudgement } from './judge-frame.js';
import type { QualityConfig } from './quality.js';
import { DEFAULT_SECOND_FACE_RATIO } from './subject.js';
import type { GateResult, MatchResult } from './types.js';

export type EnrollCheck =
  | { ok: true; face: Face; gates: GateResult[] }
  | {
      ok: false;
      code: 'no_face' | 'several_faces' | 'quality' | 'no_embedding';
      message: string;
      gates: GateResult[];
    };

/** A photo fit to enroll? The frame judged as the door judges it (judge-frame.ts), then read for enrollment. */
export function checkEnrollmentFace(
  faces: readonly Face[],
  image: PixelImage,
  quality: QualityConfig,
  secondFaceRatio = DEFAULT_SECOND_FACE_RATIO,
): EnrollCheck {
  return enrollCheckOf(judgeFrame(faces, image, image, { quality, secondFaceRatio }));
}

/**
 * What a frame's one judgement means for enrollment: its subject, when the frame passed and
 * the subject carries an embedding. No gate is run again here.
 */
export function enrollCheckOf(judgement: FrameJudgement): EnrollCheck {
  const { subject, onePerson, quality } = judgement;
  if (!subject) return { ok: false, code: 'no_face', message: 'no face found', gates: [] };
  if (!onePerson.passed || !quality) {
    return {
      ok: false,
      code: 'several_faces',
      message: `${onePerson.value ?? 2} faces: one person per photo`,
      gates: [],
    };
  }
  if (!quality.passed) {
    const failed = quality.gates.filter((g) => !g.passed).map((g) => `${g.name} ${g.value ?? 'n/a'}`);
    return {
      ok: false,
      code: 'quality',
      message: `quality too low (${failed.join(', ')})`,
      gates: quality.gates,
    };
  }
  if (!subject.normedEmbedding) {
    return {
      ok: false,
      code: 'no_embedding',
      message: 'the pack has no recognition model',
      gates: quality.gates,
    };
  }
  return { ok: true, face: subject, gates: quality.gates };
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
  gallery: readonly GalleryEntry[] | PackedGallery,
  enrolling: string | null,
  threshold: number,
): MatchResult | null {
  if (gallery instanceof PackedGallery)
    return gallery.identify(embedding, threshold, enrolling ?? undefined).match;
  return identify(
    embedding,
    gallery.filter((g) => g.personId !== enrolling),
    threshold,
  ).match;
}

/** The refusal a flagged photo gets, in the CLI and the admin screen's import list. */
export const lookalikeReason = (m: MatchResult): string =>
  `looks like ${m.name} (score ${m.score.toFixed(2)}): the same person twice, or a twin?`;
