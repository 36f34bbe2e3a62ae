// Admin auditing is declared in the contract, like "admin only": each channel that is an admin
// action names its AdminAction there (preload/contract/define.ts), and the gate writes the line
// from what the use case reports. This walks every such channel through the real gate and
// services (a pack served on 127.0.0.1, real models, a real photo) and reads back its line.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AdminRecord } from '../../../main/audit/types.js';
import type { Sender } from '../../../main/ipc/gate.js';
import { wireIpc, type WiredIpc } from '../../../main/ipc/wire.js';
import { APP_ORIGIN } from '../../../main/security.js';
import { CHANNEL_NAMES, channels, type ChannelName } from '../../../preload/contract/index.js';
import { facePath, packCopy, TEST_PACK_FILES } from '../../helpers/fixtures.js';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';
import * as packServer from '../../helpers/pack-server.js';

const APP_ID = 7;
const app: Sender = { contentsId: APP_ID, url: `${APP_ORIGIN}/index.html`, isTopFrame: true };
const PIN = '582047';

/**
 * Channels that change nothing worth an admin line: reads, and the Fleet panel's writes, which
 * its use case still logs by hand (people/fleet-service.ts, the fleet wing's). A new channel
 * must be declared audited or added here, where a reviewer sees it.
 */
const NOT_AUDITED = [
  'getAppInfo',
  // The door screen's Call button and camera reports write their own lines (door/doorbell.ts).
  'callReception',
  'reportCamera',
  'ping',
  'getSettings',
  'listDoorPrograms',
  'getEngineStatus',
  'getAdminState',
  'listPacks',
  'acknowledgeLicense',
  'cancelDownload',
  'verifyPack',
  'listPeople',
  'testRecognition',
  'claimIdentity',
  'listAudit',
  'exportAudit',
  'getCalibration',
  'getStrangerRate',
  'compare',
  'getFleetStatus',
  'joinFleet',
  // Opening an admin key changes nothing; the changes it signs are logged, and signed in the database.
  'openFleetAdminKey',
  'listFleetGroups',
  'saveFleetGroup',
  'removeFleetGroup',
  'setFleetGroupMembers',
  'listFleetAudit',
].sort();

const audited = CHANNEL_NAMES.filter((name) => channels[name].audit !== null);

describe('admin auditing declared in the contract', () => {
  test('every channel is either declared audited or listed as not audited', () => {
    assert.deepEqual(CHANNEL_NAMES.filter((name) => channels[name].audit === null).sort(), NOT_AUDITED);
    assert.equal(audited.length, 18);
  });
});

