import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sealDoc } from '../../../main/fleet/entities.js';
import { fleetDir } from '../../../main/fleet/local.js';
import { Replica, type EntityRow } from '../../../main/fleet/replica.js';
import { FleetView } from '../../../main/fleet/view.js';
import { fleetRefusal } from '../../../main/fleet/door-rules.js';
import { cosine, identify, personScore } from '../../../main/recognition/matcher.js';
import { EXACT_MARGIN, MAX_EXACT_PEOPLE, PackedGallery } from '../../../main/recognition/packed-gallery.js';
import { lazyGalleryEntry, type GalleryEntry } from '../../../main/store/enrollment-store.js';
import { distinctSinglePhotos, identificationProtocol } from '../../helpers/identification.js';
import { referenceFaces } from '../../helpers/reference-faces.js';
import { randomUnitGallery } from '../../../main/cli/bench/random-gallery.js';

const embeddingOf = (file: string): Float32Array => referenceFaces(file)[0]!.normedEmbedding!;

/**
 * The shared photos' protocol over both halves: one photo enrolled per identity, the others probe.
 * No threshold is fitted or tested here (the packed search is checked against the exact one), so
 * every identity serves.
 */
function sharedGallery(): { gallery: GalleryEntry[]; probes: { file: string; identity: string }[] } {
  const protocol = identificationProtocol(distinctSinglePhotos());
  const gallery = protocol.enroll.map((p) => ({
    personId: p.identity,
    name: p.identity,
    templates: [embeddingOf(p.file)],
  }));
  return { gallery, probes: [...protocol.genuineProbes, ...protocol.strangerProbes] };
}

