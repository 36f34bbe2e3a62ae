import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../../main/cli/tobira.js';
import { EnrollmentStore } from '../../../main/store/enrollment-store.js';
import { FileKeyWrapper } from '../../../main/store/key-file.js';
import { REFERENCE_RECOGNIZER } from '../../helpers/reference-faces.js';
import { makeTestPack } from '../../helpers/test-pack.js';
import { cosine, identify } from '../../../main/recognition/matcher.js';
import {
  estimateStrangerRate,
  fpirOf,
  impostorScores,
  oneIn,
  perPersonRate,
} from '../../../main/recognition/stranger-rate.js';
import type { GalleryEntry } from '../../../main/store/enrollment-store.js';
import { randomUnitGallery } from '../../../main/cli/bench/random-gallery.js';
import { byIdentity, distinctSinglePhotos } from '../../helpers/identification.js';
import { referenceFaces } from '../../helpers/reference-faces.js';

/** Every identity of the shared photos as one person, their distinct photos as templates. */
function photoGallery(): GalleryEntry[] {
  return [...byIdentity(distinctSinglePhotos())].map(([identity, photos]) => ({
    personId: identity,
    name: identity,
    templates: photos.map((p) => referenceFaces(p.file)[0]!.normedEmbedding!),
  }));
}