describe('each audited channel writes its line, with its real values, through the gate', () => {
  let server: packServer.PackServer;
  let temp: string;
  let node: NodeServices;
  let ipc: WiredIpc;
  const seen = new Set<ChannelName>();

  before(async () => {
    server = await packServer.startPackServer();
    const { files, zip } = await packServer.serveTestPack(server, '/face.zip');
    temp = await mkdtemp(path.join(os.tmpdir(), 'tobira-declared-audit-'));
    const catalogFile = path.join(temp, 'catalog.json');
    const packs = [
      { ...packServer.catalogEntry('face', server.url('/face.zip'), zip, files), default: true },
      packServer.catalogEntry('face2', server.url('/face.zip'), zip, files),
      await packServer.serveLivenessAddon(server),
    ];
    await writeFile(catalogFile, JSON.stringify({ packs }));
    node = await createNodeServices({ argv: [`--catalog=${catalogFile}`] });
    ipc = wireIpc(node.services, [APP_ORIGIN], () => APP_ID);
  });
  after(async () => {
    await node.services.close();
    await server.close();
    await rm(temp, { recursive: true, force: true });
  });

  const adminLines = async (): Promise<AdminRecord[]> =>
    (await node.services.audit.readEntries({ limit: 1000 })).records
      .filter((r): r is AdminRecord => r.kind === 'admin')
      .reverse();

  /** Calls a channel and returns its outcome's value and the admin lines it wrote. */
  async function step(channel: ChannelName, payload: unknown, code: string | null = null) {
    const before = (await adminLines()).length;
    const outcome = await ipc.gate.handle(channel, app, payload);
    if (code === null) assert.equal(outcome.ok, true, `${channel}: ${!outcome.ok ? outcome.message : ''}`);
    else assert.equal(!outcome.ok && outcome.code, code, channel);
    seen.add(channel);
    const lines = (await adminLines()).slice(before);
    return { value: outcome.ok ? outcome.value : null, lines };
  }

  /** The one line a step wrote: its action, whether it worked, and its detail. */
  function only(lines: AdminRecord[]) {
    assert.equal(lines.length, 1, lines.map((l) => l.action).join(', '));
    const [line] = lines;
    return { action: line!.action, ok: line!.ok, actor: line!.actor, detail: line!.detail };
  }

  test('admin, settings, packs, people, enrollment, door and exit', async () => {
    const line = (action: string, detail: AdminRecord['detail'], ok = true) => ({
      action,
      ok,
      actor: 'screen',
      detail,
    });
    assert.deepEqual(only((await step('setAdminPin', { pin: PIN })).lines), line('pin_change', {}));
    assert.deepEqual(only((await step('adminLogout', undefined)).lines), line('admin_logout', {}));
    // Logging out without a session is not an admin action: no line.
    assert.deepEqual((await step('adminLogout', undefined)).lines, []);
    assert.deepEqual(only((await step('adminLogin', { pin: PIN })).lines), line('admin_login', {}));
    // A refused change of PIN is logged as failed, with why.
    const refused = await step('setAdminPin', { pin: '135791', currentPin: '000000' }, 'WRONG_PIN');
    assert.deepEqual(only(refused.lines), line('pin_change', { reason: 'wrong_pin' }, false));

    const recognition = node.services.settings.get().recognition;
    const settings = await step('updateSettings', {
      recognition: { ...recognition, framesToAgree: 4 },
      pin: PIN,
    });
    assert.deepEqual(
      only(settings.lines),
      line('settings_change', { 'recognition.framesToAgree': { from: 3, to: 4 } }),
    );

    assert.deepEqual(
      only((await step('setUpDefaults', undefined)).lines),
      line('pack_download', { pack: 'default setup' }),
    );
    assert.equal(node.services.engine.getStatus().state, 'ready');
    assert.deepEqual(
      only((await step('downloadPack', { name: 'face2' })).lines),
      line('pack_download', { pack: 'face2' }),
    );
    assert.deepEqual(
      only((await step('setActivePack', { name: 'face2', pin: PIN })).lines),
      line('pack_switch', { pack: 'face2' }),
    );
    node.picks.push([packCopy(TEST_PACK_FILES)]);
    assert.deepEqual(
      only((await step('importPack', { kind: 'folder', name: 'imported' })).lines),
      line('pack_import', { kind: 'folder', pack: 'imported' }),
    );
    // A cancelled dialog imports nothing: no line.
    const cancelled = await step('importPack', { kind: 'folder' });
    assert.deepEqual([cancelled.value, cancelled.lines], [null, []]);
    assert.deepEqual(
      only((await step('removePack', { name: 'imported' })).lines),
      line('pack_remove', { pack: 'imported' }),
    );

    const added = await step('addPerson', { name: 'Aiko', pin: '2468' });
    const id = (added.value as { id: string }).id;
    assert.deepEqual(only(added.lines), line('person_add', { personId: id, name: 'Aiko', withPin: true }));
    assert.deepEqual(
      only((await step('renamePerson', { id, name: 'Aiko T.' })).lines),
      line('person_rename', { personId: id, from: 'Aiko', name: 'Aiko T.' }),
    );
    assert.deepEqual(
      only((await step('setPersonPin', { id, pin: null })).lines),
      line('person_pin', { personId: id, set: false }),
    );
    assert.deepEqual(
      only((await step('startEnrollment', { id, target: 3, pin: PIN })).lines),
      line('enroll_start', { personId: id, target: 3 }),
    );
    assert.deepEqual(only((await step('stopEnrollment', undefined)).lines), line('enroll_stop', {}));
    node.picks.push([facePath('photos/face_recognition/ex_obama_small.jpg'), path.join(temp, 'none.jpg')]);
    const photos = await step('importPhotos', { id, pin: PIN });
    assert.deepEqual(
      (photos.value as { ok: boolean }[]).map((r) => r.ok),
      [true, false],
    );
    assert.deepEqual(
      only(photos.lines),
      line('template_add', { personId: id, source: 'photos', added: 1, refused: 1 }),
    );
    assert.deepEqual(
      only((await step('deletePerson', { id })).lines),
      line('person_delete', { personId: id, name: 'Aiko T.' }),
    );

    const door = await step('testDoor', { pin: PIN });
    const doorLine = only(door.lines);
    assert.deepEqual(
      [doorLine.action, doorLine.ok, doorLine.detail.kind],
      ['door_test', (door.value as { ok: boolean }).ok, 'none'],
    );

    assert.deepEqual(only((await step('exitKiosk', { pin: PIN })).lines), line('exit_kiosk', {}));
    assert.equal(node.kioskExits(), 1);

    assert.deepEqual([...seen].filter((c) => channels[c].audit !== null).sort(), [...audited].sort());
  });
});
