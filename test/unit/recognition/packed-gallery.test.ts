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
import { cosine, identify } from '../../../main/recognition/matcher.js';
import { PackedGallery, quantise } from '../../../main/recognition/packed-gallery.js';
import type { GalleryEntry } from '../../../main/store/enrollment-store.js';
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
  it('names the same person as the exact float search on the shared photos among 100,000 random people', () => {
    const { gallery, probes } = sharedGallery();
    // 100,000 random unit vectors (one template each) stand in for a campus of strangers.
    const all = [...randomUnitGallery(100_000, 1, 512, 20), ...gallery];
    const enrolled = new Set(gallery.map((g) => g.personId));
    const exact = probes.map((p) => identify(embeddingOf(p.file), all, 0.28));
    for (const precision of ['float32', 'int8'] as const) {
      const packed = PackedGallery.of(all, { precision, exactRows: 0 });
      assert.equal(packed.storage, precision);
      assert.equal(packed.rows, all.length);
      let named = 0;
      let sameBest = 0;
      probes.forEach((probe, i) => {
        const want = exact[i]!;
        const fast = identify(embeddingOf(probe.file), packed, 0.28);
        const what = `${precision}: ${probe.file}`;
        assert.equal(fast.match?.personId, want.match?.personId, what);
        if (want.match) {
          named++;
          assert.ok(Math.abs(fast.match!.score - want.match.score) < 0.003, what);
        }
        // Below the threshold, the best is exact when it is a real face; among the random
        // templates near cosine 0.15 it is the best of the candidates, never above the exact best.
        if (enrolled.has(want.best!.personId)) {
          assert.equal(fast.best?.personId, want.best!.personId, what);
          sameBest++;
        } else assert.ok(fast.best!.score <= want.best!.score + 0.003, what);
      });
      assert.ok(named >= 10, `${precision}: the genuine probes are named (${named})`);
      assert.ok(sameBest >= named, `${precision}: ${sameBest} real bests`);
    }
  });

  it('int8 rows change no cosine of the shared photos by more than 0.003, for a quarter of the memory', () => {
    const photos = distinctSinglePhotos().map((p) => embeddingOf(p.file));
    const q = (e: Float32Array): Float32Array => {
      const out = new Int8Array(e.length);
      const inv = quantise(e, out);
      return Float32Array.from(out, (x) => x * inv);
    };
    let worst = 0;
    let pairs = 0;
    for (let i = 0; i < photos.length; i++) {
      for (let j = i + 1; j < photos.length; j++) {
        // As the matcher scores: the stored row compact, the probe float.
        worst = Math.max(worst, Math.abs(cosine(q(photos[i]!), photos[j]!) - cosine(photos[i]!, photos[j]!)));
        pairs++;
      }
    }
    assert.equal(pairs, (photos.length * (photos.length - 1)) / 2);
    assert.ok(worst > 0 && worst < 0.003, `largest change ${worst}`);
    const f32 = PackedGallery.of(randomUnitGallery(1000, 5, 512, 3), { precision: 'float32' });
    const i8 = PackedGallery.of(randomUnitGallery(1000, 5, 512, 3), { precision: 'int8' });
    assert.ok(i8.bytes < f32.bytes / 2.5, `${i8.bytes} vs ${f32.bytes}`);
  });

  it('adds, replaces and removes people in place; the rows that move keep their person', () => {
    const { gallery, probes } = sharedGallery();
    const packed = new PackedGallery({ exactRows: 0 });
    packed.sync(gallery);
    const rows = packed.rows;
    const victim = gallery[3]!;
    packed.remove(victim.personId);
    assert.equal(packed.rows, rows - 1);
    for (const probe of probes) {
      const e = embeddingOf(probe.file);
      const rest = gallery.filter((g) => g !== victim);
      assert.equal(packed.identify(e, 0.28).best?.personId, identify(e, rest, 0.28).best?.personId);
    }
    // Re-added under another name with two templates: one person, two rows.
    packed.set({ ...victim, name: 'again', templates: [victim.templates[0]!, victim.templates[0]!] });
    assert.equal(packed.rows, rows + 1);
    const self = packed.identify(victim.templates[0]!, 0.28);
    assert.equal(self.match?.name, 'again');
    assert.ok(Math.abs(self.match!.score - 1) < 1e-5);
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

    it('removal and disable take effect in the packed matrix with the batch that brings them', async () => {
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
      const packed = new PackedGallery({ exactRows: 0 });
      const who = (g: GalleryEntry): string | undefined =>
        identify(g.templates[0]!, packed.sync(view.gallery(recognizer)), 0.28).match?.name;
      for (const g of gallery) assert.equal(who(g), g.name);

      const [removed, disabled] = [gallery[0]!, gallery[1]!];
      await replica.apply(
        [
          { kind: 'person', id: ids.get(removed.personId)!, parent: null, version: ++version, sealed: null },
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
