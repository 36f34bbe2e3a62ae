// One decision path for a fleet door (issue 16): the Electron kiosk (camera frames through the
// real engine), the headless door runtime that `tobira fleet run` runs (FleetDoor.decide on the
// probe's embedding) and `tobira identify --data-dir` (the real CLI entry, in process) give the
// same reason for each case of the refusal table, against one real PostgreSQL. Each door is its
// own data folder joined with the CLI, as three doors of one building are.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { AuditLog } from '../../../main/audit/audit-log.js';
import { main } from '../../../main/cli/tobira.js';
import { FleetDoor } from '../../../main/fleet/door-runtime.js';
import { cliKeyWrapper } from '../../../main/fleet/local.js';
import { decodeImageFile } from '../../../main/image/decode.js';
import { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import { faceThatCounts } from '../../../main/recognition/subject.js';
import { defaultThreshold } from '../../../main/recognition/thresholds.js';
import type { DecisionEvent } from '../../../preload/contract/events.js';
import { attemptUnlock, rgbaFrameOf } from '../../helpers/camera-frames.js';
import { facePath, packCopy, TEST_PACK_FILES } from '../../helpers/fixtures.js';
import { createNodeServices, type NodeServices } from '../../helpers/node-services.js';
import { ADMIN_PASSPHRASE, dbArgs, secretFile, withoutPassword } from '../../helpers/fleet-setup.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { makeTestPack } from '../../helpers/test-pack.js';

const run = promisify(execFile);

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') });
  return { code, out, err };
}

const photo = (f: string) => facePath(`photos/face_recognition/${f}`);
/** Enrolled from obama.jpg; every door is shown another photo of him. */
const OBAMA = photo('knn_examples/test/obama1.jpg');
const STRANGER = photo('biden.jpg');
/** A generous deadline for a change to reach the other doors (the goal is 2 s). */
const CATCH_UP_MS = 15_000;
const HOUR = 3600_000;
/** The desk's offline grace (`fleet join --offline-grace 0.001`): 3.6 s, so the test can outlast it. */
const DESK_GRACE_MS = 3600;
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const skip = postgresBinDir() ? false : 'PostgreSQL is not installed (apt-get install postgresql)';

