import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { calibrate } from '../../../main/recognition/calibration.js';
import { identify } from '../../../main/recognition/matcher.js';
import { defaultThreshold } from '../../../main/recognition/thresholds.js';
import { EnrollmentStore } from '../../../main/store/enrollment-store.js';
import type { GalleryEntry } from '../../../main/store/enrollment-store.js';
import { FileKeyWrapper } from '../../../main/store/key-file.js';
import {
  byIdentity,
  distinctSinglePhotos,
  fittingHalf,
  identificationProtocol,
  testingHalf,
} from '../../helpers/identification.js';
import type { LabelledPhoto } from '../../helpers/reference-faces.js';
import type { Tally } from '../../helpers/identification.js';
import { REFERENCE_RECOGNIZER, referenceFaces } from '../../helpers/reference-faces.js';

// These tests use InsightFace's own embeddings of ../shared/faces (reference JSON), so they check the
// decision maths independently of our engine port; test/unit/recognition/engine-identify.test.ts
// repeats the identification with embeddings from our engine.
const embedding = (file: string) => referenceFaces(file)[0]!.normedEmbedding!;
const RECORDED = defaultThreshold({ file: 'w600k_mbf_int8_dynq.onnx', id: REFERENCE_RECOGNIZER });

function galleryByIdentity(photos: LabelledPhoto[] = distinctSinglePhotos()): GalleryEntry[] {
  return [...byIdentity(photos)].map(([identity, photos]) => ({
    personId: identity,
    name: identity,
    templates: photos.map((p) => embedding(p.file)),
  }));
}

