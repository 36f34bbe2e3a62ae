// Door secrets: redacted towards the renderer, sealed with the store's key on disk,
// kept when sent back redacted. And the data folder is owner-only on every path.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../../main/cli/tobira.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { wireIpc, type WiredIpc } from '../../../main/ipc/wire.js';
import { APP_ORIGIN } from '../../../main/security.js';
import { SECRETS_FILE } from '../../../main/settings/door-secrets.js';
import { DEFAULT_SETTINGS, REDACTED, type Settings } from '../../../preload/contract/settings.js';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';

const APP_ID = 9;
const app: Sender = { contentsId: APP_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };
const PIN = '604317';
const HMAC = 'hmac-key-never-on-disk-42';
const TOKEN = 'bearer-never-on-disk';
const PASSWORD = 'pw-never-on-disk';

const httpDoor = (over: Partial<Extract<Settings['door'], { kind: 'http' }>> = {}): Settings['door'] => ({
  kind: 'http',
  holdMs: 2000,
  method: 'POST',
  url: `https://opener:${PASSWORD}@relay.example/open`,
  insecureNetwork: false,
  headers: { Authorization: `Bearer ${TOKEN}`, 'X-Site': 'front door' },
  hmacKey: HMAC,
  pinSha256: [],
  caPem: null,
  timeoutMs: 3000,
  retries: 1,
  backoffMs: 100,
  ...over,
});

async function unlock(ipc: WiredIpc): Promise<void> {
  const set = await ipc.gate.handle('setAdminPin', app, { pin: PIN, confirm: PIN });
  if (!set.ok) assert.equal((await ipc.gate.handle('setAdminPin', app, { pin: PIN })).ok, true);
}

const mode = (file: string) => statSync(file).mode & 0o777;

