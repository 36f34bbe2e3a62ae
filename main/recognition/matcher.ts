// 1:N identification and 1:1 verification against the enrolled templates of the
// active recognizer. The gallery holds one recognizer's templates only; a template
// whose length differs from the probe's is never compared.
import type { GalleryEntry } from '../store/enrollment-store.js';
import type { MatchResult } from './types.js';

/** Cosine similarity; for L2-normalised embeddings this is the dot product InsightFace uses. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`cosine: embeddings of ${a.length} and ${b.length} values`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** A person's score: the best over their templates (null when none is comparable). */
export function personScore(probe: Float32Array, entry: GalleryEntry): number | null {
  let best: number | null = null;
  for (const t of entry.templates) {
    if (t.length !== probe.length) continue;
    const s = cosine(probe, t);
    if (best === null || s > best) best = s;
  }
  return best;
}

export interface Ranking {
  /** The best-scoring person whatever the threshold; null for an empty gallery. */
  best: MatchResult | null;
  /** `best` when its score reaches the threshold. */
  match: MatchResult | null;
}

/** 1:N: the best person over the whole gallery. */
export function identify(probe: Float32Array, gallery: readonly GalleryEntry[], threshold: number): Ranking {
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
