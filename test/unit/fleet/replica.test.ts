// The local replica without a database: idempotent batches, tombstones, a torn journal frame
// (what kill -9 or a power cut leaves mid-append), compaction, a kill during compaction (its
// temporary snapshot is removed on the next open), and the weekly schedule parser.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fleetDir } from '../../../main/fleet/local.js';
import { Replica, type EntityRow } from '../../../main/fleet/replica.js';
import { groupGrants, parseWindow } from '../../../main/fleet/schedule.js';
import { FleetView } from '../../../main/fleet/view.js';
import { personRow } from '../../helpers/fleet-rows.js';

const fleetKey = randomBytes(32);
const localKey = randomBytes(32);
const FLEET = randomUUID();

const person = (id: string, name: string, version: number): EntityRow =>
  personRow(fleetKey, id, version, { name });

describe('fleet replica', () => {
  const dirs: string[] = [];
  after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const fresh = async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'tobira-replica-'));
    dirs.push(d);
    await mkdir(fleetDir(d), { recursive: true });
    return d;
  };

  it('applies batches idempotently, keeps tombstones, and drops a torn last frame on reopen', async () => {
    const dir = await fresh();
    const [a, b] = [randomUUID(), randomUUID()];
    const r = await Replica.open(dir, localKey, FLEET);
    assert.equal(await r.apply([person(a, 'Ann', 1), person(b, 'Ben', 2)], 1000), 2);
    assert.equal(await r.apply([person(a, 'Ann', 1)], 1001), 0, 'the same row again changes nothing');
    await r.apply([{ kind: 'person', id: b, parent: null, version: 3, sealed: null }], 1002);
    assert.deepEqual(
      [...new FleetView(r, fleetKey).people.values()].map((p) => p.name),
      ['Ann'],
    );

    const journal = path.join(fleetDir(dir), 'replica.journal');
    const good = (await stat(journal)).size;
    // A frame cut short: its length says more bytes than follow.
    const torn = Buffer.alloc(4 + 10);
    torn.writeUInt32LE(5000, 0);
    await appendFile(journal, torn);
    const reopened = await Replica.open(dir, localKey, FLEET);
    assert.equal(reopened.version, 3);
    assert.equal(reopened.get('person', b)?.sealed, null, 'the tombstone survived');
    assert.equal((await stat(journal)).size, good, 'the torn tail was cut off');
    await reopened.apply([person(b, 'Ben again', 4)], 1003);
    const again = await Replica.open(dir, localKey, FLEET);
    assert.equal(again.version, 4);
    assert.equal(new FleetView(again, fleetKey).people.get(b)?.name, 'Ben again');
  });

  it('compacts into a snapshot that opens to the same state; a wrong key is refused', async () => {
    const dir = await fresh();
    const r = await Replica.open(dir, localKey, FLEET);
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const [i, id] of ids.entries()) await r.apply([person(id, `P${i}`, i + 1)], 2000 + i);
    await r.compact();
    const reopened = await Replica.open(dir, localKey, FLEET);
    assert.equal(reopened.version, 5);
    assert.equal(reopened.rows('person').length, 5);
    const snapshot = await readFile(path.join(fleetDir(dir), 'replica.snapshot'));
    assert.equal(snapshot.includes(Buffer.from('P1')), false, 'sealed at rest');
    await assert.rejects(Replica.open(dir, randomBytes(32), FLEET), /failed authentication/);
  });
});

