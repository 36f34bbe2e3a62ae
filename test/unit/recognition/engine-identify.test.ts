import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../main/cli/tobira.js';
import { decodeImageFile } from '../../../main/image/decode.js';
import { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { Face, PixelImage } from '../../../main/insightface/types.js';
import { calibrate } from '../../../main/recognition/calibration.js';
import { DEFAULT_DECISION, DecisionEngine } from '../../../main/recognition/decision.js';
import { judgeFrame } from '../../../main/recognition/judge-frame.js';
import { defaultThreshold } from '../../../main/recognition/thresholds.js';
import { EnrollmentStore } from '../../../main/store/enrollment-store.js';
import { FileKeyWrapper } from '../../../main/store/key-file.js';
import { facePath } from '../../helpers/fixtures.js';
import { byIdentity, fittingHalf, identificationProtocol } from '../../helpers/identification.js';
import type { Tally } from '../../helpers/identification.js';
import { REFERENCE_RECOGNIZER } from '../../helpers/reference-faces.js';
import { makeTestPack } from '../../helpers/test-pack.js';

// Identification on ../shared/faces with embeddings from our own engine and the test pack.
describe('identification on ../shared/faces with the engine', () => {
  let pack = '';
  let fa: FaceAnalysis;
  const analysed = new Map<string, { image: PixelImage; faces: Face[] }>();
  const analyse = async (file: string) => {
    let a = analysed.get(file);
    if (!a) {
      const image = await decodeImageFile(facePath(file));
      a = { image, faces: await fa.get(image) };
      analysed.set(file, a);
    }
    return a;
  };

  before(async () => {
    pack = makeTestPack();
    fa = await FaceAnalysis.load(pack);
  });
  after(() => fa.release());

  it('the engine tags templates with the recognizer id thresholds.ts is keyed by', () => {
    assert.equal(fa.info.recognizer?.id, REFERENCE_RECOGNIZER);
  });

  it('enroll one photo per person, identify the others; strangers never get a name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-engine-ident-'));
    const store = await EnrollmentStore.open(
      path.join(dir, 'store'),
      await FileKeyWrapper.open(path.join(dir, 'key'), { create: true }),
    );
    const recognizer = fa.info.recognizer!;
    const { threshold } = defaultThreshold(recognizer);
    const protocol = identificationProtocol();
    for (const photo of protocol.enroll) {
      const { faces } = await analyse(photo.file);
      assert.equal(faces.length, 1, photo.file);
      const person = await store.addPerson(photo.identity);
      await store.addTemplate(person.id, {
        recognizerId: recognizer.id,
        embedding: faces[0]!.normedEmbedding!,
      });
    }
    // The kiosk's decision code, one frame per photo (N = 1): gates, subject selection and matching.
    const engine = new DecisionEngine({
      ...DEFAULT_DECISION,
      recognizerId: recognizer.id,
      threshold,
      framesRequired: 1,
    });
    engine.setGallery(store.gallery(recognizer.id));
    const decide = async (file: string, now: number) => {
      const { image, faces } = await analyse(file);
      return engine.processFrame({ judgement: judgeFrame(faces, image, image, engine.settings), now });
    };
    const tally: Tally = { correct: 0, incorrect: 0, rejected: 0, strangersNamed: 0, strangersRejected: 0 };
    const refusedBy: Record<string, number> = {};
    let now = 0;
    for (const probe of protocol.genuineProbes) {
      // 20 s apart: beyond the per-person cooldown, so every photo is decided on its own.
      const d = await decide(probe.file, (now += 20_000));
      if (d.state !== 'unlocked') {
        tally.rejected++;
        const why = d.guidance ?? d.final?.reason ?? d.state;
        refusedBy[why] = (refusedBy[why] ?? 0) + 1;
      } else if (d.final?.personName === probe.identity) tally.correct++;
      else tally.incorrect++;
      engine.reset();
    }
    for (const probe of [...protocol.strangerProbes, { file: 'photos/inspireface/image_T1.jpeg' }]) {
      const d = await decide(probe.file, (now += 20_000));
      if (d.state === 'unlocked' || d.match) tally.strangersNamed++;
      else tally.strangersRejected++;
      engine.reset();
    }
    console.log(
      `identification (engine, kiosk gates, threshold ${threshold}):`,
      tally,
      'refused by',
      refusedBy,
    );
    assert.equal(tally.incorrect, 0);
    assert.equal(tally.strangersNamed, 0);
    assert.equal(tally.correct + tally.rejected, protocol.genuineProbes.length);
    assert.equal(protocol.genuineProbes.length, 9, 'the testing half: 8 more photos of Obama, 1 of Biden');
    assert.ok(tally.correct >= 8, `at least 8 of 9 named (some fail the kiosk's gates): ${tally.correct}`);
  });

  it('calibrating the fitting half on the engine’s embeddings gives the recorded threshold', async () => {
    const gallery = [];
    for (const [identity, photos] of byIdentity(fittingHalf())) {
      const templates = [];
      for (const p of photos) {
        const { faces } = await analyse(p.file);
        const largest = faces.reduce((a, b) =>
          (b.bbox[2] - b.bbox[0]) * (b.bbox[3] - b.bbox[1]) >
          (a.bbox[2] - a.bbox[0]) * (a.bbox[3] - a.bbox[1])
            ? b
            : a,
        );
        templates.push(largest.normedEmbedding!);
      }
      gallery.push({ personId: identity, name: identity, templates });
    }
    const c = calibrate(gallery, { targetFar: 1e-4 });
    console.log(
      `calibration (engine): genuine ${c.genuine.length} min ${c.genuine[0]!.toFixed(3)}, impostor ${c.impostor.length} ` +
        `max ${c.impostor.at(-1)!.toFixed(3)}, normal fit ${c.gaussianThreshold!.toFixed(3)}, suggested ${c.suggestedThreshold}`,
    );
    assert.equal(c.suggestedThreshold, defaultThreshold(fa.info.recognizer!).threshold);
  });

  it('the CLI enrolls and identifies with the same store and decision code', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-cli-'));
    const store = path.join(dir, 'store');
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(`ERR ${t}`) };
    const run = async (...argv: string[]) => {
      lines.length = 0;
      const code = await main(argv, io);
      return { code, text: lines.join('\n') };
    };
    const photo = (p: string) => facePath(`photos/${p}`);
    const enrolled = await run(
      'enroll',
      '--store',
      store,
      '--models',
      pack,
      '--name',
      'Obama',
      photo('face_recognition/obama.jpg'),
      photo('face_recognition/knn_examples/train/obama/obama.jpg'),
      photo('face_recognition/ex_two_people.jpg'),
      photo('inspireface/view.jpg'),
      photo('face_recognition/nonexistent.jpg'),
    );
    assert.equal(enrolled.code, 0, enrolled.text);
    assert.match(enrolled.text, /obama\.jpg: enrolled/);
    assert.match(enrolled.text, /near-duplicate/);
    assert.match(enrolled.text, /ex_two_people\.jpg: refused: 2 faces/);
    assert.match(enrolled.text, /view\.jpg: refused: no face found/);
    assert.match(enrolled.text, /nonexistent\.jpg: refused: .*cannot read/);
    assert.ok(await readFile(path.join(store, 'store.key')), 'the CLI key file sits inside the store');

    const identify = async (p: string, code = 0) => {
      const r = await run('identify', '--store', store, '--models', pack, '--json', photo(p));
      assert.equal(r.code, code, r.text);
      return JSON.parse(r.text.split('\n')[0]!) as {
        match: { name: string; score: number } | null;
        reason: string;
      };
    };
    const same = await identify('face_recognition/obama3.jpg');
    assert.equal(same.match?.name, 'Obama');
    assert.ok(same.match.score > 0.5);
    assert.deepEqual(await identify('face_recognition/biden.jpg'), { match: null, reason: 'unknown_face' });
    assert.deepEqual(await identify('face_recognition/ex_two_people.jpg'), {
      match: null,
      reason: 'one_person',
    });
    // No face is no answer: exit 1, so a script never takes it for "a stranger".
    assert.deepEqual(await identify('inspireface/view.jpg', 1), { match: null, reason: 'no_face' });
    assert.match(lines.join('\n'), /ERR tobira identify: no face found in .*view\.jpg/);
    const missing = await run(
      'identify',
      '--store',
      path.join(dir, 'none'),
      '--models',
      pack,
      photo('inspireface/view.jpg'),
    );
    assert.equal(missing.code, 1);
    assert.match(missing.text, /no enrollment store here/);

    const listed = await run('people', 'list', '--store', store, '--json');
    const people = (
      JSON.parse(listed.text) as { people: { id: string; name: string; templates: unknown[] }[] }
    ).people;
    assert.deepEqual(
      people.map((p) => [p.name, p.templates.length]),
      [['Obama', 1]],
    );
    assert.equal((await run('people', 'remove', '--store', store, 'Nobody')).code, 1);
    assert.equal((await run('people', 'remove', '--store', store, 'Obama')).code, 0);
    assert.equal((await run('people', 'list', '--store', store)).text, 'nobody is enrolled');
    assert.deepEqual(await identify('face_recognition/obama3.jpg'), { match: null, reason: 'unknown_face' });
  });
});
