// The identification protocol on ../shared/faces, shared by the reference-embedding and engine tests:
// one photo per identity is enrolled (identities with at least two distinct photos), the other photos
// of those identities must be named correctly, and photos of never-enrolled identities must not be named.
//
// The photos are split by identity into two halves. The fitting half is where thresholds.ts's
// threshold for the int8 w600k_mbf was calibrated; recognition is tested on the testing half only,
// at that threshold. The testing half holds Obama and Biden, the faces the end-to-end tests use.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { facePath } from './fixtures.js';
import { readLabels } from './reference-faces.js';
import type { LabelledPhoto } from './reference-faces.js';

export interface Protocol {
  enroll: LabelledPhoto[];
  /** Other photos of enrolled identities. */
  genuineProbes: LabelledPhoto[];
  /** Photos of identities never enrolled. */
  strangerProbes: LabelledPhoto[];
}

/** Single-face photos, with byte-identical copies (the knn_examples duplicates) dropped. */
export function distinctSinglePhotos(): LabelledPhoto[] {
  const seen = new Set<string>();
  return readLabels().filter((l) => {
    if (l.kind !== 'single') return false;
    const hash = createHash('sha256')
      .update(readFileSync(facePath(l.file)))
      .digest('hex');
    if (seen.has(hash)) return false;
    seen.add(hash);
    return true;
  });
}

/** The fitting half's identities (8 of 15): 6 with two or three photos, 2 with one. */
export const FITTING_IDENTITIES: ReadonlySet<string> = new Set([
  'kit_harington',
  'alex_lacamoire',
  'rose_leslie',
  'inspireface_ZY',
  'inspireface_Kun',
  'Rob_Lowe',
  'lin_manuel_miranda',
  'isaac_newton(portrait)',
]);

/** Distinct single-face photos of the fitting half: a threshold is calibrated on these. */
export const fittingHalf = (): LabelledPhoto[] =>
  distinctSinglePhotos().filter((p) => FITTING_IDENTITIES.has(p.identity));

/** Distinct single-face photos of the other identities: a threshold is tested on these. */
export const testingHalf = (): LabelledPhoto[] =>
  distinctSinglePhotos().filter((p) => !FITTING_IDENTITIES.has(p.identity));

/** Photos grouped by identity, in labels.csv order. */
export function byIdentity(photos: LabelledPhoto[]): Map<string, LabelledPhoto[]> {
  const groups = new Map<string, LabelledPhoto[]>();
  for (const p of photos) groups.set(p.identity, [...(groups.get(p.identity) ?? []), p]);
  return groups;
}

export function identificationProtocol(photos: LabelledPhoto[] = testingHalf()): Protocol {
  const enroll: LabelledPhoto[] = [];
  const genuineProbes: LabelledPhoto[] = [];
  const strangerProbes: LabelledPhoto[] = [];
  for (const group of byIdentity(photos).values()) {
    if (group.length < 2) strangerProbes.push(...group);
    else {
      enroll.push(group[0]!);
      genuineProbes.push(...group.slice(1));
    }
  }
  return { enroll, genuineProbes, strangerProbes };
}

export interface Tally {
  correct: number;
  incorrect: number;
  rejected: number;
  strangersNamed: number;
  strangersRejected: number;
}