describe('one decision path: kiosk, fleet run and tobira identify', { skip }, () => {
  let server: PostgresServer;
  let root: string;
  let pack: string;
  let fa: FaceAnalysis;
  let node: NodeServices;
  let headless: FleetDoor;
  let kioskDir: string;
  let headlessDir: string;
  let deskDir: string;
  let adminUrl: string;
  let clock = Date.now();
  let frameId = 1;
  const decisions: DecisionEvent[] = [];

  /** `tobira fleet join` for one door's folder. */
  const join = (dir: string, door: string, joinToken: string, extra: string[] = []) => {
    const where = ['--door', door, '--data-dir', dir];
    return ok(
      'fleet',
      'join',
      '--db',
      withoutPassword(adminUrl),
      '--token-file',
      secretFile(joinToken),
      '--pin-file',
      secretFile('135790'),
      ...where,
      ...extra,
    );
  };

  /** The desk's version after it caught up; then the kiosk and the headless door reach it too. */
  async function allCaughtUp(): Promise<void> {
    const status = await cli('fleet', 'status', '--data-dir', deskDir, '--json');
    assert.equal(status.code, 0, status.err);
    const { version } = JSON.parse(status.out) as { version: number };
    const fleet = node.services.fleet!;
    await fleet.waitForVersion(version, CATCH_UP_MS);
    assert.ok(fleet.door.replica.version >= version, `the kiosk did not reach version ${version}`);
    if (headless.replica.version < version)
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the headless door did not reach version ${version}`)),
          CATCH_UP_MS,
        );
        const check = (e: { version: number }) => {
          if (e.version < version) return;
          clearTimeout(timer);
          headless.off('applied', check);
          resolve();
        };
        headless.on('applied', check);
      });
  }

  async function kioskReason(file: string): Promise<string> {
    const { cooldownMs } = node.services.engine.current!.decisions.settings;
    clock += cooldownMs;
    const frame = await rgbaFrameOf(file);
    const next = () => {
      clock += 100;
      return frameId++;
    };
    const d = await attemptUnlock(node.services.engine.current!, frame, decisions, next);
    return d.outcome === 'unlocked' ? 'match' : d.reason;
  }

  async function headlessReason(file: string): Promise<string> {
    const image = await decodeImageFile(file);
    const face = faceThatCounts(await fa.get(image), image);
    assert.ok(face?.normedEmbedding, `${file}: no face`);
    const recognizer = fa.info.recognizer!;
    const d = await headless.decide(
      face.normedEmbedding,
      recognizer.id,
      defaultThreshold(recognizer).threshold,
    );
    assert.equal(d.record.reason, d.reason, 'the audit line says the same');
    return d.reason;
  }

  async function deskReason(file: string): Promise<string> {
    const r = await cli('identify', '--data-dir', deskDir, '--models', pack, '--json', file);
    assert.equal(r.code, 0, r.err);
    return (JSON.parse(r.out) as { reason: string }).reason;
  }

  async function ok(...argv: string[]): Promise<string> {
    const r = await cli(...argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.err}`);
    return r.out;
  }

  before(async () => {
    server = await startPostgres();
    adminUrl = await server.createDatabase('one_path');
    root = await mkdtemp(path.join(tmpdir(), 'tobira-one-path-'));
    pack = makeTestPack();
    // The admin's key: the CLI's enroll and people remove at the desk read it from the environment.
    const adminKey = path.join(root, 'admin.key');
    process.env['TOBIRA_ADMIN_KEY'] = adminKey;
    process.env['TOBIRA_ADMIN_PASSPHRASE'] = ADMIN_PASSPHRASE;
    const { join: joinToken } = JSON.parse(
      await ok('fleet', 'init', ...dbArgs(adminUrl), '--door', 'Front', '--admin-key', adminKey, '--json'),
    ) as { join: string };
    /** A join token for door `name`, made from the first door's folder (tokens join one door once). */
    const tokenFor = async (name: string) =>
      (
        JSON.parse(
          await ok(
            'fleet',
            'token',
            'create',
            ...dbArgs(adminUrl),
            '--data-dir',
            kioskDir,
            '--door',
            name,
            '--json',
          ),
        ) as { join: string }
      ).join;
    kioskDir = path.join(root, 'kiosk');
    headlessDir = path.join(root, 'headless');
    deskDir = path.join(root, 'desk');
    await join(kioskDir, 'Front', joinToken);
    await join(headlessDir, 'Back', await tokenFor('Back'));
    await join(deskDir, 'Desk', await tokenFor('Desk'), ['--offline-grace', String(DESK_GRACE_MS / HOUR)]);
    await ok('enroll', '--data-dir', deskDir, '--models', pack, '--name', 'Obama', photo('obama.jpg'));

    fa = await FaceAnalysis.load(pack, { allowedModules: ['detection', 'recognition'] });
    headless = await FleetDoor.open(headlessDir, await cliKeyWrapper(headlessDir, false), {
      mqtt: false,
      now: () => clock,
      pollMs: 200,
    });
    await headless.start();
    node = await createNodeServices({ dataDir: kioskDir, services: { now: () => clock, fleetPollMs: 200 } });
    await node.services.packs.import(packCopy(TEST_PACK_FILES), { name: 'test-pack' });
    node.services.settings.update({ liveness: { enabled: false, threshold: 0.5, level: 'standard' } });
    await node.services.engine.start();
    assert.equal(
      node.services.peopleSource.directory()?.kind,
      'fleet',
      node.services.fleetHost.problem ?? '',
    );
    node.services.events.subscribe((event, payload) => {
      if (event === 'decision') decisions.push(payload as DecisionEvent);
    });
    await allCaughtUp();
  });

  after(async () => {
    delete process.env['TOBIRA_ADMIN_KEY'];
    delete process.env['TOBIRA_ADMIN_PASSPHRASE'];
    await node?.services.close();
    await headless?.close();
    await fa?.release();
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
    if (pack) await rm(pack, { recursive: true, force: true });
  });

  const everyone = async () => {
    const { groups } = JSON.parse(await ok('fleet', 'groups', 'list', '--data-dir', deskDir, '--json')) as {
      groups: { id: string; name: string }[];
    };
    return groups.find((g) => g.name === 'Everyone')!.id;
  };

  /** Each case: what changes in the fleet first, whose photo the doors see, and the one reason. */
  const table: { name: string; arrange: () => Promise<void>; face: string; reason: string }[] = [
    { name: 'accepted', arrange: async () => {}, face: OBAMA, reason: 'match' },
    { name: 'unknown', arrange: async () => {}, face: STRANGER, reason: 'unknown_face' },
    {
      name: 'outside schedule',
      arrange: async () => {
        // A group open only three days from today (UTC), all day: never now.
        const day = WEEKDAYS[(new Date(clock).getUTCDay() + 3) % 7]!;
        const group = JSON.parse(
          await ok(
            'fleet',
            'groups',
            'set',
            '--data-dir',
            deskDir,
            '--name',
            'Later',
            '--doors',
            '*',
            '--tz',
            'UTC',
            '--window',
            `${day},00:00-23:59`,
            '--json',
          ),
        ) as { id: string };
        await ok('fleet', 'person', '--data-dir', deskDir, '--groups', group.id, 'Obama');
      },
      face: OBAMA,
      reason: 'not_permitted_now',
    },
    {
      name: 'disabled',
      arrange: async () => {
        await ok('fleet', 'person', '--data-dir', deskDir, '--groups', await everyone(), 'Obama');
        await ok('fleet', 'person', '--data-dir', deskDir, '--disable', 'Obama');
      },
      face: OBAMA,
      reason: 'person_disabled',
    },
    {
      name: 'removed',
      arrange: async () => void (await ok('people', 'remove', '--data-dir', deskDir, 'Obama')),
      face: OBAMA,
      reason: 'unknown_face',
    },
  ];

  for (const row of table) {
    it(`${row.name}: all three doors say ${row.reason}`, async () => {
      await row.arrange();
      await allCaughtUp();
      const reasons = {
        kiosk: await kioskReason(row.face),
        'fleet run': await headlessReason(row.face),
        'tobira identify': await deskReason(row.face),
      };
      assert.deepEqual(reasons, {
        kiosk: row.reason,
        'fleet run': row.reason,
        'tobira identify': row.reason,
      });
    });
  }

  it('offline too long: all three doors say offline_too_long', async () => {
    await ok('enroll', '--data-dir', deskDir, '--models', pack, '--name', 'Obama', photo('obama.jpg'));
    await allCaughtUp();
    assert.equal(await deskReason(OBAMA), 'match', 'enrolled again, inside the grace');
    await server.stop();
    try {
      // The kiosk and the headless door keep 24 h of grace on the injected clock; the desk 3.6 s.
      clock += 25 * HOUR;
      await new Promise((resolve) => setTimeout(resolve, DESK_GRACE_MS + 200));
      const reasons = {
        kiosk: await kioskReason(OBAMA),
        'fleet run': await headlessReason(OBAMA),
        'tobira identify': await deskReason(OBAMA),
      };
      const reason = 'offline_too_long';
      assert.deepEqual(reasons, { kiosk: reason, 'fleet run': reason, 'tobira identify': reason });
    } finally {
      await server.start();
    }
  });

  it('tobira identify in a fleet judges the face that counts, as the kiosk does: a small face behind is no second person', async () => {
    // obama2.jpg with a far smaller stranger pasted in a corner (ffmpeg): one subject, one face behind.
    const out = path.join(root, 'with-passer-by.png');
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      photo('obama2.jpg'),
      '-i',
      STRANGER,
      '-filter_complex',
      '[0:v]scale=-2:720[a];[1:v]scale=-2:140[b];[a][b]overlay=0:0',
      '-frames:v',
      '1',
      '-y',
      out,
    ]);
    const image = await decodeImageFile(out);
    assert.equal((await fa.get(image)).length, 2, 'the detector sees both faces');
    const lone = await mkdtemp(path.join(tmpdir(), 'tobira-lone-'));
    try {
      const store = path.join(lone, 'store');
      await ok('enroll', '--store', store, '--models', pack, '--name', 'Obama', photo('obama.jpg'));
      const loneAnswer = JSON.parse(
        await ok('identify', '--store', store, '--models', pack, '--json', out),
      ) as {
        reason: string;
      };
      assert.equal(loneAnswer.reason, 'match', 'a lone kiosk recognises him');
    } finally {
      await rm(lone, { recursive: true, force: true });
    }
    assert.equal(await deskReason(out), 'match', 'so does a fleet door');
  });

  it('tobira enroll and people remove in a fleet write admin lines to the door’s log and the building’s audit', async () => {
    await ok('enroll', '--data-dir', deskDir, '--models', pack, '--name', 'Joe Biden', STRANGER);
    await ok('people', 'remove', '--data-dir', deskDir, 'Joe Biden');
    const { records } = await new AuditLog(path.join(deskDir, 'audit')).readEntries({ limit: 100 });
    const admin = records
      .filter((r) => r.kind === 'admin' && r.detail.name === 'Joe Biden')
      .map((r) => r.kind === 'admin' && [r.action, r.actor, r.ok, r.detail.fleet !== undefined]);
    assert.deepEqual(admin, [
      ['person_delete', 'cli', true, true],
      ['enroll', 'cli', true, true],
    ]);
    // The building's audit, read at another door: door, then time, mode and what was done.
    const csv = await ok('audit', 'export', '--data-dir', headlessDir, '--person', 'Joe Biden');
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').slice(0, 4));
    assert.deepEqual(
      rows.map(([door, , mode, action]) => [door, mode, action]),
      [
        ['Desk', 'admin:cli', 'enroll'],
        ['Desk', 'admin:cli', 'person_delete'],
      ],
    );
  });
});
