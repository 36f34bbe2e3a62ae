// A compromised renderer riding a live admin session (issue 9): through the gate
// and the real handlers, it tries to retarget the door, lower the threshold,
// switch off liveness, swap the face models and allow a weaker PIN; and (issue 17) ask for one
// agreeing frame, let a second face through, or switch to another camera. Each needs the admin
// PIN typed again, checked in main.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { wireIpc } from '../../../main/ipc/wire.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { APP_ORIGIN } from '../../../main/security.js';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';
import { TEST_PACK_FILES, packCopy } from '../../helpers/fixtures.js';
import type { Settings, SettingsPatch } from '../../../preload/contract/settings.js';

const APP_ID = 4;
const app: Sender = { contentsId: APP_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };
const PIN = '580246';

describe('sensitive settings ask for the PIN again', () => {
  let node: NodeServices;
  const call = (channel: string, arg?: unknown) =>
    wireIpc(node.services, [APP_ORIGIN], () => APP_ID).gate.handle(channel, app, arg);

  before(async () => {
    node = await createNodeServices();
    await node.services.pin.setPin(PIN);
  });
  after(() => node.services.close());
  beforeEach(async () => {
    const login = await call('adminLogin', { pin: PIN });
    assert.equal(login.ok, true);
  });

  const sensitive: [string, (s: Settings) => SettingsPatch, (s: Settings) => unknown][] = [
    ['the door', (s) => ({ door: { ...s.door, holdMs: s.door.holdMs + 1000 } }), (s) => s.door],
    [
      'the threshold',
      (s) => ({ recognition: { ...s.recognition, threshold: 0.05 } }),
      (s) => s.recognition.threshold,
    ],
    ['liveness', (s) => ({ liveness: { ...s.liveness, enabled: !s.liveness.enabled } }), (s) => s.liveness],
    [
      'the active pack',
      (s) => ({ engine: { ...s.engine, activePack: 'other' } }),
      (s) => s.engine.activePack,
    ],
    ['the weak-PIN switch', () => ({ adminPin: { allowWeakFourDigits: true } }), (s) => s.adminPin],
    // Issue 17: one agreeing frame is easier to fool, a laxer second-face ratio lets a second
    // person through behind the first, another camera may be a video replaying someone.
    [
      'the agreeing frames',
      (s) => ({ recognition: { ...s.recognition, framesToAgree: 1 } }),
      (s) => s.recognition.framesToAgree,
    ],
    [
      'the second-face ratio',
      (s) => ({ recognition: { ...s.recognition, secondFaceRatio: 1 } }),
      (s) => s.recognition.secondFaceRatio,
    ],
    [
      'the camera device',
      (s) => ({ camera: { ...s.camera, deviceId: 'virtual-camera-0' } }),
      (s) => s.camera.deviceId,
    ],
  ];
  for (const [what, patchOf, read] of sensitive) {
    test(`${what}: refused with a live session alone, or a wrong PIN; changed with the PIN`, async () => {
      const before = node.services.settings.get();
      const patch = patchOf(before);
      const bare = await call('updateSettings', patch);
      assert.equal(!bare.ok && bare.code, 'PIN_REQUIRED', `${what} changed without the PIN`);
      const wrong = await call('updateSettings', { ...patch, pin: '000000' });
      assert.equal(!wrong.ok && wrong.code, 'WRONG_PIN');
      assert.deepEqual(read(node.services.settings.get()), read(before), 'nothing changed');
      if (what === 'the active pack') return; // no pack named "other": setActivePack is tested below
      const right = await call('updateSettings', { ...patch, pin: PIN });
      assert.equal(right.ok, true, !right.ok ? right.message : '');
      assert.notDeepEqual(read(node.services.settings.get()), read(before));
      // A correct PIN here also cleared the wrong one from the lockout count.
      assert.equal(node.services.pin.retryAfterMs(), 0);
    });
  }

  test('everything else, and re-sending a sensitive section unchanged, needs no PIN', async () => {
    const s = node.services.settings.get();
    const outcome = await call('updateSettings', {
      locale: 'ja',
      recognition: { ...s.recognition, cooldownMs: 5000 },
      // The camera's size is not who gets in; its device is.
      camera: { ...s.camera, width: 640, height: 480 },
      door: s.door,
      liveness: s.liveness,
    });
    assert.equal(outcome.ok, true, !outcome.ok ? outcome.message : '');
    assert.equal(node.services.settings.get().locale, 'ja');
  });

  test('switching the active pack needs the PIN; re-choosing the active one does not', async () => {
    await node.services.packs.import(packCopy(TEST_PACK_FILES), { name: 'pack-a' });
    await node.services.packs.import(packCopy(TEST_PACK_FILES), { name: 'pack-b' });
    await node.services.packs.setActive('pack-a');
    const bare = await call('setActivePack', { name: 'pack-b' });
    assert.equal(!bare.ok && bare.code, 'PIN_REQUIRED');
    const wrong = await call('setActivePack', { name: 'pack-b', pin: '111111' });
    assert.equal(!wrong.ok && wrong.code, 'WRONG_PIN');
    assert.equal(await node.services.packs.getActive(), 'pack-a');
    assert.equal((await call('setActivePack', { name: 'pack-a' })).ok, true);
    const right = await call('setActivePack', { name: 'pack-b', pin: PIN });
    assert.equal(right.ok, true, !right.ok ? right.message : '');
    assert.equal(await node.services.packs.getActive(), 'pack-b');
  });
});
