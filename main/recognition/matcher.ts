// 1:N identification and 1:1 verification against the enrolled templates of the
// active recognizer. The gallery holds one recognizer's templates only; a template
// whose length differs from the probe's is never compared.
import { computeSim } from '../insightface/arcface.js';
import type { GalleryEntry } from '../store/enrollment-store.js';
import { PackedGallery, personScore } from './packed-gallery.js';
import type { MatchResult } from './types.js';

/** Cosine similarity: the engine's compute_sim, one definition for the whole app. */
export const cosine = computeSim;

/** A person's score: the best over their templates (null when none is comparable). */
export { personScore };

export interface Ranking {
  /** The best-scoring person whatever the threshold; null for an empty gallery. */
  best: MatchResult | null;
  /** `best` when its score reaches the threshold. */
  match: MatchResult | null;
}

/**
 * 1:N: the best person over the whole gallery. A door's gallery is a PackedGallery (one matrix,
 * packed-gallery.ts); a list is walked template by template (the CLI's one-off answers, tests).
 */
export function identify(
  probe: Float32Array,
  gallery: readonly GalleryEntry[] | PackedGallery,
  threshold: number,
): Ranking {
  if (gallery instanceof PackedGallery) return gallery.identify(probe, threshold);
  let best: MatchResult | null = null;
  for (const entry of gallery) {
    const score = personScore(probe, entry);
    if (score !== null && (best === null || score > best.score)) {
      best = { personId: entry.personId, name: entry.name, score };
    }
  }
  return { best, match: best && best.score >= threshold ? best : null };
}

/** 1:1: the claimed person only. */
export function verify(probe: Float32Array, claimed: GalleryEntry | undefined, threshold: number): Ranking {
  if (!claimed) return { best: null, match: null };
  const score = personScore(probe, claimed);
  const best = score === null ? null : { personId: claimed.personId, name: claimed.name, score };
  return { best, match: best && best.score >= threshold ? best : null };
}