describe('stranger rate (FPIR) estimate', () => {
  it('matches a count of strangers taken for someone on the shared photos', () => {
    const gallery = photoGallery();
    assert.ok(gallery.length >= 15, `${gallery.length} identities`);
    // The count: every photo is a stranger's attempt against everyone else (its own identity left
    // out), N − 1 people. Thresholds where matches are frequent enough to count in 32 attempts.
    const attempts = gallery.flatMap((g) => g.templates.map((t) => ({ who: g.personId, t })));
    const people = gallery.length - 1;
    const p = perPersonRate(impostorScores(gallery, 1e9, 1));
    for (const threshold of [0.05, 0.08, 0.1, 0.12]) {
      const matched = attempts.filter(
        ({ who, t }) =>
          identify(
            t,
            gallery.filter((g) => g.personId !== who),
            threshold,
          ).match,
      ).length;
      const counted = matched / attempts.length;
      const estimated = fpirOf(p(threshold), people);
      // Binomial spread of the count over these attempts, at the estimate: 3 sd.
      const sd = Math.sqrt((estimated * (1 - estimated)) / attempts.length);
      assert.ok(
        Math.abs(counted - estimated) <= 3 * sd + 1 / attempts.length,
        `τ ${threshold}: counted ${matched}/${attempts.length} = ${counted.toFixed(3)}, estimated ${estimated.toFixed(3)}`,
      );
    }
  });

  it('the fitted tail does not understate a rate it can count on a large random gallery', () => {
    // 2,000 random people of 64 dimensions (sd 0.125): a tail deep enough to count at 0.4.
    const gallery = randomUnitGallery(2000, 2, 64, 7);
    const p = perPersonRate(impostorScores(gallery, 20_000, 3));
    const counted = impostorScores(gallery, 400_000, 5);
    for (const t of [0.35, 0.4, 0.45]) {
      const share = counted.filter((s) => s >= t).length / counted.length;
      assert.ok(share > 0, `τ ${t}: some impostor pairs counted`);
      assert.ok(p(t) >= share * 0.8, `τ ${t}: fitted ${p(t)} against counted ${share}`);
      assert.ok(p(t) <= share * 6, `τ ${t}: fitted ${p(t)} not wildly above counted ${share}`);
    }
  });

  it('suggests a threshold that keeps the target, never below the default, with its cost', () => {
    const gallery = photoGallery();
    const rate = estimateStrangerRate(gallery, { threshold: 0.28, defaultThreshold: 0.28 });
    assert.equal(rate.people, gallery.length);
    assert.ok(rate.fpir !== null && rate.fpir > 0 && rate.fpir < 0.01, `fpir ${rate.fpir}`);
    const suggested = rate.suggestedThreshold!;
    assert.ok(suggested >= 0.28 && rate.suggestedFpir! <= 0.003, `${suggested}: ${rate.suggestedFpir}`);
    // One step lower misses the target (or is the default).
    const lower = estimateStrangerRate(gallery, { threshold: suggested - 0.01, defaultThreshold: 0.28 });
    assert.ok(suggested === 0.28 || lower.fpir! > 0.003);
    // Its cost, counted here: each photo against the same person's other photos.
    const genuine = gallery.flatMap((g) =>
      g.templates.length < 2
        ? []
        : g.templates.map((t, i) =>
            Math.max(...g.templates.filter((_, j) => j !== i).map((u) => cosine(t, u))),
          ),
    );
    assert.equal(rate.genuinePairs, genuine.length);
    assert.equal(rate.refusalsAtSuggested, genuine.filter((s) => s < suggested).length / genuine.length);
    assert.equal(rate.tooLargeForFaceAlone, rate.refusalsAtSuggested! > 0.05);

    const high = estimateStrangerRate(gallery, { threshold: 0.6, defaultThreshold: 0.6 });
    assert.equal(high.suggestedThreshold, 0.6, 'never below the default, even when a lower one would do');

    // A target no threshold reaches at few refusals: face alone is not enough.
    const strict = estimateStrangerRate(gallery, {
      threshold: 0.28,
      defaultThreshold: 0.28,
      targetFpir: 1e-30,
    });
    assert.ok(strict.suggestedThreshold === null || strict.suggestedThreshold > 0.5);
    assert.equal(strict.tooLargeForFaceAlone, true);
  });

  it('grows with the gallery at the same threshold', () => {
    const gallery = randomUnitGallery(400, 3, 64, 11);
    const small = estimateStrangerRate(gallery.slice(0, 40), { threshold: 0.4, defaultThreshold: 0.4 });
    const large = estimateStrangerRate(gallery, { threshold: 0.4, defaultThreshold: 0.4 });
    assert.ok(large.fpir! > small.fpir! * 5, `${small.fpir} → ${large.fpir}`);
    assert.ok(large.suggestedThreshold! >= small.suggestedThreshold!);
  });

  it('tobira stranger-rate says it in a sentence, with the suggested threshold and its cost', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-stranger-'));
    try {
      const key = path.join(dir, 'key');
      const store = await EnrollmentStore.open(
        path.join(dir, 'store'),
        await FileKeyWrapper.open(key, { create: true }),
      );
      for (const g of photoGallery()) {
        const person = await store.addPerson(g.name);
        for (const embedding of g.templates)
          await store.addTemplate(person.id, { recognizerId: REFERENCE_RECOGNIZER, embedding });
      }
      const lines: string[] = [];
      const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
      const args = ['--store', path.join(dir, 'store'), '--key', key, '--models', makeTestPack()];
      assert.equal(await main(['stranger-rate', ...args], io), 0, lines.join('\n'));
      const text = lines.join('\n');
      assert.match(
        text,
        /^With 15 people enrolled, a stranger is taken for someone about 1 in [\d,]+ attempts at threshold 0\.29\./,
      );
      assert.match(
        text,
        /Threshold 0\.\d\d keeps it at 1 in 330 \(FPIR 0\.003\); it refuses \d+\.\d % of enrolled people's own attempts/,
      );
      lines.length = 0;
      assert.equal(await main(['stranger-rate', ...args, '--json', '--target', '0.01'], io), 0);
      const json = JSON.parse(lines.join('')) as { people: number; targetFpir: number; fpir: number };
      assert.equal(json.people, 15);
      assert.equal(json.targetFpir, 0.01);
      for (const bad of [['--target', '2'], ['--target', 'x'], ['--threshold', '3'], ['extra']]) {
        assert.equal(await main(['stranger-rate', ...args, ...bad], io), 2, bad.join(' '));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes rates as one in so many attempts', () => {
    assert.equal(oneIn(1 / 3017), '1 in 3,000');
    assert.equal(oneIn(0.02), '1 in 50');
    assert.equal(oneIn(0.7), '70 %');
    assert.equal(oneIn(0), 'never');
  });
});
