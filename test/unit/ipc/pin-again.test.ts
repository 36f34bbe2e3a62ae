// Issue 17, "a live session is not a master key": a compromised renderer riding a live admin
// session starts an enrollment (camera or photos) without the PIN. Through the gate and the real
// handlers, with the test pack and real photos: each is refused without the PIN typed again, and
// with a wrong one (counted by the lockout, audited), and nothing changed; with the PIN it works.
// The fleet's join and group edits are the same walk against real PostgreSQL
// (test/integration/kiosk/kiosk-fleet.test.ts); the settings that decide who gets in are
// test/unit/admin/sensitive-settings.test.ts.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { wireIpc, type WiredIpc } from '../../../main/ipc/wire.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { APP_ORIGIN } from '../../../main/security.js';
import type { AdminRecord } from '../../../main/audit/types.js';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';
import { facePath, TEST_PACK_FILES, packCopy } from '../../helpers/fixtures.js';

const APP_ID = 5;
const app: Sender = { contentsId: APP_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };
const PIN = '864213';
const WRONG = '000000';

describe('starting an enrollment asks for the PIN again (issue 17)', () => {
  let node: NodeServices;
  let ipc: WiredIpc;
  let personId = '';
  const call = (channel: string, arg?: unknown) => ipc.gate.handle(channel, app, arg);
  const templates = () => node.services.store!.listPeople().find((p) => p.id === personId)?.templates ?? -1;
  const wrongPinLines = async () =>
    (await node.services.audit.readEntries({ limit: 1000 })).records.filter(
      (r): r is AdminRecord => r.kind === 'admin' && r.action === 'wrong_pin',
    ).length;

  before(async () => {
    node = await createNodeServices();
    await node.services.packs.import(packCopy(TEST_PACK_FILES), { name: 'test-pack' });
    await node.services.engine.start();
    ipc = wireIpc(node.services, [APP_ORIGIN], () => APP_ID);
    assert.equal((await call('setAdminPin', { pin: PIN })).ok, true);
    const added = await call('addPerson', { name: 'Barack Obama' });
    assert.ok(added.ok, !added.ok ? added.message : '');
    personId = (added.value as { id: string }).id;
  });
  after(() => node.services.close());
  beforeEach(async () => {
    node.services.engine.current!.stopEnrollment();
    assert.equal((await call('adminLogin', { pin: PIN })).ok, true);
  });

  const actions: [string, string, () => unknown, () => unknown][] = [
    [
      'camera enrollment',
      'startEnrollment',
      () => ({ id: personId, target: 3 }),
      () => node.services.engine.current!.enrollStatus().personId,
    ],
    [
      'photo import',
      'importPhotos',
      () => {
        node.picks.push([facePath('photos/face_recognition/obama.jpg')]);
        return { id: personId };
      },
      templates,
    ],
  ];

  for (const [what, channel, payloadOf, read] of actions) {
    test(`${what}: refused with a live session alone and with a wrong PIN; nothing changed`, async () => {
      const before = read();
      const bare = await call(channel, payloadOf());
      assert.equal(!bare.ok && bare.code, 'PIN_REQUIRED', `${what} started without the PIN`);
      const wrongBefore = await wrongPinLines();
      const wrong = await call(channel, { ...(payloadOf() as object), pin: WRONG });
      assert.equal(!wrong.ok && wrong.code, 'WRONG_PIN', `${what} started with a wrong PIN`);
      assert.equal(await wrongPinLines(), wrongBefore + 1, 'the wrong PIN is in the audit');
      assert.deepEqual(read(), before, `${what}: nothing changed`);
      // No file dialog was opened for a refused import: the picks queued are still there.
      node.picks.length = 0;
    });

    test(`${what}: goes ahead with the PIN typed again`, async () => {
      const before = read();
      const right = await call(channel, { ...(payloadOf() as object), pin: PIN });
      assert.equal(right.ok, true, !right.ok ? `${right.code}: ${right.message}` : '');
      assert.notDeepEqual(read(), before, `${what} changed something`);
    });
  }

  test('a wrong PIN typed again counts towards the same lockout as the login', async () => {
    let last: Awaited<ReturnType<typeof call>> | null = null;
    for (let i = 0; i < 10; i += 1) {
      last = await call('startEnrollment', { id: personId, pin: WRONG });
      if (!last.ok && last.code === 'LOCKED_OUT') break;
    }
    assert.equal(last && !last.ok && last.code, 'LOCKED_OUT', 'wrong PINs typed again lock the PIN out');
    const login = await call('adminLogin', { pin: PIN });
    assert.equal(!login.ok && login.code, 'LOCKED_OUT', 'the login is locked out too');
  });
});
