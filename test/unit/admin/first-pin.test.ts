// Way in #3 (issue 9): a missing admin-pin.json used to count as first launch
// even when people were enrolled, so the first person at the touchscreen chose
// the admin PIN. Over IPC, a PIN without the old one may be set only while the
// store holds nobody and the audit log is empty; otherwise only on the PC.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { wireIpc } from '../../../main/ipc/wire.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { APP_ORIGIN } from '../../../main/security.js';
import type { AdminState } from '../../../preload/contract/admin.js';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';

const APP_ID = 5;
const app: Sender = { contentsId: APP_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };

describe('the first admin PIN', () => {
  let node: NodeServices | null = null;
  afterEach(() => node?.services.close());

  async function kiosk() {
    node = await createNodeServices();
    const { gate } = wireIpc(node.services, [APP_ORIGIN], () => APP_ID);
    return {
      services: node.services,
      call: (channel: string, arg?: unknown) => gate.handle(channel, app, arg),
    };
  }

  test('on a fresh kiosk, the person at the screen sets it and is admin', async () => {
    const { services, call } = await kiosk();
    const state = await call('getAdminState');
    assert.deepEqual(state.ok && state.value, {
      pinSet: false,
      unlocked: false,
      firstPin: true,
      pinMinDigits: 6,
    });
    const set = await call('setAdminPin', { pin: '135790' });
    assert.equal(set.ok, true, !set.ok ? set.message : '');
    assert.equal(services.pin.isSet(), true);
    assert.equal(services.adminSession.isActive(APP_ID), true);
  });

  test('with people enrolled and the PIN file lost, nobody at the screen can set it', async () => {
    const { services, call } = await kiosk();
    await services.store!.addPerson('Aiko');
    const state = await call('getAdminState');
    assert.equal(state.ok && (state.value as AdminState).firstPin, false);
    const set = await call('setAdminPin', { pin: '135790' });
    assert.equal(!set.ok && set.code, 'ADMIN_PIN_ON_PC', 'a stranger set the admin PIN');
    assert.match(!set.ok ? set.message : '', /tobira admin set-pin/);
    assert.equal(services.pin.isSet(), false);
    assert.equal(services.adminSession.isActive(APP_ID), false);
    // And the way on from there, admin channels, stays shut.
    const people = await call('listPeople');
    assert.equal(!people.ok && people.code, 'ADMIN_REQUIRED');
  });

  test('with the store emptied but a history in the audit log, neither', async () => {
    const { services, call } = await kiosk();
    await services.audit.append({
      mode: 'identify',
      outcome: 'rejected',
      reason: 'unknown_face',
      personId: null,
      personName: null,
      score: 0.12,
      threshold: 0.4,
      recognizerId: null,
      gates: [],
      liveness: null,
      door: null,
    });
    const set = await call('setAdminPin', { pin: '135790' });
    assert.equal(!set.ok && set.code, 'ADMIN_PIN_ON_PC');
    assert.equal(services.pin.isSet(), false);
  });

  test('on a folder joined to a fleet (its local store and log empty), nobody at the screen can set it', async () => {
    // `tobira fleet join` on a fresh folder: the people live in the fleet's replica, so the
    // kiosk's own store and log are empty, and the first person to touch the screen took the PIN.
    const { services, call } = await kiosk();
    mkdirSync(path.join(node!.dataDir, 'fleet'));
    writeFileSync(path.join(node!.dataDir, 'fleet', 'door.json'), '{}');
    const state = await call('getAdminState');
    assert.equal(state.ok && (state.value as AdminState).firstPin, false);
    const set = await call('setAdminPin', { pin: '135790' });
    assert.equal(!set.ok && set.code, 'ADMIN_PIN_ON_PC', 'a stranger set the admin PIN of a fleet door');
    assert.equal(services.pin.isSet(), false);
    assert.equal(services.adminSession.isActive(APP_ID), false);
  });

  test('changing a set PIN needs a session and the current PIN', async () => {
    const { services, call } = await kiosk();
    assert.equal((await call('setAdminPin', { pin: '135790' })).ok, true);
    services.adminSession.end('logout', APP_ID);
    const anonymous = await call('setAdminPin', { pin: '246802' });
    assert.equal(!anonymous.ok && anonymous.code, 'ADMIN_REQUIRED');
    assert.equal((await call('adminLogin', { pin: '135790' })).ok, true);
    const withoutCurrent = await call('setAdminPin', { pin: '246802' });
    assert.equal(!withoutCurrent.ok && withoutCurrent.code, 'WRONG_PIN');
    const changed = await call('setAdminPin', { pin: '246802', currentPin: '135790' });
    assert.equal(changed.ok, true);
    assert.equal((await services.pin.verify('246802')).ok, true);
    // Guessing the current PIN through the change form meets the same lockout as the login.
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const guess = await call('setAdminPin', { pin: '999999', currentPin: `00000${i}` });
      codes.push(!guess.ok ? guess.code : 'OK');
    }
    assert.deepEqual(codes, ['WRONG_PIN', 'WRONG_PIN', 'WRONG_PIN', 'WRONG_PIN', 'LOCKED_OUT']);
  });

  test('a new PIN has 6 digits, or 4 only with the setting that calls it weaker', async () => {
    const { services, call } = await kiosk();
    const cases: [string, string][] = [
      ['1234', 'PIN_TOO_SHORT'],
      ['12345', 'PIN_TOO_SHORT'],
      ['12a456', 'PIN_NOT_DIGITS'],
      ['1234567890123', 'PIN_TOO_LONG'],
    ];
    for (const [given, code] of cases) {
      const outcome = await call('setAdminPin', { pin: given });
      assert.equal(!outcome.ok && outcome.code, code, given);
      // A sentence for the screen, never the gate's `setAdminPin: pin: …`.
      assert.doesNotMatch(!outcome.ok ? outcome.message : '', /setAdminPin|^pin:/);
    }
    assert.equal(services.pin.isSet(), false);
    services.settings.update({ adminPin: { allowWeakFourDigits: true } });
    const state = await call('getAdminState');
    assert.equal(state.ok && (state.value as AdminState).pinMinDigits, 4);
    assert.equal((await call('setAdminPin', { pin: '1234' })).ok, true);
  });
});
