// Issue 9, way in #1: a compromised UI renderer (an XSS in any screen) holds a genuine photo
// of an enrolled person and sends it as camera frames, one bit flipped per frame so that no
// two frames are bit-identical. Before the capture context, four such frames opened the door.
// Now decision frames come only from the capture context's WebContents: the UI renderer,
// whatever it calls, never gets a decision. Real models, real photos.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';
import { facePath, TEST_PACK_FILES, packCopy } from '../../helpers/fixtures.js';
import { bitFlipped, noisy, rgbaFrameOf, type RgbaFrame } from '../../helpers/camera-frames.js';
import { decodeImageFile } from '../../../main/image/decode.js';
import { ANTI_SPOOF_MODEL_FILES } from '../../../main/liveness/anti-spoof.js';
import { LIVENESS_PACK } from '../../../main/engine/face-engine.js';
import { wireIpc, type WiredIpc } from '../../../main/ipc/wire.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { APP_ORIGIN } from '../../../main/security.js';
import { CHANNEL_NAMES, channels } from '../../../preload/contract/index.js';
import type { DecisionEvent } from '../../../preload/contract/events.js';
import type { FrameResult } from '../../../preload/contract/frames.js';
import { within } from '../../helpers/deadline.js';

const UI_ID = 1;
const CAPTURE_ID = 2;
const ui: Sender = { contentsId: UI_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };
const capture: Sender = { contentsId: CAPTURE_ID, url: `${APP_ORIGIN}/capture.html`, isTopFrame: true };
const ADMIN_PIN = '731904';

/**
 * Plausible arguments for every channel the UI preload exposes. A channel missing here (one
 * added later) is still called, with `{}`: the walk covers the whole contract.
 */
const ATTACK_ARGS: Record<string, unknown> = {
  exitKiosk: { pin: '000000' },
  ping: { message: 'x' },
  updateSettings: { liveness: { enabled: false }, recognition: { threshold: 0.01 } },
  setAdminPin: { pin: '111111' },
  adminLogin: { pin: '000000' },
  acknowledgeLicense: { name: 'buffalo_l' },
  downloadPack: { name: 'buffalo_l' },
  cancelDownload: { name: 'buffalo_l' },
  importPack: { kind: 'folder' },
  removePack: { name: 'test-pack' },
  setActivePack: { name: 'test-pack' },
  verifyPack: { name: 'test-pack' },
  addPerson: { name: 'Mallory' },
  renamePerson: { id: 'p1', name: 'Mallory' },
  setPersonPin: { id: 'p1', pin: '123456' },
  deletePerson: { id: 'p1' },
  startEnrollment: { id: 'p1', target: 5 },
  importPhotos: { id: 'p1' },
  testRecognition: { id: 'p1' },
  claimIdentity: { pin: '123456' },
  listAudit: { offset: 0, limit: 10 },
  getCalibration: { targetFar: 0.01 },
  getStrangerRate: { targetFpir: 0.003 },
  compare: { source: 'camera' },
  testDoor: {},
};
const NO_ARG = new Set(['getAppInfo', 'getSettings', 'getEngineStatus', 'getAdminState', 'adminLogout']);

