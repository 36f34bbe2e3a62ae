// The identification protocol on ../shared/faces, shared by the reference-embedding and engine tests:
// one photo per identity is enrolled (identities with at least two distinct photos), the other photos
// of those identities must be named correctly, and photos of never-enrolled identities must not be named.
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

/** Photos grouped by identity, in labels.csv order. */
export function byIdentity(photos: LabelledPhoto[]): Map<string, LabelledPhoto[]> {
  const groups = new Map<string, LabelledPhoto[]>();
  for (const p of photos) groups.set(p.identity, [...(groups.get(p.identity) ?? []), p]);
  return groups;
}

export function identificationProtocol(): Protocol {
  const photos = distinctSinglePhotos();
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
