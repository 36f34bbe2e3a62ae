// Issue 9, way in #2: camera enrollment outlived the admin. The admin panel's close() logged
// out before the enroll panel stopped enrollment, so the stop was refused and enrollment went
// on: the next stranger at the door was enrolled as the person and then opened it. Now the
// admin session owns enrollment: logout, expiry, a renderer reload or crash, and the
// enrollment timeout all stop it, and no enrollment frame is taken without a live session.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';
import { facePath, TEST_PACK_FILES, packCopy } from '../../helpers/fixtures.js';
import { noisy, rgbaFrameOf, type RgbaFrame } from '../../helpers/camera-frames.js';
import { wireIpc, type WiredIpc } from '../../../main/ipc/wire.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { APP_ORIGIN } from '../../../main/security.js';
import { ADMIN_SESSION_MS } from '../../../main/admin/admin-session.js';
import { ENROLL_TIMEOUT_MS } from '../../../main/kiosk/enroll-flow.js';
import type { EnrollStatus } from '../../../preload/contract/index.js';
import { within } from '../../helpers/deadline.js';

const UI_ID = 1;
const CAPTURE_ID = 2;
const ui: Sender = { contentsId: UI_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };
const capture: Sender = { contentsId: CAPTURE_ID, url: `${APP_ORIGIN}/capture.html`, isTopFrame: true };
const PIN = '582046';

describe('enrollment is owned by the admin session (issue 9, way in #2)', () => {
  let node: NodeServices;
  let ipc: WiredIpc;
  let stranger: RgbaFrame;
  let clock = Date.now();
  let nextId = 1;
  /** The fake admin-session timer: what it would run, and when. */
  let timers: { at: number; fn: () => void }[] = [];
  let personId = '';

  before(async () => {
    node = await createNodeServices({
      services: {
        now: () => clock,
        adminSession: {
          now: () => clock,
          setTimer: (fn, ms) => {
            const timer = { at: clock + ms, fn };
            timers.push(timer);
            return () => void (timers = timers.filter((t) => t !== timer));
          },
        },
      },
    });
    await node.services.packs.import(packCopy(TEST_PACK_FILES), { name: 'test-pack' });
    await node.services.engine.start();
    ipc = wireIpc(
      node.services,
      [APP_ORIGIN],
      () => UI_ID,
      () => CAPTURE_ID,
    );
    assert.equal((await ipc.gate.handle('setAdminPin', ui, { pin: PIN })).ok, true);
    const added = await ipc.gate.handle('addPerson', ui, { name: 'Barack Obama' });
    assert.ok(added.ok);
    personId = (added.value as { id: string }).id;
    assert.equal((await ipc.gate.handle('adminLogout', ui, undefined)).ok, true);
    // Joe Biden is not enrolled: he is the stranger who walks up after the admin left.
    stranger = await rgbaFrameOf(facePath('photos/face_recognition/knn_examples/train/biden/biden2.jpg'));
  });
  after(() => node.services.close());
  beforeEach(() => {
    timers = [];
  });

  function advance(ms: number): void {
    clock += ms;
    for (const t of timers.filter((t) => t.at <= clock)) t.fn();
  }

  const templates = () =>
    node.services.store!.getPerson(personId, node.services.engine.current!.engine.recognizerId!).templates
      .length;

  async function startEnrolling(): Promise<void> {
    assert.equal((await ipc.gate.handle('adminLogin', ui, { pin: PIN })).ok, true);
    const started = await ipc.gate.handle('startEnrollment', ui, { id: personId, target: 5, pin: PIN });
    assert.ok(started.ok, JSON.stringify(started));
    assert.equal((started.value as EnrollStatus).personId, personId);
  }

  /** The stranger stands at the door for `frames` frames, seen by every camera path there is. */
  async function strangerAtTheDoor(frames: number): Promise<void> {
    for (let n = 0; n < frames; n++) {
      advance(150);
      for (const sender of [ui, capture]) {
        const frame = noisy(stranger, nextId);
        const message = { id: nextId++, width: frame.width, height: frame.height, data: frame.rgba };
        await within(
          `the answer to frame ${message.id}`,
          new Promise<unknown>((resolve) => {
            if (ipc.frames.submit(sender, message, resolve)) resolve(null);
          }),
        );
      }
    }
    await node.services.engine.current!.settled();
  }

  const cases: [string, () => Promise<void> | void][] = [
    [
      'the admin screen closes: logout first, then the enroll panel asks to stop',
      async () => {
        await ipc.gate.handle('adminLogout', ui, undefined);
        await ipc.gate.handle('stopEnrollment', ui, undefined);
      },
    ],
    ['the admin walks away and the session expires', () => advance(ADMIN_SESSION_MS + 1000)],
    ['the UI renderer reloads', () => node.services.adminSession.end('reloaded', UI_ID)],
    ['the UI renderer crashes', () => node.services.adminSession.end('renderer-gone', UI_ID)],
  ];
  for (const [name, leave] of cases) {
    test(`${name}: enrollment stops and the stranger is not enrolled`, async () => {
      const before = templates();
      await startEnrolling();
      await leave();
      assert.equal(node.services.adminSession.isActive(UI_ID), false);
      await strangerAtTheDoor(8);
      assert.equal(templates(), before, 'the stranger was enrolled as the person');
      assert.equal(node.services.engine.current!.enrollStatus().personId, null, 'enrollment still runs');
    });
  }

  test('reading the admin state never extends the session', async () => {
    await startEnrolling();
    for (let i = 0; i < 20; i++) {
      advance(ADMIN_SESSION_MS / 20);
      await ipc.gate.handle('getAdminState', ui, undefined);
    }
    assert.equal(node.services.adminSession.isActive(UI_ID), false, 'the session outlived its lifetime');
    assert.equal(node.services.engine.current!.enrollStatus().personId, null);
  });

  test('an enrollment left running stops by itself after its timeout, session or not', async () => {
    const before = templates();
    await startEnrolling();
    advance(ENROLL_TIMEOUT_MS + 1000);
    assert.equal(node.services.adminSession.isActive(UI_ID), true, 'the session is still live');
    await strangerAtTheDoor(4);
    assert.equal(templates(), before);
    assert.equal(node.services.engine.current!.enrollStatus().personId, null);
    await ipc.gate.handle('adminLogout', ui, undefined);
  });

  test('control: with a live session, the person in front of the camera is enrolled', async () => {
    const before = templates();
    await startEnrolling();
    await strangerAtTheDoor(12);
    assert.ok(templates() > before, 'enrollment took no frame at all: the tests above prove nothing');
    await ipc.gate.handle('stopEnrollment', ui, undefined);
    await ipc.gate.handle('adminLogout', ui, undefined);
  });
});
