// Everything an admin does through the gate lands in the chained audit log, with
// settings changes as a diff that never holds a secret, and the chain verifies.
// The CLI's admin commands write to the same log (actor 'cli').
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHAIN_KEY_PURPOSE } from '../../../main/audit/audit-chain.js';
import type { AdminRecord } from '../../../main/audit/types.js';
import { verifyAuditLog } from '../../../main/audit/verify.js';
import { enrollEvents, type EnrollSeen } from '../../../main/audit/enroll-events.js';
import { main } from '../../../main/cli/tobira.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { wireIpc, type WiredIpc } from '../../../main/ipc/wire.js';
import { APP_ORIGIN } from '../../../main/security.js';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';

const APP_ID = 5;
const app: Sender = { contentsId: APP_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };
const PIN = '582047';
const SECRETS = ['hmac-secret-value-0123', 'bearer-secret-token', 'url-pass-secret'];

/** Sets the first admin PIN, whatever shape setAdminPin takes on this branch. */
async function firstPin(ipc: WiredIpc): Promise<void> {
  const set = await ipc.gate.handle('setAdminPin', app, { pin: PIN, confirm: PIN });
  if (!set.ok) {
    const legacy = await ipc.gate.handle('setAdminPin', app, { pin: PIN });
    assert.equal(legacy.ok, true, !legacy.ok ? legacy.message : '');
  }
}

async function call(ipc: WiredIpc, channel: string, payload: unknown): Promise<unknown> {
  const outcome = await ipc.gate.handle(channel, app, payload);
  assert.equal(outcome.ok, true, `${channel}: ${!outcome.ok ? outcome.message : ''}`);
  return outcome.ok ? outcome.value : null;
}