describe('door secrets', () => {
  let node: NodeServices;
  let ipc: WiredIpc;
  before(async () => {
    node = await createNodeServices();
    ipc = wireIpc(node.services, [APP_ORIGIN], () => APP_ID);
    await unlock(ipc);
  });
  after(() => node.services.close());

  const settingsOf = async (
    channel: 'getSettings' | 'updateSettings',
    payload?: unknown,
  ): Promise<Settings> => {
    // The door changes only with the admin PIN typed again.
    const sent = channel === 'updateSettings' ? { ...(payload as object), pin: PIN } : payload;
    const outcome = await ipc.gate.handle(channel, app, sent);
    assert.ok(outcome.ok, !outcome.ok ? outcome.message : '');
    return outcome.value as Settings;
  };

  test('a secret sent as REDACTED with nothing stored is refused', async () => {
    const outcome = await ipc.gate.handle('updateSettings', app, {
      door: httpDoor({ hmacKey: REDACTED }),
      pin: PIN,
    });
    assert.equal(outcome.ok, false);
    assert.match(!outcome.ok ? outcome.message : '', /REDACTED, but no such secret is stored/);
  });

  test('the renderer only ever sees REDACTED, and the files hold no secret in the clear', async () => {
    const saved = await settingsOf('updateSettings', { door: httpDoor() });
    const read = await settingsOf('getSettings');
    for (const door of [saved.door, read.door]) {
      assert.equal(door.kind, 'http');
      if (door.kind !== 'http') return;
      assert.equal(door.hmacKey, REDACTED);
      assert.deepEqual(door.headers, { Authorization: REDACTED, 'X-Site': REDACTED });
      assert.equal(door.url, `https://opener:${REDACTED}@relay.example/open`);
    }
    const settingsFile = readFileSync(path.join(node.dataDir, 'settings.json'), 'utf8');
    const sealed = readFileSync(path.join(node.dataDir, SECRETS_FILE));
    for (const secret of [HMAC, TOKEN, PASSWORD]) {
      assert.equal(settingsFile.includes(secret), false, `settings.json holds ${secret}`);
      assert.equal(sealed.includes(secret), false, `${SECRETS_FILE} holds ${secret} unsealed`);
    }
    assert.equal(mode(path.join(node.dataDir, SECRETS_FILE)), 0o600);
    assert.equal(mode(path.join(node.dataDir, 'settings.json')), 0o600);
    // Main itself has the real values for the door.
    const inMain = node.services.settings.get().door;
    assert.ok(inMain.kind === 'http' && inMain.hmacKey === HMAC && inMain.url.includes(PASSWORD));
  });

  test('saving the redacted door back keeps every secret; a typed one replaces it', async () => {
    const redacted = (await settingsOf('getSettings')).door;
    assert.equal(redacted.kind, 'http');
    await settingsOf('updateSettings', { door: { ...redacted, timeoutMs: 4000 } });
    const kept = node.services.settings.get().door;
    assert.ok(kept.kind === 'http');
    assert.deepEqual(
      [kept.timeoutMs, kept.hmacKey, kept.headers.Authorization, kept.url],
      [4000, HMAC, `Bearer ${TOKEN}`, `https://opener:${PASSWORD}@relay.example/open`],
    );
    await settingsOf('updateSettings', { door: { ...redacted, hmacKey: 'a-new-hmac-key-typed-in' } });
    const changed = node.services.settings.get().door;
    assert.ok(changed.kind === 'http' && changed.hmacKey === 'a-new-hmac-key-typed-in');
    assert.equal(changed.headers.Authorization, `Bearer ${TOKEN}`);
  });

  test('a door pointed at another host or scheme takes none of the stored secrets along', async () => {
    // An admin changed the URL while the header, password and HMAC key stayed REDACTED (kept):
    // the other host then received them. Secrets belong to the door's origin.
    const redacted = (await settingsOf('updateSettings', { door: httpDoor() })).door;
    assert.ok(redacted.kind === 'http');
    const before = node.services.settings.get().door;
    const moves: Array<[string, string]> = [
      ['another host', `https://opener:${REDACTED}@elsewhere.example/open`],
      ['another scheme', `http://opener:${REDACTED}@relay.example/open`],
      ['another port', `https://opener:${REDACTED}@relay.example:8443/open`],
    ];
    for (const [name, url] of moves) {
      const outcome = await ipc.gate.handle('updateSettings', app, {
        door: { ...redacted, url, insecureNetwork: true },
        pin: PIN,
      });
      assert.equal(outcome.ok, false, `${name}: the stored secrets went along`);
      assert.match(!outcome.ok ? outcome.message : '', /another address.*type them in again/);
      assert.deepEqual(node.services.settings.get().door, before, `${name}: nothing changed`);
    }
    // Typed in again for the new host, they are saved; the same origin keeps them as before.
    const moved = await settingsOf('updateSettings', {
      door: {
        ...redacted,
        url: 'https://opener:new-pw@elsewhere.example/open',
        headers: { Authorization: 'Bearer new-token', 'X-Site': 'front door' },
        hmacKey: 'new-hmac-for-elsewhere',
      },
    });
    assert.equal(moved.door.kind, 'http');
    await settingsOf('updateSettings', {
      door: { ...moved.door, url: `https://opener:${REDACTED}@elsewhere.example/other-path` },
    });
    const kept = node.services.settings.get().door;
    assert.ok(kept.kind === 'http');
    assert.deepEqual(
      [kept.url, kept.hmacKey, kept.headers.Authorization],
      ['https://opener:new-pw@elsewhere.example/other-path', 'new-hmac-for-elsewhere', 'Bearer new-token'],
    );
    // Back to the first host for the tests that follow, its secrets typed in again.
    await settingsOf('updateSettings', { door: httpDoor() });
  });

  test('the secrets survive a restart (unsealed with the store key)', async () => {
    const again = await createNodeServices({ dataDir: node.dataDir });
    try {
      const door = again.services.settings.get().door;
      assert.ok(door.kind === 'http' && door.headers.Authorization === `Bearer ${TOKEN}`);
    } finally {
      await again.services.close();
    }
  });
});

