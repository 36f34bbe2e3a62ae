// "Admin only" lives in the contract and the gate enforces it: this walks every
// channel the preload exposes. Each admin channel is refused without a session,
// after the session's absolute lifetime (which no call extends), and after a
// renderer reload.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IpcGate, type HandlerTable, type Sender } from '../../../main/ipc/gate.js';
import { ADMIN_SESSION_MS } from '../../../main/admin/admin-session.js';
import { APP_ORIGIN } from '../../../main/security.js';
import { CHANNEL_NAMES, channels, type ChannelName } from '../../../preload/contract/index.js';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';
import { pinAgainOf } from '../../../main/ipc/handlers/common.js';

const APP_ID = 3;
const app: Sender = { contentsId: APP_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };

/**
 * The channels anyone at the door may call. A new public channel has to be added
 * here on purpose, where a reviewer sees it.
 */
const PUBLIC_CHANNELS = [
  'getAppInfo',
  'ping',
  // Needs the admin PIN itself.
  'exitKiosk',
  'getSettings',
  'getEngineStatus',
  'getAdminState',
  // First PIN only while nobody is enrolled; otherwise the current PIN and a session (handler).
  'setAdminPin',
  'adminLogin',
  'adminLogout',
  // 1:1 mode: the person at the door types their code.
  'claimIdentity',
  // The door screen's Call button (one ring per 10 s) and its camera's state (audited once per change).
  'callReception',
  'reportCamera',
].sort();

/** A payload each public channel's schema accepts (the others take none). */
const PUBLIC_PAYLOADS: Partial<Record<string, unknown>> = {
  ping: { message: 'door' },
  exitKiosk: { pin: '000000' },
  setAdminPin: { pin: '135790' },
  adminLogin: { pin: '000000' },
  claimIdentity: { pin: '000000' },
  reportCamera: { state: 'live' },
};

const adminChannels = CHANNEL_NAMES.filter((name) => channels[name].access === 'admin');

const PIN = '275319';
const GROUP = '0b7e1f40-5c1a-4c8e-9d0e-3f2a1b6c7d8e';
/**
 * The changes that decide who gets in and ask for the admin PIN again on every call, even inside
 * a live session (issue 17), each with a payload its schema accepts. A new one is added here on
 * purpose. (Settings and packs ask per change, in their handlers: sensitive-settings.test.ts.)
 */
const PIN_AGAIN_PAYLOADS: Record<string, Record<string, unknown>> = {
  startEnrollment: { id: 'p1', target: 5 },
  importPhotos: { id: 'p1' },
  joinFleet: { databaseUrl: 'postgres://door@db.example/fleet', token: 'token', door: 'Front' },
  saveFleetGroup: { id: null, name: 'Always', doors: ['*'], timeZone: 'UTC', windows: [] },
  removeFleetGroup: { id: GROUP },
  setFleetGroupMembers: { id: GROUP, personIds: [] },
  // Drives the lock once: whoever stands at the door goes in.
  testDoor: {},
};