describe('a compromised UI renderer never gets a decision (issue 9, way in #1)', () => {
  let node: NodeServices;
  let ipc: WiredIpc;
  let photo: RgbaFrame;
  let personId = '';
  let clock = Date.now();
  const decisions: DecisionEvent[] = [];
  let nextId = 1;

  before(async () => {
    node = await createNodeServices({ services: { now: () => clock } });
    const { services } = node;
    await services.packs.import(packCopy(TEST_PACK_FILES), { name: 'test-pack' });
    await services.packs.import(packCopy(ANTI_SPOOF_MODEL_FILES), { name: LIVENESS_PACK });
    await services.engine.start();
    const kiosk = services.engine.current!;
    assert.ok(kiosk.engine.liveness.available, 'the liveness add-on is loaded');
    assert.equal(services.settings.get().liveness.enabled, true, 'liveness is on by default');
    ipc = wireIpc(
      services,
      [APP_ORIGIN],
      () => UI_ID,
      () => CAPTURE_ID,
    );
    services.events.subscribe((event, payload) => {
      if (event === 'decision') decisions.push(payload as DecisionEvent);
    });
    // The real admin set a PIN, enrolled Barack Obama from two photos, and logged out.
    assert.equal((await ipc.gate.handle('setAdminPin', ui, { pin: ADMIN_PIN })).ok, true);
    const person = await services.store!.addPerson('Barack Obama');
    personId = person.id;
    for (const file of ['photos/face_recognition/obama.jpg', 'photos/face_recognition/obama2.jpg']) {
      const image = await decodeImageFile(facePath(file));
      const [face] = await kiosk.engine.analysis.get(image, { maxNum: 1 });
      await services.store!.addTemplate(person.id, {
        recognizerId: kiosk.engine.recognizerId!,
        embedding: face!.normedEmbedding!,
      });
    }
    kiosk.refreshGallery();
    assert.equal((await ipc.gate.handle('adminLogout', ui, undefined)).ok, true);
    // A genuine photo of the enrolled person, different from the enrolled ones.
    photo = await rgbaFrameOf(facePath('photos/face_recognition/knn_examples/test/obama1.jpg'));
  });
  after(() => node.services.close());

  /** Sends one frame as `sender`; resolves with the result, or null when main refused it. */
  function send(sender: Sender, frame: RgbaFrame): Promise<FrameResult | null> {
    const message = { id: nextId++, width: frame.width, height: frame.height, data: frame.rgba };
    return within(
      `the answer to frame ${message.id}`,
      new Promise((resolve) => {
        const refused = ipc.frames.submit(sender, message, resolve);
        if (refused) resolve(null);
      }),
    );
  }

  /** 10 fps: each frame 100 ms after the last (the kiosk's clock is the test's). */
  async function feed(sender: Sender, frames: number, make: (n: number) => RgbaFrame) {
    for (let n = 0; n < frames && decisions.length === 0; n++) {
      clock += 100;
      await send(sender, make(n));
    }
    // A decision is emitted after the door and the log answer: let them settle.
    await node.services.engine.current!.settled();
  }

  test('every UI API, then the photo as frames with one bit flipped per frame: no decision', async () => {
    const walked: string[] = [];
    for (const name of CHANNEL_NAMES) {
      const arg = NO_ARG.has(name) ? undefined : (ATTACK_ARGS[name] ?? {});
      const outcome = await ipc.gate.handle(name, ui, arg);
      walked.push(name);
      const code = !outcome.ok && outcome.code;
      if (channels[name].access === 'admin') {
        assert.equal(code, 'ADMIN_REQUIRED', `${name} went past the admin check for the attacker`);
      } else if (['exitKiosk', 'adminLogin', 'setAdminPin'].includes(name)) {
        assert.equal(outcome.ok, false, `${name} succeeded for the attacker`);
      } else if (name === 'claimIdentity') {
        assert.ok(!outcome.ok || !(outcome.value as { claimed: boolean }).claimed, 'a wrong code claimed');
      }
    }
    assert.deepEqual(walked, [...CHANNEL_NAMES], 'every channel of the contract was called');
    assert.equal(node.services.adminSession.isActive(UI_ID), false, 'the attacker holds no admin session');
    // Also as the real id of the enrolled person.
    await ipc.gate.handle('testRecognition', ui, { id: personId });
    await feed(ui, 40, (n) => bitFlipped(photo, n));
    assert.deepEqual(decisions, [], 'the UI renderer obtained a decision');
    const audit = await node.services.audit.read({ limit: 100 });
    assert.equal(
      audit.records.filter((e) => e.outcome === 'unlocked').length,
      0,
      'an unlock reached the audit log',
    );
  });

  test('from the capture context, the same still photo with bits flipped is a frozen feed: no unlock', async () => {
    decisions.length = 0;
    await feed(capture, 40, (n) => bitFlipped(photo, n));
    assert.equal(decisions.filter((d) => d.outcome === 'unlocked').length, 0, JSON.stringify(decisions));
  });

  test('from the capture context, a live feed of someone else, then the still photo: no unlock', async () => {
    // Someone not enrolled stands at the door with a live camera (sensor noise on every frame)
    // long enough to build up live evidence; then the feed switches to the still photo of the
    // enrolled person, bits flipped per frame. The frozen-feed check needs 600 ms of the same
    // image to call it frozen; the agreeing frames of the photo must not borrow the evidence
    // gathered on the other person's live frames in the meantime.
    decisions.length = 0;
    const stranger = await rgbaFrameOf(
      facePath('photos/face_recognition/knn_examples/test/johnsnow_test1.jpg'),
    );
    let liveScored = 0;
    for (let n = 0; n < 12; n++) {
      clock += 100;
      const r = await send(capture, noisy(stranger, 500 + n));
      if (r?.faces[0]?.liveness !== undefined) liveScored += 1;
    }
    await node.services.engine.current!.settled();
    assert.ok(liveScored >= 10, `the stranger's frames were scored by the passive models: ${liveScored}`);
    assert.ok(
      decisions.every((d) => d.outcome === 'refused'),
      `the stranger is refused: ${JSON.stringify(decisions)}`,
    );
    decisions.length = 0;
    // 8 frames: on the old rule (600 ms of live evidence) the 4th opened the door.
    await feed(capture, 8, (n) => bitFlipped(photo, 100 + n));
    assert.equal(decisions.filter((d) => d.outcome === 'unlocked').length, 0, JSON.stringify(decisions));
  });

  test('control: from the capture context, a live-looking feed of the person opens the door', async () => {
    decisions.length = 0;
    // A different person first breaks any streak; then the enrolled face with sensor noise.
    await feed(capture, 40, (n) => noisy(photo, n + 1));
    assert.deepEqual(
      decisions.map((d) => [d.outcome, d.personName]),
      [['unlocked', 'Barack Obama']],
    );
  });
});