describe('packed gallery', () => {
  it('names the same person as the exact float search on the shared photos among 100,000 random people', (t) => {
    const { gallery, probes } = sharedGallery();
    // 100,000 random unit vectors (one template each) stand in for a campus of strangers.
    const all = [...randomUnitGallery(100_000, 1, 512, 20), ...gallery];
    const enrolled = new Map(gallery.map((g) => [g.personId, g]));
    const exact = probes.map((p) => identify(embeddingOf(p.file), all, 0.28));
    for (const precision of ['float32', 'int4'] as const) {
      const packed = PackedGallery.of(all, { precision, exactRows: 0 });
      assert.equal(packed.storage, precision);
      assert.equal(packed.rows, all.length);
      let named = 0;
      let sameBest = 0;
      let candidateChange = 0;
      probes.forEach((probe, i) => {
        const want = exact[i]!;
        const e = embeddingOf(probe.file);
        const fast = identify(e, packed, 0.28);
        const what = `${precision}: ${probe.file}`;
        assert.equal(fast.match?.personId, want.match?.personId, what);
        // float32 rows: the float cosine of normalised rows; int4: the exact cosine, from the
        // person's stored templates, as 1:1 computes it.
        const rounding = precision === 'float32' ? 1e-5 : 1e-6;
        if (want.match) {
          named++;
          assert.ok(Math.abs(fast.match!.score - want.match.score) < rounding, what);
        }
        // Below the threshold, the best is the exact best when it is a real face; among the
        // random templates near cosine 0.15 it is the best of the candidates, never above it.
        if (enrolled.has(want.best!.personId)) {
          assert.equal(fast.best?.personId, want.best!.personId, what);
          sameBest++;
        } else assert.ok(fast.best!.score <= want.best!.score + rounding, what);
        const own = enrolled.get(fast.best!.personId) ?? all.find((g) => g.personId === fast.best!.personId)!;
        assert.ok(
          Math.abs(fast.best!.score - personScore(e, own)!) < rounding,
          `${what}: the score is exact`,
        );
        // The candidate scores (step 2) of the real faces among the candidates, against the cosine.
        for (const [id, score] of packed.candidateScores(e)) {
          const face = enrolled.get(id);
          if (face) candidateChange = Math.max(candidateChange, Math.abs(score - personScore(e, face)!));
        }
      });
      t.diagnostic(
        `${precision}: ${named} named, largest candidate-score change ${candidateChange.toFixed(4)}`,
      );
      assert.ok(named >= 10, `${precision}: the genuine probes are named (${named})`);
      assert.ok(sameBest >= named, `${precision}: ${sameBest} real bests`);
      // float32 candidates are exact; int4's change by up to ~0.02 (header of packed-gallery.ts).
      if (precision === 'float32') assert.ok(candidateChange < 1e-5, `${candidateChange}`);
      else
        assert.ok(candidateChange > 0 && candidateChange < 0.03, `int4 candidate change ${candidateChange}`);
    }
  });

  it('int4 candidate scores change no cosine of the shared photos by more than 0.03, for an eighth of the memory', (t) => {
    const photos = distinctSinglePhotos().map((p, i) => ({
      personId: `photo-${i}`,
      name: p.file,
      templates: [embeddingOf(p.file)],
    }));
    // Every row a candidate: the candidate score of every ordered pair (stored row int4, probe float).
    const packed = PackedGallery.of(photos, { precision: 'int4', exactRows: Infinity });
    let worst = 0;
    let pairs = 0;
    for (const probe of photos) {
      const e = probe.templates[0]!;
      const scores = packed.candidateScores(e, probe.personId);
      assert.equal(scores.size, photos.length - 1);
      for (const other of photos) {
        if (other === probe) continue;
        worst = Math.max(worst, Math.abs(scores.get(other.personId)! - cosine(e, other.templates[0]!)));
        pairs++;
      }
      // And the answer is exact: the best other photo and its cosine, as the list walk gives them.
      const rest = photos.filter((p) => p !== probe);
      const want = identify(e, rest, 0.28).best!;
      const got = packed.identify(e, 0.28, probe.personId).best!;
      assert.equal(got.personId, want.personId, probe.name);
      assert.equal(got.score, want.score, probe.name);
    }
    assert.equal(pairs, photos.length * (photos.length - 1));
    t.diagnostic(`int4: largest candidate-score change ${worst.toFixed(4)} over ${pairs} ordered pairs`);
    assert.ok(worst > 0 && worst < 0.03, `largest change ${worst}`);
    const f32 = PackedGallery.of(randomUnitGallery(1000, 5, 512, 3), { precision: 'float32' });
    const i4 = PackedGallery.of(randomUnitGallery(1000, 5, 512, 3), { precision: 'int4' });
    assert.ok(i4.bytes < f32.bytes / 6, `${i4.bytes} vs ${f32.bytes}`);
    t.diagnostic(`5,000 rows: int4 ${i4.bytes} bytes, float32 ${f32.bytes}`);
  });

  for (const precision of ['float32', 'int4'] as const)
    it(`${precision}: adds, replaces and removes people in place; the rows that move keep their person`, () => {
      const { gallery, probes } = sharedGallery();
      const packed = new PackedGallery({ exactRows: 0, precision });
      packed.sync(gallery);
      const rows = packed.rows;
      const victim = gallery[3]!;
      packed.remove(victim.personId);
      assert.equal(packed.rows, rows - 1);
      for (const probe of probes) {
        const e = embeddingOf(probe.file);
        const rest = gallery.filter((g) => g !== victim);
        const want = identify(e, rest, 0.28).best!;
        const got = packed.identify(e, 0.28).best!;
        const own = rest.find((g) => g.personId === got.personId)!;
        assert.ok(Math.abs(got.score - personScore(e, own)!) < 1e-5, 'the score is the exact cosine');
        // int4: further than EXACT_MARGIN below the threshold only the best candidate is scored
        // exactly, so `best` may be another person, close to the exact best (header).
        if (precision === 'float32' || want.score >= 0.28 - EXACT_MARGIN)
          assert.equal(got.personId, want.personId);
        else
          assert.ok(
            got.score <= want.score && got.score > want.score - EXACT_MARGIN,
            `${got.score} vs ${want.score}`,
          );
      }
      // Re-added under another name with two templates: one person, two rows.
      packed.set({ ...victim, name: 'again', templates: [victim.templates[0]!, victim.templates[0]!] });
      assert.equal(packed.rows, rows + 1);
      const self = packed.identify(victim.templates[0]!, 0.28);
      assert.equal(self.match?.name, 'again');
      assert.ok(Math.abs(self.match!.score - 1) < 1e-5);
    });

  it('int4: a probe decodes the templates of a few people only, never the gallery', (t) => {
    const { gallery, probes } = sharedGallery();
    let decodes = 0;
    // As a door's entries: templates decoded on each read (lazyGalleryEntry), counted.
    const counted = (g: GalleryEntry): GalleryEntry =>
      lazyGalleryEntry(g.personId, g.name, g.templates.length, () => {
        decodes++;
        return g.templates;
      });
    const all = [...randomUnitGallery(25_000, 1, 512, 21), ...gallery].map(counted);
    const packed = PackedGallery.of(all); // auto: 25,000 rows and more are int4
    assert.equal(packed.storage, 'int4');
    let most = 0;
    let total = 0;
    for (const probe of probes) {
      decodes = 0;
      const e = embeddingOf(probe.file);
      const got = packed.identify(e, 0.28);
      assert.equal(got.match?.personId, identify(e, gallery, 0.28).match?.personId, probe.file);
      assert.ok(decodes >= 1 && decodes <= MAX_EXACT_PEOPLE, `${probe.file}: ${decodes} people decoded`);
      most = Math.max(most, decodes);
      total += decodes;
    }
    t.diagnostic(`${probes.length} probes decoded ${total} people, at most ${most} for one`);
  });

  it('auto: float32 rows become int4 when the gallery grows past 20,000 rows, and stay int4 when it shrinks', () => {
    const people = randomUnitGallery(4001, 5, 512, 9);
    const packed = new PackedGallery({ exactRows: 0 });
    const check = (entries: GalleryEntry[]): void => {
      for (const g of [entries[0]!, entries[entries.length - 1]!]) {
        const self = packed.identify(g.templates[2]!, 0.4);
        assert.equal(self.match?.personId, g.personId);
        assert.ok(Math.abs(self.match!.score - 1) < 1e-6, `${self.match!.score}`);
      }
    };
    packed.sync(people.slice(0, 3000));
    assert.equal(packed.storage, 'float32');
    check(people.slice(0, 3000));
    packed.sync(people); // 20,005 rows: the 15,000 float32 rows are rotated and quantised
    assert.equal(packed.storage, 'int4');
    check(people);
    packed.sync(people.slice(0, 1000));
    assert.equal(packed.rows, 5000);
    assert.equal(packed.storage, 'int4', 'no float32 rows to go back to');
    check(people.slice(0, 1000));
  });

  describe('in step with the fleet replica', () => {
    const dirs: string[] = [];
    after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
    const key = randomBytes(32);
    const recognizer = 'sha256:test';
    const personRow = (id: string, name: string, version: number, disabled = false): EntityRow => ({
      kind: 'person',
      id,
      parent: null,
      version,
      sealed: sealDoc(key, 'person', id, { name, createdAt: '2026-01-01T00:00:00Z', disabled, groups: [] }),
    });
    const templateRow = (personId: string, embedding: Float32Array, version: number): EntityRow => {
      const id = randomUUID();
      return {
        kind: 'template',
        id,
        parent: personId,
        version,
        sealed: sealDoc(key, 'template', id, {
          personId,
          recognizerId: recognizer,
          createdAt: '2026-01-01T00:00:00Z',
          embedding,
        }),
      };
    };

    /** A new door's empty replica in a folder of its own. */
    const emptyReplica = async (): Promise<Replica> => {
      const dir = await mkdtemp(path.join(tmpdir(), 'tobira-packed-'));
      dirs.push(dir);
      await mkdir(fleetDir(dir), { recursive: true });
      return Replica.open(dir, randomBytes(32), randomUUID());
    };

    it("the view holds no float32 copy: a template is the replica's sealed row, opened when read", async () => {
      const replica = await emptyReplica();
      const { gallery } = sharedGallery();
      const [a, b] = [gallery[0]!, gallery[1]!];
      const [ida, idb] = [randomUUID(), randomUUID()];
      await replica.apply(
        [
          personRow(ida, a.name, 1),
          templateRow(ida, a.templates[0]!, 2),
          templateRow(ida, b.templates[0]!, 3),
          personRow(idb, b.name, 4),
          templateRow(idb, b.templates[0]!, 5),
        ],
        1000,
      );
      const view = new FleetView(replica, key);
      for (const t of view.people.get(ida)!.templates) {
        assert.equal('embedding' in t, false, 'no values on the view');
        assert.equal(t.dimension, 512);
        assert.equal('sealed' in t, false, 'no bytes on the view: the row stays in the replica');
        assert.equal(replica.idAt(t.slot), t.id, 'the template is its replica slot');
      }
      const entry = view.gallery(recognizer).find((g) => g.personId === ida)!;
      const first = entry.templates;
      const again = entry.templates;
      assert.notEqual(first[0], again[0], 'decoded afresh on each read: nothing kept');
      assert.deepEqual(
        view.people.get(ida)!.templates.map((t) => view.embedding(t).join()),
        first.map((e) => e.join()),
      );
    });

    // int4: the exact score opens the person's sealed rows in the replica (lazyGalleryEntry).
    for (const precision of ['float32', 'int4'] as const)
      it(`${precision}: removal and disable take effect in the packed matrix with the batch that brings them`, async () => {
        const replica = await emptyReplica();
        const { gallery } = sharedGallery();
        const ids = new Map(gallery.map((g) => [g.personId, randomUUID()]));
        let version = 0;
        const rows: EntityRow[] = [];
        for (const g of gallery) {
          rows.push(personRow(ids.get(g.personId)!, g.name, ++version));
          rows.push(templateRow(ids.get(g.personId)!, g.templates[0]!, ++version));
        }
        await replica.apply(rows, 1000);
        let view = new FleetView(replica, key);
        const packed = new PackedGallery({ exactRows: 0, precision });
        const who = (g: GalleryEntry): string | undefined =>
          identify(g.templates[0]!, packed.sync(view.gallery(recognizer)), 0.28).match?.name;
        for (const g of gallery) assert.equal(who(g), g.name);
        assert.equal(packed.storage, precision);

        const [removed, disabled] = [gallery[0]!, gallery[1]!];
        await replica.apply(
          [
            {
              kind: 'person',
              id: ids.get(removed.personId)!,
              parent: null,
              version: ++version,
              sealed: null,
            },
            personRow(ids.get(disabled.personId)!, disabled.name, ++version, true),
          ],
          1001,
        );
        view = new FleetView(replica, key, view);
        // A disabled person stays in the matrix, so the door recognises and refuses them as such
        // (fleet/door-rules.ts) instead of auditing them as a stranger; a removed one is gone.
        const refusal = (g: GalleryEntry) =>
          fleetRefusal({ view, door: 'front', graceLeftMs: 1 }, ids.get(g.personId)!, Date.now());
        assert.equal(who(removed), undefined, 'a removed person is gone with the batch');
        assert.equal(who(disabled), disabled.name, 'a disabled person is still recognised');
        assert.equal(refusal(disabled), 'person_disabled', 'and refused with the batch that disables them');
        assert.equal(packed.size, gallery.length - 1);
        for (const g of gallery.slice(2)) assert.equal(who(g), g.name);

        await replica.apply([personRow(ids.get(disabled.personId)!, disabled.name, ++version, false)], 1002);
        view = new FleetView(replica, key, view);
        assert.equal(who(disabled), disabled.name, 'enabled again, matched again');
        assert.notEqual(refusal(disabled), 'person_disabled', 'and no longer refused as disabled');
      });
  });
});