describe('admin-only channels, declared in the contract and enforced by the gate', () => {
  let node: NodeServices;
  let now = 0;
  let reached: ChannelName[] = [];
  let lastArg: unknown = null;
  let gate: IpcGate;

  before(async () => {
    node = await createNodeServices({
      // A fake clock, and timers that never fire: expiry is found when the session is asked.
      services: { adminSession: { now: () => now, setTimer: () => () => {} } },
    });
    // A spy in place of each handler: the gate alone must decide. An audited channel's spy reports
    // that it did nothing worth a line.
    const spies = Object.fromEntries(
      CHANNEL_NAMES.map((name) => [
        name,
        (arg: unknown) => {
          reached.push(name);
          lastArg = arg;
          return channels[name].audit === null ? undefined : { value: undefined, audit: null };
        },
      ]),
    ) as unknown as HandlerTable;
    gate = new IpcGate(spies, {
      allowedOrigins: [APP_ORIGIN],
      appContentsId: () => APP_ID,
      admin: node.services.adminSession,
      auditAdmin: node.services.adminAudit.record,
      pinAgain: pinAgainOf({ pin: node.services.pin, auditAdmin: node.services.adminAudit.record }),
    });
    await node.services.pin.setPin(PIN);
  });
  after(() => node.services.close());
  beforeEach(() => {
    reached = [];
    node.services.adminSession.end('logout', APP_ID);
  });

  const call = (name: string) => gate.handle(name, app, undefined);
  const refusedEverywhere = async (when: string) => {
    for (const name of adminChannels) {
      const outcome = await call(name);
      assert.equal(!outcome.ok && outcome.code, 'ADMIN_REQUIRED', `${name} ${when}`);
    }
    assert.deepEqual(reached, [], `no handler ran ${when}`);
  };

  test('every channel declares its access, and exactly these are public', () => {
    for (const name of CHANNEL_NAMES) {
      assert.ok(['public', 'admin'].includes(channels[name].access), name);
    }
    assert.deepEqual(CHANNEL_NAMES.filter((n) => channels[n].access === 'public').sort(), PUBLIC_CHANNELS);
    assert.ok(adminChannels.length >= 20, `only ${adminChannels.length} admin channels`);
  });

  test('public channels reach their handler without a session', async () => {
    for (const name of PUBLIC_CHANNELS) {
      const outcome = await gate.handle(name, app, PUBLIC_PAYLOADS[name]);
      assert.equal(outcome.ok, true, `${name}: ${!outcome.ok ? outcome.message : ''}`);
    }
    assert.deepEqual(reached, PUBLIC_CHANNELS, 'each public channel ran its handler, once');
  });

  test('each admin channel is refused without a session', () => refusedEverywhere('without a session'));

  test('a live session alone is not a master key: each change that decides who gets in needs the PIN again', async () => {
    const marked = CHANNEL_NAMES.filter((name) => channels[name].confirm === 'pin-again');
    assert.deepEqual(marked.sort(), Object.keys(PIN_AGAIN_PAYLOADS).sort());
    node.services.adminSession.begin(APP_ID);
    for (const [name, payload] of Object.entries(PIN_AGAIN_PAYLOADS)) {
      const bare = await gate.handle(name, app, payload);
      assert.equal(!bare.ok && bare.code, 'PIN_REQUIRED', `${name} without the PIN`);
      const wrong = await gate.handle(name, app, { ...payload, pin: '000000' });
      assert.equal(!wrong.ok && wrong.code, 'WRONG_PIN', `${name} with a wrong PIN`);
      assert.deepEqual(reached, [], `${name}: no handler ran`);
      const right = await gate.handle(name, app, { ...payload, pin: PIN });
      assert.equal(right.ok, true, `${name}: ${!right.ok ? right.message : ''}`);
      assert.deepEqual(reached, [name], `${name} ran its handler with the PIN`);
      assert.deepEqual(lastArg, payload, `${name}: the handler got the request, never the PIN`);
      reached = [];
    }
  });

  test('each admin channel passes the gate with a live session', async () => {
    node.services.adminSession.begin(APP_ID);
    for (const name of adminChannels) {
      reached = [];
      const outcome = await call(name);
      // An empty payload may still be refused as INVALID_PAYLOAD: past the admin check is what
      // counts. Otherwise the call went through to the handler.
      if (!outcome.ok) assert.equal(outcome.code, 'INVALID_PAYLOAD', `${name}: ${outcome.message}`);
      else assert.deepEqual(reached, [name], `${name} ran its handler`);
    }
  });

  test("another window never uses this window's session", async () => {
    node.services.adminSession.begin(APP_ID + 1);
    await refusedEverywhere('with a session held by another window');
    node.services.adminSession.end('logout', APP_ID + 1);
  });

  test('no call extends the session: each admin channel is refused after its 10-minute lifetime', async () => {
    node.services.adminSession.begin(APP_ID);
    const login = now;
    // A read and an action every minute, right up to the end.
    for (let t = 60_000; t < ADMIN_SESSION_MS; t += 60_000) {
      now = login + t;
      assert.equal((await call('listPeople')).ok, true, `read at ${t} ms`);
      assert.equal((await call('stopEnrollment')).ok, true, `action at ${t} ms`);
    }
    now = login + ADMIN_SESSION_MS - 1;
    assert.equal((await call('listPeople')).ok, true);
    now = login + ADMIN_SESSION_MS;
    reached = [];
    await refusedEverywhere('after the absolute lifetime');
  });

  test('each admin channel is refused after a renderer reload', async () => {
    node.services.adminSession.begin(APP_ID);
    assert.equal((await call('listPeople')).ok, true);
    reached = [];
    node.services.adminSession.end('reloaded', APP_ID);
    await refusedEverywhere('after a reload');
  });
});