describe('admin actions are audited', () => {
  let node: NodeServices;
  let ipc: WiredIpc;
  before(async () => {
    node = await createNodeServices();
    ipc = wireIpc(node.services, [APP_ORIGIN], () => APP_ID);
  });
  after(() => node.services.close());

  const adminEvents = async (): Promise<AdminRecord[]> =>
    (await node.services.audit.readEntries({ limit: 1000 })).records
      .filter((r): r is AdminRecord => r.kind === 'admin')
      .reverse();

  test('login, wrong PIN, settings, people, door test, exit and lockout, chained', async () => {
    await firstPin(ipc);
    await call(ipc, 'adminLogout', undefined);
    const wrong = await ipc.gate.handle('adminLogin', app, { pin: '000000' });
    assert.equal(!wrong.ok && wrong.code, 'WRONG_PIN');
    await call(ipc, 'adminLogin', { pin: PIN });
    await call(ipc, 'updateSettings', {
      recognition: { ...node.services.settings.get().recognition, framesToAgree: 4 },
      pin: PIN,
    });
    // The door is changed only with the PIN typed again (main/admin/sensitive-settings.ts).
    await call(ipc, 'updateSettings', {
      pin: PIN,
      door: {
        kind: 'http',
        holdMs: 2000,
        method: 'POST',
        url: `https://opener:${SECRETS[2]}@127.0.0.1:9/open`,
        insecureNetwork: false,
        headers: { Authorization: `Bearer ${SECRETS[1]}` },
        hmacKey: SECRETS[0],
        pinSha256: [],
        caPem: null,
        timeoutMs: 500,
        retries: 0,
        backoffMs: 0,
      },
    });
    const person = (await call(ipc, 'addPerson', { name: 'Aiko' })) as { id: string };
    await call(ipc, 'renamePerson', { id: person.id, name: 'Aiko T.' });
    await call(ipc, 'deletePerson', { id: person.id });
    await call(ipc, 'testDoor', { pin: PIN });
    await call(ipc, 'exitKiosk', { pin: PIN });
    // Wrong PINs until the lockout starts (3 free tries by default).
    let locked = false;
    for (let i = 0; i < 6 && !locked; i++) {
      const outcome = await ipc.gate.handle('exitKiosk', app, { pin: '111111' });
      locked = !outcome.ok && outcome.code === 'LOCKED_OUT';
    }
    assert.ok(locked, 'the lockout began');

    const events = await adminEvents();
    const actions = events.map((e) => e.action);
    for (const expected of [
      'pin_change',
      'admin_logout',
      'wrong_pin',
      'admin_login',
      'settings_change',
      'person_add',
      'person_rename',
      'person_delete',
      'door_test',
      'exit_kiosk',
      'lockout',
    ] as const) {
      assert.ok(actions.includes(expected), `${expected} is logged (got ${actions.join(', ')})`);
    }
    assert.deepEqual(
      actions.slice(0, 4),
      ['pin_change', 'admin_logout', 'wrong_pin', 'admin_login'],
      'in the order they happened',
    );
    for (const e of events) assert.match(e.id, /^[0-9a-f-]{36}$/, 'each event has a UUID id');
    assert.deepEqual(events.find((e) => e.action === 'wrong_pin')?.ok, false);

    const [recognition, door] = events.filter((e) => e.action === 'settings_change');
    assert.deepEqual(recognition?.detail, { 'recognition.framesToAgree': { from: 3, to: 4 } });
    assert.equal(
      door?.detail['door.kind'] && JSON.stringify(door.detail['door.kind']),
      '{"from":"none","to":"http"}',
    );
    assert.equal(door?.detail['door.secrets'], 'changed');
    assert.equal(events.find((e) => e.action === 'door_test')?.ok, false, 'nothing listens on port 9');
    assert.deepEqual(events.find((e) => e.action === 'person_rename')?.detail, {
      personId: person.id,
      from: 'Aiko',
      name: 'Aiko T.',
    });

    // No secret and no PIN anywhere in the log files.
    const auditDir = node.services.paths.auditDir;
    const text = readdirSync(auditDir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(path.join(auditDir, f), 'utf8'))
      .join('');
    for (const secret of [...SECRETS, PIN, '111111']) assert.equal(text.includes(secret), false, secret);

    const key = node.services.store!.deriveKey(CHAIN_KEY_PURPOSE);
    const report = await verifyAuditLog(auditDir, key);
    assert.equal(report.ok, true, JSON.stringify(report.firstBad));
    assert.equal(report.macsChecked, true);
  });

  test('the CLI’s people remove goes into the same chained log, as actor cli', async () => {
    const store = node.services.store!;
    const bo = await store.addPerson('Bo');
    const io = { out: () => undefined, err: () => undefined };
    const code = await main(['people', 'remove', '--data-dir', node.dataDir, bo.id], io);
    assert.equal(code, 0);
    const last = (await adminEvents()).at(-1);
    assert.deepEqual([last?.action, last?.actor, last?.detail.name], ['person_delete', 'cli', 'Bo']);
    // The running app logs again after the CLI did: it chains onto the CLI's line.
    await node.services.adminAudit.record('enroll_stop');
    const actions = (await adminEvents()).slice(-2).map((e) => `${e.action}/${e.actor}`);
    assert.deepEqual(actions, ['person_delete/cli', 'enroll_stop/screen']);
    let out = '';
    const verified = await main(['audit', 'verify', '--data-dir', node.dataDir], {
      out: (t) => (out += t),
      err: () => undefined,
    });
    assert.equal(verified, 0, out);
  });
});

describe('camera enrollment in the audit log', () => {
  const status = (personId: string | null, accepted: number, done = false) => ({
    personId,
    accepted,
    target: 3,
    lastRefusal: null,
    hint: null,
    done,
  });

  test('each sample taken is a template added, the end of the run an enrollment; repeats add nothing', () => {
    const run = [
      status('p1', 0),
      status('p1', 1),
      status('p1', 1),
      status('p1', 2),
      status('p1', 3, true),
      status('p1', 3, true),
    ];
    let seen: EnrollSeen | null = null;
    const actions: string[] = [];
    for (const s of run) {
      const out = enrollEvents(seen, s);
      seen = out.seen;
      actions.push(...out.events.map((e) => `${e.action}:${String(e.detail.accepted)}`));
    }
    assert.deepEqual(actions, ['template_add:1', 'template_add:2', 'template_add:3', 'enroll:3']);
  });

  test('a new person starts counting again; an idle status logs nothing', () => {
    const first = enrollEvents(null, status('p1', 2, true)).seen;
    assert.deepEqual(
      enrollEvents(first, status('p2', 1)).events.map((e) => e.action),
      ['template_add'],
    );
    assert.deepEqual(enrollEvents(first, status(null, 0)).events, []);
  });
});