describe('a replica killed while compacting', () => {
  let root = '';
  after(async () => root && rm(root, { recursive: true, force: true }));

  it("leaves a temporary snapshot that the next open removes (a live writer's is kept)", async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tobira-replica-kill-'));
    const dir = path.join(root, 'door');
    await mkdir(fleetDir(dir), { recursive: true });
    const r = await Replica.open(dir, localKey, FLEET);
    // 20,000 people: a snapshot of a few MB, so compaction takes a while to write.
    await r.apply(
      Array.from({ length: 20_000 }, (_, i) => person(randomUUID(), `P${i}`, i + 1)),
      1000,
    );
    // A child that compacts over and over, killed (SIGKILL) while a temporary snapshot exists.
    const script = path.join(root, 'compact-forever.mts');
    await writeFile(
      script,
      `import { Replica } from ${JSON.stringify(path.resolve('main/fleet/replica.ts'))};\n` +
        `const r = await Replica.open(process.argv[2]!, Buffer.from(process.argv[3]!, 'hex'), process.argv[4]!);\n` +
        `process.send?.('ready');\n` +
        `for (;;) await r.compact();\n`,
    );
    const temps = async () => (await readdir(fleetDir(dir))).filter((n) => n.endsWith('.tmp'));
    let left: string[] = [];
    for (let attempt = 0; attempt < 10 && left.length === 0; attempt++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', script, dir, localKey.toString('hex'), FLEET],
        { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
      );
      await new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`the compacting child exited (${code})`)));
      });
      const watcher = watch(fleetDir(dir));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise<void>((resolve) => {
        const onChange = (_: string, name: string | null) => {
          if (!name?.endsWith('.tmp')) return;
          child.kill('SIGKILL');
          watcher.off('change', onChange);
          resolve();
        };
        watcher.on('change', onChange);
      });
      watcher.close();
      await exited;
      left = await temps();
    }
    assert.ok(left.length > 0, 'a kill mid-compaction left a temporary snapshot (10 tries)');
    // Another writer's temporary file, still running: not this open's to remove.
    const live = spawn('sleep', ['60']);
    const liveTemp = `.replica.snapshot.${live.pid}.0123456789ab.tmp`;
    await writeFile(path.join(fleetDir(dir), liveTemp), 'in progress');
    try {
      const reopened = await Replica.open(dir, localKey, FLEET);
      assert.equal(reopened.rows('person').length, 20_000, 'the replica itself opened intact');
      assert.deepEqual(await temps(), [liveTemp], "the dead writer's temporary file is gone");
    } finally {
      live.kill('SIGKILL');
    }
  });
});

describe('weekly schedules', () => {
  it('parses day ranges and refuses malformed windows', () => {
    assert.deepEqual(parseWindow('mon-fri,09:00-17:00'), {
      days: [1, 2, 3, 4, 5],
      start: '09:00',
      end: '17:00',
    });
    assert.deepEqual(parseWindow('fri-mon,22:00-23:00').days, [0, 1, 5, 6], 'wraps over the weekend');
    assert.throws(() => parseWindow('funday,09:00-17:00'), /unknown day 'funday'/);
    assert.throws(() => parseWindow('mon,9-17'), /expected DAYS,HH:MM-HH:MM/);
  });

  it('reads windows in the group’s time zone, end exclusive, and only at its doors', () => {
    const group = {
      name: 'g',
      doors: ['Front'],
      timeZone: 'Europe/Berlin',
      windows: [parseWindow('mon,09:00-17:00')],
    };
    // Monday 2026-03-30, Berlin on summer time (UTC+2).
    assert.equal(groupGrants(group, 'Front', Date.parse('2026-03-30T07:00:00Z')), true, '09:00 Berlin');
    assert.equal(groupGrants(group, 'Front', Date.parse('2026-03-30T06:59:00Z')), false, '08:59 Berlin');
    assert.equal(
      groupGrants(group, 'Front', Date.parse('2026-03-30T15:00:00Z')),
      false,
      '17:00 Berlin is closed',
    );
    assert.equal(groupGrants(group, 'Back', Date.parse('2026-03-30T08:00:00Z')), false, 'another door');
    assert.equal(
      groupGrants({ ...group, timeZone: 'Mars/Olympus' }, 'Front', Date.parse('2026-03-30T08:00:00Z')),
      false,
      'unknown zone fails closed',
    );
  });
});
