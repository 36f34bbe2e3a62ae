// The attack: an admin session (or a compromised renderer holding one) sets the
// command door's program and arguments over IPC and runs any program as the
// kiosk user. The door program must come from doors.json on the PC only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { wireIpc, type WiredIpc } from '../../../main/ipc/wire.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { APP_ORIGIN } from '../../../main/security.js';
import { main } from '../../../main/cli/tobira.js';
import type { DoorProgramList } from '../../../preload/contract/settings.js';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';

const APP_ID = 3;
const app: Sender = { contentsId: APP_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };

describe('command door over IPC', () => {
  let node: NodeServices;
  let ipc: WiredIpc;

  before(async () => {
    node = await createNodeServices();
    ipc = wireIpc(node.services, [APP_ORIGIN], () => APP_ID);
    const set = await ipc.gate.handle('setAdminPin', app, { pin: '482913', confirm: '482913' });
    if (!set.ok) {
      // Before the PIN confirmation field existed, the channel took the PIN alone.
      const legacy = await ipc.gate.handle('setAdminPin', app, { pin: '482913' });
      assert.equal(legacy.ok, true, !legacy.ok ? legacy.message : '');
    }
  });
  after(() => node.services.close());

  test('an admin cannot make the door run a program named over IPC', async () => {
    const marker = path.join(node.dataDir, 'pwned');
    const script = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`;
    const saved = await ipc.gate.handle('updateSettings', app, {
      pin: '482913',
      door: {
        kind: 'command',
        holdMs: 1000,
        program: process.execPath,
        args: ['-e', script],
        timeoutMs: 5000,
      },
    });
    assert.equal(saved.ok, false, 'a program and args are not door settings');
    await ipc.gate.handle('testDoor', app, { pin: '482913' });
    assert.equal(existsSync(marker), false, 'the program named over IPC ran');
    assert.notEqual(node.services.settings.get().door.kind, 'command');
  });

  const http = {
    kind: 'http',
    holdMs: 1000,
    method: 'POST',
    url: 'https://relay.example/open',
    insecureNetwork: false,
    headers: {},
    hmacKey: 'a-signing-key-0123456',
    pinSha256: [],
    caPem: null,
    timeoutMs: 1000,
    retries: 0,
    backoffMs: 0,
  };
  const badDoors: [string, unknown][] = [
    ['a program next to the id', { kind: 'command', holdMs: 1000, doorId: 'relay', program: '/bin/sh' }],
    ['args next to the id', { kind: 'command', holdMs: 1000, doorId: 'relay', args: ['-c', 'id'] }],
    ['an id with a path', { kind: 'command', holdMs: 1000, doorId: '../../bin/sh' }],
    ['plain http without the insecure switch', { ...http, url: 'http://relay.example/open' }],
    ['a file: URL', { ...http, url: 'file:///etc/passwd' }],
    ['a short HMAC key', { ...http, hmacKey: 'short' }],
    ['a pin that is not a SHA-256', { ...http, pinSha256: ['sha1/abc'] }],
  ];
  for (const [name, door] of badDoors) {
    test(`updateSettings refuses ${name}`, async () => {
      const before = JSON.stringify(node.services.settings.get().door);
      const outcome = await ipc.gate.handle('updateSettings', app, { door, pin: '482913' });
      assert.equal(outcome.ok, false);
      assert.equal(!outcome.ok && outcome.code, 'INVALID_PAYLOAD');
      assert.equal(JSON.stringify(node.services.settings.get().door), before, 'nothing was saved');
    });
  }

  test('the screen lists the programs of doors.json and runs the one it chose by id', async () => {
    const out = path.join(node.dataDir, 'relay-args.json');
    const dump = 'require("fs").writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))';
    const code = await main(
      [
        'door',
        'add',
        '--data-dir',
        node.dataDir,
        'relay',
        '--program',
        process.execPath,
        '--label',
        'USB relay',
        '--',
        '-e',
        dump,
        out,
        '{{event}}',
      ],
      { out: () => undefined, err: () => undefined },
    );
    assert.equal(code, 0);
    const listed = await ipc.gate.handle('listDoorPrograms', app, undefined);
    assert.ok(listed.ok);
    const list = listed.value as DoorProgramList;
    assert.deepEqual(
      list.programs.map((p) => [p.id, p.label]),
      [['relay', 'USB relay']],
    );
    assert.equal(list.problem, null);
    const saved = await ipc.gate.handle('updateSettings', app, {
      pin: '482913',
      door: { kind: 'command', holdMs: 1000, doorId: 'relay' },
    });
    assert.equal(saved.ok, true, !saved.ok ? saved.message : '');
    const tested = await ipc.gate.handle('testDoor', app, { pin: '482913' });
    assert.equal(tested.ok && (tested.value as { ok: boolean }).ok, true);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), ['test']);
  });

  test('a bad doors.json is reported to the screen, and the door does not run', async () => {
    writeFileSync(path.join(node.dataDir, 'doors.json'), '{"version":1,"doors":[{"id":"relay"}]}', {
      mode: 0o600,
    });
    const listed = await ipc.gate.handle('listDoorPrograms', app, undefined);
    assert.ok(listed.ok);
    const list = listed.value as DoorProgramList;
    assert.deepEqual(list.programs, []);
    assert.match(list.problem ?? '', /doors\.json is invalid: doors\.0\.program/);
    const tested = await ipc.gate.handle('testDoor', app, { pin: '482913' });
    assert.equal(tested.ok && (tested.value as { ok: boolean }).ok, false);
  });
});
