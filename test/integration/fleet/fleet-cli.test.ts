// The CLI in joined data folders, end to end with the real engine on ../shared photos and a real
// PostgreSQL: enroll at one door, identify at another (it catches up first), people list/remove,
// fleet status, groups list, and the whole building's audit filtered by door and person.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../main/cli/tobira.js';
import { AuditLog } from '../../../main/audit/audit-log.js';
import type { AdminRecord } from '../../../main/audit/types.js';
import { FleetDoor } from '../../../main/fleet/door-runtime.js';
import { cliKeyWrapper } from '../../../main/fleet/local.js';
import { facePath } from '../../helpers/fixtures.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { ADMIN_PASSPHRASE, dbArgs, secretFile, withoutPassword } from '../../helpers/fleet-setup.js';
import { AdminPin } from '../../../main/admin/pin.js';
import { isJoined } from '../../../main/fleet/local.js';
import { makeTestPack } from '../../helpers/test-pack.js';
import { identities, RECOGNIZER, THRESHOLD } from '../../helpers/fleet-faces.js';
import { skipWithout } from '../../helpers/prerequisites.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') });
  return { code, out, err };
}

const skip = skipWithout('postgresql');

describe('tobira CLI on a fleet', { skip }, () => {
  let server: PostgresServer;
  let root: string;
  let pack: string;
  let lobby: string;
  let garage: string;
  let url: string;

  /** `fleet join` for door `name` in `dir`, the token from a file (no secret in argv). */
  const joinArgv = (token: string, name: string, dir: string) => [
    'fleet',
    'join',
    '--db',
    withoutPassword(url),
    '--token-file',
    secretFile(token),
    '--door',
    name,
    '--data-dir',
    dir,
  ];

  /** `fleet token create` for door `name`, from the lobby's folder (a token joins one door once). */
  const tokenFor = async (name: string) => {
    const made = await cli(
      'fleet',
      'token',
      'create',
      ...dbArgs(url),
      '--data-dir',
      lobby,
      '--door',
      name,
      '--json',
    );
    assert.equal(made.code, 0, made.err);
    return (JSON.parse(made.out) as { join: string }).join;
  };

  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase('cli');
    root = await mkdtemp(path.join(tmpdir(), 'tobira-fleet-cli-'));
    pack = makeTestPack();
    // The admin's key for this suite's changes: enroll and people remove read it from the environment.
    const adminKey = path.join(root, 'admin.key');
    const passphrase = secretFile(ADMIN_PASSPHRASE);
    const init = await cli(
      'fleet',
      'init',
      ...dbArgs(url),
      '--door',
      'Lobby',
      '--admin-key',
      adminKey,
      '--passphrase-file',
      passphrase,
      '--json',
    );
    assert.equal(init.code, 0, init.err);
    const { fleet, join } = JSON.parse(init.out) as { fleet: string; join: string };
    process.env['TOBIRA_ADMIN_KEY'] = adminKey;
    process.env['TOBIRA_ADMIN_PASSPHRASE'] = ADMIN_PASSPHRASE;
    assert.match(fleet, /^[0-9a-f-]{36}$/);
    lobby = path.join(root, 'lobby');
    garage = path.join(root, 'garage');
    for (const [dir, name] of [
      [lobby, 'Lobby'],
      [garage, 'Garage'],
    ] as const) {
      const token = name === 'Lobby' ? join : await tokenFor(name);
      const r = await cli(...joinArgv(token, name, dir), '--pin-file', secretFile('135790'), '--json');
      assert.equal(r.code, 0, r.err);
      assert.equal((JSON.parse(r.out) as { fleet: string }).fleet, fleet);
    }
    const again = await cli(
      'fleet',
      'init',
      ...dbArgs(url),
      '--admin-key',
      path.join(root, 'unused.key'),
      '--json',
    );
    assert.deepEqual(
      JSON.parse(again.out),
      { fleet, join: null, admin: null },
      'init again: migrates, keeps the fleet, makes no admin key',
    );
    assert.equal(existsSync(path.join(root, 'unused.key')), false);
  });

  after(async () => {
    delete process.env['TOBIRA_ADMIN_KEY'];
    delete process.env['TOBIRA_ADMIN_PASSPHRASE'];
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
    if (pack) await rm(pack, { recursive: true, force: true });
  });

  it('enroll at the lobby, identify at the garage, list, audit, remove', async () => {
    const photo = (f: string) => facePath(`photos/face_recognition/${f}`);
    const enrolled = await cli(
      'enroll',
      '--data-dir',
      lobby,
      '--models',
      pack,
      '--name',
      'Obama',
      '--json',
      photo('obama.jpg'),
    );
    assert.equal(enrolled.code, 0, enrolled.err);
    assert.equal((JSON.parse(enrolled.out) as { person: { name: string } }).person.name, 'Obama');

    const seen = await cli('identify', '--data-dir', garage, '--models', pack, '--json', photo('obama2.jpg'));
    assert.equal(seen.code, 0, seen.err);
    const answer = JSON.parse(seen.out) as { match: { name: string } | null; reason: string };
    assert.deepEqual(
      [answer.match?.name, answer.reason],
      ['Obama', 'match'],
      'the garage caught up before answering',
    );
    const other = JSON.parse(
      (await cli('identify', '--data-dir', garage, '--models', pack, '--json', photo('biden.jpg'))).out,
    ) as {
      reason: string;
    };
    assert.equal(other.reason, 'unknown_face');

    const list = JSON.parse((await cli('people', 'list', '--data-dir', garage, '--json')).out) as {
      people: { name: string; templates: unknown[] }[];
    };
    assert.deepEqual(
      list.people.map((p) => [p.name, p.templates.length]),
      [['Obama', 1]],
    );

    const status = JSON.parse((await cli('fleet', 'status', '--data-dir', garage, '--json')).out) as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(status).sort(), [
      'as_of',
      'audit_oldest_ms',
      'audit_pending',
      'connected',
      'door',
      'lag_ms',
      'mqtt',
      'ship_error',
      'version',
    ]);
    assert.equal(status.door, 'Garage');
    assert.equal(status.connected, true);
    assert.ok((status.version as number) >= 3, 'group, person and template');
    assert.ok(typeof status.lag_ms === 'number' && status.lag_ms >= 0, 'synced just now (-1 would be never)');

    const groups = JSON.parse((await cli('fleet', 'groups', 'list', '--data-dir', lobby, '--json')).out) as {
      groups: { name: string }[];
    };
    assert.deepEqual(
      groups.groups.map((g) => g.name),
      ['Everyone'],
    );

    // Decisions at both doors, shipped; then the building's audit, filtered.
    const [alice] = identities(1);
    for (const dir of [lobby, garage]) {
      const door = await FleetDoor.open(dir, await cliKeyWrapper(dir, false), { mqtt: false });
      await door.decide(alice!.probe, RECOGNIZER, THRESHOLD);
      await door.shipSoon();
      assert.equal((await door.shipper.pending()).length, 0);
    }
    const all = (await cli('audit', 'export', '--data-dir', lobby)).out.trim().split('\n');
    assert.equal(all[0]!.split(',')[0], 'door');
    // Door and mode: the two decisions, and the enrollment at the lobby (an admin line of the CLI).
    assert.deepEqual(
      all
        .slice(1)
        .map((l) => `${l.split(',')[0]} ${l.split(',')[2]}`)
        .sort(),
      ['Garage identify', 'Lobby admin:cli', 'Lobby identify'],
    );
    const garageOnly = (await cli('audit', 'export', '--data-dir', lobby, '--door', 'Garage')).out
      .trim()
      .split('\n');
    assert.deepEqual(
      garageOnly.slice(1).map((l) => l.split(',')[0]),
      ['Garage'],
    );
    const future = (await cli('audit', 'export', '--data-dir', lobby, '--since', '2999-01-01T00:00:00Z')).out
      .trim()
      .split('\n');
    assert.equal(future.length, 1, 'header only');
    const badTime = await cli('audit', 'export', '--data-dir', lobby, '--since', 'yesterday-ish');
    assert.equal(badTime.code, 2);
    assert.match(badTime.err, /--since: expected a date\/time/);

    // The lobby's local log against the newest line it shipped (issue 17): whole, then cut at the end.
    const verified = await cli('audit', 'verify', '--data-dir', lobby);
    assert.equal(verified.code, 0, verified.out + verified.err);
    assert.match(verified.err, /compared with line \d+, shipped to the building/);
    const liveLog = path.join(lobby, 'audit', 'audit.jsonl');
    const whole = await readFile(liveLog, 'utf8');
    await writeFile(liveLog, whole.split('\n').slice(0, -2).join('\n') + '\n');
    const cut = await cli('audit', 'verify', '--data-dir', lobby);
    assert.equal(cut.code, 1, cut.out + cut.err);
    assert.match(cut.out, /lines were cut off the end/);
    await writeFile(liveLog, whole);

    const removed = await cli('people', 'remove', '--data-dir', garage, 'Obama');
    assert.equal(removed.code, 0, removed.err);
    const after = JSON.parse(
      (await cli('identify', '--data-dir', lobby, '--models', pack, '--json', photo('obama2.jpg'))).out,
    ) as {
      match: unknown;
      reason: string;
    };
    assert.deepEqual(
      [after.match, after.reason],
      [null, 'unknown_face'],
      'removed at the garage, refused at the lobby',
    );
  });

  it('the duplicate check at fleet enrollment: the same person under a second name is flagged before saving', async () => {
    const photo = (f: string) => facePath(`photos/face_recognition/${f}`);
    const enroll = (dir: string, name: string, file: string, ...more: string[]) =>
      cli('enroll', '--data-dir', dir, '--models', pack, '--name', name, ...more, photo(file));
    const names = async () =>
      (
        JSON.parse((await cli('people', 'list', '--data-dir', lobby, '--json')).out) as {
          people: { name: string }[];
        }
      ).people
        .map((p) => p.name)
        .sort();
    assert.equal((await enroll(lobby, 'Obama', 'obama.jpg')).code, 0);
    // At another door of the same fleet: Obama is known there through the replica.
    const twice = await enroll(garage, 'Barack', 'obama2.jpg');
    assert.equal(twice.code, 1, twice.out + twice.err);
    assert.match(
      twice.out,
      /refused: looks like Obama \(score 0\.\d\d\): the same person twice, or a twin\?/,
    );
    assert.deepEqual(await names(), ['Obama'], 'nothing saved in the fleet before the admin decides');
    const biden = await enroll(garage, 'Biden', 'biden.jpg');
    assert.equal(biden.code, 0, 'somebody else is not flagged: ' + biden.out);
    const decided = await enroll(garage, 'Barack', 'obama2.jpg', '--allow-lookalike');
    assert.equal(decided.code, 0, decided.out + decided.err);
    assert.deepEqual(await names(), ['Barack', 'Biden', 'Obama']);
    // The garage's audit: the flag and the admin's decision, on the enroll lines (oldest first).
    const lines = (await new AuditLog(path.join(garage, 'audit')).readEntries()).records
      .filter((e): e is AdminRecord => e.kind === 'admin' && e.action === 'enroll')
      .reverse();
    assert.deepEqual(
      lines.map((l) =>
        (l.detail.lookalikes as { name: string; kept: boolean }[]).map((x) => [x.name, x.kept]),
      ),
      [[['Obama', false]], [], [['Obama', true]]],
    );
    for (const name of ['Obama', 'Barack', 'Biden'])
      assert.equal((await cli('people', 'remove', '--data-dir', lobby, name)).code, 0);
  });

  it('fleet join leaves the folder with the kiosk PIN set: typed twice, or from a file; two that differ join nothing', async () => {
    for (const dir of [lobby, garage]) {
      const pin = await AdminPin.open(path.join(dir, 'admin-pin.json'));
      assert.equal(
        pin.isSet(),
        true,
        `${dir}: joined without a kiosk PIN (the first person at the screen chose it)`,
      );
      assert.equal((await pin.verify('135790')).ok, true);
    }
    const join = await tokenFor('twice');
    const typed = async (dir: string, lines: string[]) => {
      let err = '';
      const code = await main(joinArgv(join, path.basename(dir), dir), {
        out: () => undefined,
        err: (t) => (err += t),
        readLine: async () => lines.shift() ?? null,
      });
      return { code, err };
    };
    const differ = path.join(root, 'differ');
    const refused = await typed(differ, ['246802', '246803']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /the two PINs differ/);
    assert.equal(isJoined(differ), false, 'a join whose PIN was refused left a joined folder');
    const twice = path.join(root, 'twice');
    const joined = await typed(twice, ['246802', '246802']);
    assert.equal(joined.code, 0, joined.err);
    assert.equal((await (await AdminPin.open(path.join(twice, 'admin-pin.json'))).verify('246802')).ok, true);
  });

  it('a revoked token leaves its door joined; a removed door keeps answering from its replica', async () => {
    const side = path.join(root, 'side');
    const join = await tokenFor('Side');
    assert.equal(
      (
        await cli(
          'fleet',
          'join',
          '--db',
          withoutPassword(url),
          '--token-file',
          secretFile(join),
          '--pin-file',
          secretFile('135790'),
          '--door',
          'Side',
          '--data-dir',
          side,
        )
      ).code,
      0,
    );
    const tokens = JSON.parse((await cli('fleet', 'token', 'list', ...dbArgs(url), '--json')).out) as {
      tokens: { id: string; door: string; used: string | null; doors: string[]; revoked: string | null }[];
    };
    const sideToken = tokens.tokens.find((t) => t.doors.includes('Side'))!;
    assert.equal(sideToken.revoked, null);
    assert.equal(sideToken.door, 'Side');
    assert.notEqual(sideToken.used, null, 'used by its one join');
    assert.equal((await cli('fleet', 'token', 'revoke', ...dbArgs(url), sideToken.id)).code, 0);
    const joined = JSON.parse((await cli('fleet', 'status', '--data-dir', side, '--json')).out) as {
      connected: boolean;
    };
    assert.equal(joined.connected, true, 'the door logs in with its own role, not the token’s');

    const removed = await cli('fleet', 'door', 'remove', ...dbArgs(url), 'Side');
    assert.equal(removed.code, 0, removed.err);
    const status = JSON.parse((await cli('fleet', 'status', '--data-dir', side, '--json')).out) as {
      connected: boolean;
    };
    assert.equal(status.connected, false, 'the removed door can no longer log in');
    const list = await cli('people', 'list', '--data-dir', side, '--json');
    assert.equal(list.code, 0, 'the local replica still answers');
    assert.match(list.err, /answering from the local replica: the fleet database refused/);
    const lobbyStatus = JSON.parse((await cli('fleet', 'status', '--data-dir', lobby, '--json')).out) as {
      connected: boolean;
    };
    assert.equal(lobbyStatus.connected, true, 'doors with other tokens are unaffected');
  });
});