describe('settings from before sealed secrets', () => {
  test('plain secrets in settings.json move into the sealed file', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tobira-legacy-'));
    writeFileSync(
      path.join(dataDir, 'settings.json'),
      JSON.stringify({ ...DEFAULT_SETTINGS, door: httpDoor() }),
    );
    const node = await createNodeServices({ dataDir });
    try {
      const door = node.services.settings.get().door;
      assert.ok(door.kind === 'http' && door.hmacKey === HMAC);
      const text = readFileSync(path.join(dataDir, 'settings.json'), 'utf8');
      for (const secret of [HMAC, TOKEN, PASSWORD]) assert.equal(text.includes(secret), false, secret);
    } finally {
      await node.services.close();
    }
  });

  test('a command door with its own program becomes "none", the old file is kept and the screen is told', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tobira-legacy-'));
    const legacy = { kind: 'command', holdMs: 1500, program: '/bin/sh', args: ['-c', 'id'], timeoutMs: 5000 };
    const locale = { ...DEFAULT_SETTINGS, locale: 'ja', door: legacy };
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify(locale));
    const node = await createNodeServices({ dataDir });
    try {
      const settings = node.services.settings.get();
      assert.deepEqual(settings.door, { kind: 'none', holdMs: 1500 });
      assert.equal(settings.locale, 'ja', 'the other settings are kept');
      const notice = node.services.settings.notice;
      assert.match(notice?.reason ?? '', /doors\.json/);
      assert.ok(notice && existsSync(notice.backupPath));
      assert.equal(mode(notice.backupPath), 0o600);
    } finally {
      await node.services.close();
    }
  });
});

describe('data folder permissions', () => {
  const loose = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-perm-'));
    const dataDir = path.join(dir, 'data');
    mkdirSync(path.join(dataDir, 'store'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify(DEFAULT_SETTINGS), { mode: 0o644 });
    chmodSync(path.join(dataDir, 'settings.json'), 0o644);
    return { dir, dataDir };
  };
  const check = (dataDir: string) => {
    assert.equal(mode(dataDir), 0o700);
    assert.equal(mode(path.join(dataDir, 'store')), 0o700);
    assert.equal(mode(path.join(dataDir, 'settings.json')), 0o600);
    assert.equal(mode(path.join(dataDir, 'store', 'store.json')), 0o600);
  };

  test('--data-dir: a loose folder is tightened to 0700, its files to 0600', async () => {
    const { dir, dataDir } = loose();
    const node = await createNodeServices({ dataDir: dir, argv: ['--data-dir', dataDir] });
    try {
      await node.services.adminAudit.record('enroll_stop');
      check(dataDir);
      assert.equal(mode(path.join(dataDir, 'audit')), 0o700);
      assert.equal(mode(path.join(dataDir, 'audit', 'audit.jsonl')), 0o600);
    } finally {
      await node.services.close();
    }
  });

  test('TOBIRA_DATA_DIR: the same', async () => {
    const { dir, dataDir } = loose();
    const previous = process.env.TOBIRA_DATA_DIR;
    process.env.TOBIRA_DATA_DIR = dataDir;
    try {
      const node = await createNodeServices({ dataDir: dir });
      assert.equal(node.services.paths.dataDir, dataDir);
      check(dataDir);
      await node.services.close();
    } finally {
      if (previous === undefined) delete process.env.TOBIRA_DATA_DIR;
      else process.env.TOBIRA_DATA_DIR = previous;
    }
  });

  test('a folder the CLI creates with --data-dir is 0700, doors.json 0600', async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tobira-perm-')), 'new-data');
    const io = { out: () => undefined, err: () => undefined };
    const code = await main(
      ['door', 'add', 'relay', '--data-dir', dataDir, '--program', '/usr/bin/true'],
      io,
    );
    assert.equal(code, 0);
    assert.equal(mode(dataDir), 0o700);
    assert.equal(mode(path.join(dataDir, 'doors.json')), 0o600);
  });
});
