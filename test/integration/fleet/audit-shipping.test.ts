// Audit shipping under faults (issue 22), against a real PostgreSQL: a decision written while the
// shipper reads the local log must never be skipped. The drill's race, made deterministic: the
// log is a subclass that appends one decision right after the shipper's first read of it, so a
// shipper that reads the log more than once per ship (pages counted from the newest end) sees
// the pages shift under it. 2,000 never-shipped records: a multiple of the old 1,000-line page.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { AuditLog, type AuditPage } from '../../../main/audit/audit-log.js';
import type { AuditInput, AuditRecord } from '../../../main/audit/types.js';
import { anchorProblem, verifyAuditLog } from '../../../main/audit/verify.js';
import { initFleet } from '../../../main/fleet/admin.js';
import { shippedAnchor } from '../../../main/fleet/audit-anchor.js';
import { AuditShipper } from '../../../main/fleet/audit-shipper.js';
import { fleetDir } from '../../../main/fleet/local.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { strangerRefused } from '../../helpers/audit-inputs.js';

const decision = (i: number): AuditInput => strangerRefused(i);

/** An audit log that appends one more decision right after the first read it serves. */
class RacingLog extends AuditLog {
  armed = false;
  written: AuditRecord | null = null;

  private async interleave(): Promise<void> {
    if (!this.armed) return;
    this.armed = false;
    this.written = await this.append(decision(9999));
  }

  override async read(options: { offset?: number; limit?: number } = {}): Promise<AuditPage> {
    const page = await super.read(options);
    await this.interleave();
    return page;
  }

  override async readSince(seq: number): ReturnType<AuditLog['readSince']> {
    const read = await super.readSince(seq);
    await this.interleave();
    return read;
  }
}

/** Seals each shipped row (fleet/audit-seal.ts). */
const FLEET_KEY = randomBytes(32);
const skip = postgresBinDir() ? false : 'PostgreSQL is not installed (apt-get install postgresql)';

describe('audit shipping from a durable cursor', { skip }, () => {
  let server: PostgresServer;
  let url: string;
  let root: string;
  let client: pg.Client;

  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase('shipping');
    await initFleet(url, { door: 'Front' });
    root = await mkdtemp(path.join(tmpdir(), 'tobira-shipping-'));
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });

  after(async () => {
    await client?.end();
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** A door's data folder as `tobira fleet join` leaves it: the fleet folder exists. */
  const doorDir = async (name: string): Promise<string> => {
    const dir = path.join(root, name);
    await mkdir(fleetDir(dir), { recursive: true });
    return dir;
  };

  const shippedIds = async (door: string): Promise<Set<string>> =>
    new Set(
      (await client.query<{ id: string }>('SELECT id FROM audit WHERE door = $1', [door])).rows.map(
        (r) => r.id,
      ),
    );

  it('a decision written between two reads of a never-shipped 2,000-line log: nothing skipped', async () => {
    const dir = await doorDir('race');
    const log = new RacingLog(path.join(dir, 'audit'));
    const ids: string[] = [];
    for (let i = 0; i < 2000; i++) ids.push((await log.append(decision(i))).id);
    const shipper = new AuditShipper(dir, log, 'Race', FLEET_KEY);

    log.armed = true;
    await shipper.ship(client);
    assert.ok(log.written, 'a decision was written while the shipper read the log');
    await shipper.ship(client); // the next ship (the one after that decision) sends what is left

    const shipped = await shippedIds('Race');
    const missing = [...ids, log.written.id].filter((id) => !shipped.has(id));
    assert.deepEqual(missing, [], 'every local decision reached the database');
    assert.equal(shipped.size, 2001);
    assert.deepEqual(await shipper.backlog(), { count: 0, oldest: null }, 'nothing is left pending');
  });

  it('reads forward from the saved seq: a door whose cursor file predates seqs resumes where it was', async () => {
    const dir = await doorDir('resume');
    const log = new AuditLog(path.join(dir, 'audit'));
    const shipper = new AuditShipper(dir, log, 'Resume', FLEET_KEY);
    for (let i = 0; i < 3; i++) await log.append(decision(i));
    assert.equal(await shipper.ship(client), 3);
    const later = await log.append(decision(3));
    const backlog = await shipper.backlog();
    assert.deepEqual(backlog, { count: 1, oldest: later.time }, 'only the new decision waits');
    assert.equal(await shipper.ship(client), 1);
    assert.equal(await shipper.ship(client), 0, 'a ship with nothing new sends nothing');
  });

  // The chain's head held off the PC (issue 17): shipped rows carry each line's seq and prev, so the
  // newest one anchors the local log, and a cut end, which the chain alone cannot see, is named.
  it('a cut end verifies as a chain, and is named against the shipped head', async () => {
    const dir = await doorDir('front');
    const audit = path.join(dir, 'audit');
    const log = new AuditLog(audit);
    for (let i = 0; i < 5; i++) await log.append(decision(i));
    assert.equal(await new AuditShipper(dir, log, 'Front', FLEET_KEY).ship(client), 5);
    const live = path.join(audit, 'audit.jsonl');
    const lines = (await readFile(live, 'utf8')).split('\n').filter(Boolean);
    const newest = JSON.parse(lines.at(-1)!) as { seq: number; prev: string; id: string };

    const anchor = await shippedAnchor(url, 'Front');
    assert.deepEqual(anchor, { seq: newest.seq, prev: newest.prev, id: newest.id });
    assert.equal(await shippedAnchor(url, 'Back'), null, 'another door has no anchor');
    assert.equal(await anchorProblem(audit, anchor!), null, 'the whole log holds the shipped head');

    await writeFile(live, lines.slice(0, 3).join('\n') + '\n');
    assert.equal((await verifyAuditLog(audit, null)).ok, true, 'the chain alone cannot see a cut end');
    assert.match(
      (await anchorProblem(audit, anchor!))?.reason ?? '',
      /ends at line 3, but line 5 was shipped/,
    );
  });
});