describe('calibration on ../shared/faces (InsightFace reference embeddings)', () => {
  it('on the fitting half: separates genuine and impostor scores and gives the recorded threshold', () => {
    const c = calibrate(galleryByIdentity(fittingHalf()), { targetFar: 1e-4 });
    assert.equal(c.genuine.length, 10);
    assert.equal(c.impostor.length, 110);
    assert.equal(c.duplicates, 0);
    assert.equal(
      c.histogram.genuine.reduce((a, b) => a + b, 0),
      10,
    );
    assert.equal(
      c.histogram.impostor.reduce((a, b) => a + b, 0),
      110,
    );
    assert.ok(c.impostor.at(-1)! < c.genuine[0]!, 'the two distributions do not overlap on these photos');
    assert.equal(c.suggestedThreshold, RECORDED.threshold, 'thresholds.ts records this calibration');
    assert.equal(c.far, 0);
    assert.equal(c.frr, 0);
    assert.ok(c.warnings.some((w) => w.includes('110 impostor pairs')));
    // ROC is monotone: a higher threshold accepts fewer impostors and rejects more genuine pairs.
    for (let i = 1; i < c.roc.length; i++) {
      assert.ok(c.roc[i]!.far <= c.roc[i - 1]!.far && c.roc[i]!.frr >= c.roc[i - 1]!.frr);
    }
    console.log(
      `calibration (fitting half): genuine min ${c.genuine[0]!.toFixed(3)}, impostor max ${c.impostor.at(-1)!.toFixed(3)}, ` +
        `normal-fit threshold ${c.gaussianThreshold!.toFixed(3)}, suggested ${c.suggestedThreshold}`,
    );
  });

  it('on the testing half, the recorded threshold accepts every genuine pair and no impostor pair', () => {
    const c = calibrate(galleryByIdentity(testingHalf()), { targetFar: 1e-4 });
    assert.equal(c.genuine.length, 37);
    assert.equal(c.impostor.length, 83);
    const falseAccepts = c.impostor.filter((s) => s >= RECORDED.threshold).length;
    const falseRejects = c.genuine.filter((s) => s < RECORDED.threshold).length;
    assert.deepEqual([falseAccepts, falseRejects], [0, 0]);
    // The halves share no identity, so no photo was seen by the fit.
    const fitted = new Set(fittingHalf().map((p) => p.identity));
    assert.ok(testingHalf().every((p) => !fitted.has(p.identity)));
  });

  it('with plenty of pairs follows the empirical tail; with one person it says it cannot calibrate', () => {
    const c = calibrate(galleryByIdentity(), { targetFar: 0.05 });
    const exceeding = c.impostor.filter((s) => s >= c.suggestedThreshold!).length;
    assert.ok(exceeding / c.impostor.length <= 0.05);
    assert.ok(c.suggestedThreshold! < RECORDED.threshold);
    const lone = calibrate(galleryByIdentity().slice(0, 1));
    assert.equal(lone.suggestedThreshold, null);
    assert.ok(lone.warnings[0]?.includes('two enrolled people'));
  });

  it('never suggests a lower, less safe threshold than the default from a handful of pairs', () => {
    // Issue 10: 3 impostor pairs at a target FAR of 0.1 % gave a suggestion far below the
    // recognizer's default. Two people, one with three photos and one with one: 3 impostor pairs.
    const people = [...byIdentity(distinctSinglePhotos())].filter(([, photos]) => photos.length >= 3);
    const [a, b] = people;
    assert.ok(a && b, 'two identities with three photos each in ../shared/faces');
    const gallery: GalleryEntry[] = [
      { personId: 'a', name: 'a', templates: a[1].slice(0, 3).map((p) => embedding(p.file)) },
      { personId: 'b', name: 'b', templates: [embedding(b[1][0]!.file)] },
    ];
    const unguarded = calibrate(gallery, { targetFar: 1e-3 });
    assert.equal(unguarded.impostor.length, 3);
    assert.equal(unguarded.pairsNeeded, 3000, 'rule of three: 3 / 0.001');
    assert.ok(
      unguarded.suggestedThreshold! < RECORDED.threshold,
      `without a floor the 3 pairs suggest ${unguarded.suggestedThreshold}, below ${RECORDED.threshold}`,
    );
    const guarded = calibrate(gallery, { targetFar: 1e-3, floor: RECORDED.threshold });
    assert.equal(guarded.suggestedThreshold, null);
    assert.equal(guarded.refusedBelowFloor, unguarded.suggestedThreshold);
    assert.ok(
      guarded.warnings.some((w) => /below the recognizer's default .*3 impostor pairs.*3000/.test(w)),
    );

    // Enough pairs for the target: the measured tail may then go below the default.
    const many = calibrate(galleryByIdentity(), { targetFar: 0.05, floor: RECORDED.threshold });
    assert.ok(many.impostor.length >= many.pairsNeeded, `${many.impostor.length} ≥ ${many.pairsNeeded}`);
    assert.ok(many.suggestedThreshold! < RECORDED.threshold);
    assert.equal(many.refusedBelowFloor, null);
  });

  it('leaves out the same photo enrolled twice', () => {
    const e = embedding('photos/face_recognition/obama.jpg');
    const c = calibrate([{ personId: 'a', name: 'a', templates: [e, Float32Array.from(e)] }]);
    assert.equal(c.duplicates, 1);
    assert.equal(c.genuine.length, 0);
  });
});

describe('identification on ../shared/faces through the store (InsightFace reference embeddings)', () => {
  it('names enrolled people correctly and never names a stranger', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-ident-'));
    const store = await EnrollmentStore.open(
      path.join(dir, 'store'),
      await FileKeyWrapper.open(path.join(dir, 'key'), { create: true }),
    );
    const protocol = identificationProtocol();
    for (const photo of protocol.enroll) {
      const person = await store.addPerson(photo.identity);
      await store.addTemplate(person.id, {
        recognizerId: REFERENCE_RECOGNIZER,
        embedding: embedding(photo.file),
      });
    }
    const gallery = store.gallery(REFERENCE_RECOGNIZER);
    const tally: Tally = { correct: 0, incorrect: 0, rejected: 0, strangersNamed: 0, strangersRejected: 0 };
    for (const probe of protocol.genuineProbes) {
      const { match } = identify(embedding(probe.file), gallery, RECORDED.threshold);
      if (!match) tally.rejected++;
      else if (match.name === probe.identity) tally.correct++;
      else tally.incorrect++;
    }
    for (const probe of [
      ...protocol.strangerProbes,
      { file: 'photos/inspireface/image_T1.jpeg', identity: '?' },
    ]) {
      const faces = referenceFaces(probe.file);
      for (const f of faces) {
        if (identify(f.normedEmbedding!, gallery, RECORDED.threshold).match) tally.strangersNamed++;
        else tally.strangersRejected++;
      }
    }
    console.log(`identification (reference embeddings, threshold ${RECORDED.threshold}):`, tally);
    assert.deepEqual(
      protocol.enroll.map((p) => p.identity),
      ['obama', 'biden'],
      'the testing half enrolls its two identities with several photos',
    );
    assert.equal(tally.incorrect, 0);
    assert.equal(tally.strangersNamed, 0);
    assert.equal(tally.correct + tally.rejected, protocol.genuineProbes.length);
    assert.equal(tally.correct, protocol.genuineProbes.length);
  });
});
