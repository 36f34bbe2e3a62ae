// The audit chain's head held off the PC (issue 17): a fleet door's shipped rows carry each line's
// seq and prev, so the newest one anchors the local log. Against a real PostgreSQL: the anchor read
// back from the building's audit is the newest shipped line's, and cutting the local log's end,
// which the chain alone cannot see, is named against it.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { AuditLog } from '../../../main/audit/audit-log.js';
import { anchorProblem, verifyAuditLog } from '../../../main/audit/verify.js';
import { initFleet } from '../../../main/fleet/admin.js';
import { shippedAnchor } from '../../../main/fleet/audit-anchor.js';
import { AuditShipper } from '../../../main/fleet/audit-shipper.js';
import { fleetDir } from '../../../main/fleet/local.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';

const skip = postgresBinDir() ? false : 'PostgreSQL is not installed (apt-get install postgresql)';

describe('the audit chain anchored in the building database', { skip }, () => {
  let server: PostgresServer;
  let url: string;
  let root: string;
  let client: pg.Client;

  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase('anchor');
    await initFleet(url);
    root = await mkdtemp(path.join(tmpdir(), 'tobira-anchor-'));
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });

  after(async () => {
    await client?.end();
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a cut end verifies as a chain, and is named against the shipped head', async () => {
    const dir = path.join(root, 'front');
    await mkdir(fleetDir(dir), { recursive: true });
    const audit = path.join(dir, 'audit');
    const log = new AuditLog(audit);
    for (let i = 0; i < 5; i++) {
      await log.append({
        mode: 'identify',
        outcome: 'rejected',
        reason: 'unknown_face',
        personId: null,
        personName: null,
        score: 0.1 + i / 100,
        threshold: 0.4,
        recognizerId: 'w600k_r50',
        gates: [],
        liveness: null,
        door: null,
      });
    }
    assert.equal(await new AuditShipper(dir, log, 'Front').ship(client), 5);
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
