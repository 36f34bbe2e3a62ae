// 1:1 code entry at the door (issue 9), through the gate with the real models:
// the answer never says whether a code exists, the lockout is checked before any
// scrypt work, and it survives an engine reload and an app restart. Each test starts from a
// fresh data folder with Obama enrolled, so any one runs alone.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';
import { facePath, TEST_PACK_FILES, packCopy } from '../../helpers/fixtures.js';
import { rgbaFrameOf } from '../../helpers/camera-frames.js';
import { decodeImageFile } from '../../../main/image/decode.js';
import { wireIpc } from '../../../main/ipc/wire.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { APP_ORIGIN } from '../../../main/security.js';
import { CODE_LOCKOUT } from '../../../main/recognition/code-entry.js';
import type { DecisionEvent } from '../../../preload/contract/events.js';

const APP_ID = 9;
const app: Sender = { contentsId: APP_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };
const CODE = '2468';

describe('1:1 code entry', () => {
  let node: NodeServices;
  let lookups = 0;

  const claim = (pin: string) =>
    wireIpc(node.services, [APP_ORIGIN], () => APP_ID).gate.handle('claimIdentity', app, { pin });

  /** Counts scrypt lookups on the store the handlers use. */
  function spyOnLookups() {
    const store = node.services.store!;
    const original = store.findPersonByPin.bind(store);
    store.findPersonByPin = (pin: string) => {
      lookups += 1;
      return original(pin);
    };
  }

  /** Wrong codes until the entry locks (one more than the free tries), each answered as usual. */
  async function lockOut() {
    for (let i = 0; i <= CODE_LOCKOUT.freeAttempts; i++) {
      const outcome = await claim(`99${i}9`);
      assert.deepEqual(outcome, { ok: true, value: { claimed: true } }, `wrong code ${i + 1}`);
    }
  }

  beforeEach(async () => {
    lookups = 0;
    node = await createNodeServices({
      services: {},
    });
    const { services } = node;
    await services.packs.import(packCopy(TEST_PACK_FILES), { name: 'test-pack' });
    services.settings.update({
      recognition: { ...services.settings.get().recognition, mode: 'verify' },
      liveness: { enabled: false, threshold: 0.5, level: 'standard' },
    });
    await services.engine.start();
    const kiosk = services.engine.current!;
    const store = services.store!;
    const person = await store.addPerson('Barack Obama', { pin: CODE });
    for (const photo of ['photos/face_recognition/obama.jpg', 'photos/face_recognition/obama2.jpg']) {
      const image = await decodeImageFile(facePath(photo));
      const [face] = await kiosk.engine.analysis.get(image, { maxNum: 1 });
      await store.addTemplate(person.id, {
        recognizerId: kiosk.engine.recognizerId!,
        embedding: face!.normedEmbedding!,
      });
    }
    kiosk.refreshGallery();
    spyOnLookups();
  });
  afterEach(() => node.services.close());

  test('a known and an unknown code get the same answer, and the unknown one opens for nobody', async () => {
    const known = await claim(CODE);
    const unknown = await claim('1357');
    assert.deepEqual(unknown, known, 'the answer told a stranger that 1357 is nobody’s code');
    assert.deepEqual(known, { ok: true, value: { claimed: true } });

    // Obama himself in front of the camera, after the unknown code: refused, never opened.
    const decisions: DecisionEvent[] = [];
    const off = node.services.events.subscribe((event, payload) => {
      if (event === 'decision') decisions.push(payload as DecisionEvent);
    });
    const frame = await rgbaFrameOf(facePath('photos/face_recognition/knn_examples/test/obama1.jpg'));
    const kiosk = node.services.engine.current!;
    // Recognition runs on some frames only: feed until the streak concludes (at most 30 frames).
    for (let id = 1; id <= 30 && decisions.length === 0; id++) {
      const rgba = frame.rgba.slice();
      rgba[id] ^= 1;
      await kiosk.analyzeFrame({ ...frame, rgba, id });
    }
    off();
    assert.equal(decisions.length, 1, 'the face was never judged');
    assert.equal(decisions[0]!.outcome, 'refused');
    assert.equal(decisions[0]!.reason, 'claim_mismatch');
    // The wrong code is in the admin's log.
    await node.services.codes.flush();
    const log = await node.services.audit.read({ offset: 0, limit: 50 });
    assert.ok(log.records.some((r) => r.reason === 'wrong_claim_pin'));
  });

  test('after repeated wrong codes, the lockout answers before any scrypt work', async () => {
    await lockOut();
    lookups = 0;
    for (const pin of [CODE, '5555']) {
      const outcome = await claim(pin);
      assert.equal(!outcome.ok && outcome.code, 'LOCKED_OUT', pin);
    }
    assert.equal(lookups, 0, 'a locked code entry still hashed the codes');
  });

  test('the lockout survives an engine reload', async () => {
    await lockOut();
    const before = node.services.engine.current;
    await node.services.engine.reload();
    assert.notEqual(node.services.engine.current, before);
    lookups = 0;
    const outcome = await claim(CODE);
    assert.equal(!outcome.ok && outcome.code, 'LOCKED_OUT');
    assert.equal(lookups, 0);
  });

  test('the lockout survives an app restart', async () => {
    await lockOut();
    await node.services.codes.flush();
    await node.services.close();
    node = await createNodeServices({ dataDir: node.dataDir });
    await node.services.engine.start();
    assert.ok(node.services.engine.current, 'the restarted kiosk has its engine');
    spyOnLookups();
    lookups = 0;
    const outcome = await claim(CODE);
    assert.equal(!outcome.ok && outcome.code, 'LOCKED_OUT');
    assert.equal(lookups, 0);
  });
});
