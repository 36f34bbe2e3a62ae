// Issue 22's pager race with real door processes (the drill's setup, where 2 of 8 doors ended with
// 2,000 of 2,001 events): running doors whose logs hold 2,000 never-shipped decisions (a multiple
// of the old 1,000-line page), written beside them as a kiosk's own writer does, keep deciding
// while their ship reads the log. audit-shipping.test.ts makes the race deterministic in process;
// here only the moment is chosen: the doors start deciding when their shipper's session shows in
// pg_stat_activity, as a person may walk up just then. On the old pager (42d0dc0^, given a
// backlog() for today's door) it lost one event at one door in 6 of 7 runs; a trial whose ship
// ends before the first decision is written is run again.
// Sized for a 2-core machine: three door processes, 40 decisions each.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { AuditLog } from '../../../main/audit/audit-log.js';
import type { AuditInput } from '../../../main/audit/types.js';
import { DoorProcess } from '../../helpers/door-process.js';
import { identities, RECOGNIZER, THRESHOLD } from '../../helpers/fleet-faces.js';
import { fleetOf } from '../../helpers/fleet-setup.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { skipWithout } from '../../helpers/prerequisites.js';
import { strangerRefused } from '../../helpers/audit-inputs.js';

const DOORS = ['P', 'Q', 'R'];
/** Never-shipped decisions per door: a multiple of the old pager's 1,000-line page. */
const HISTORY = 2000;
/** Decisions each door makes while its first ship runs. */
const LIVE = 40;
/** Tries per door until one ship overlaps a decision. */
const TRIALS = 5;

const historic = (i: number): AuditInput => strangerRefused(i, RECOGNIZER, THRESHOLD);

/** Resolves once a session named `application` is connected to the database (polled, 10 s at most). */
async function seen(client: pg.Client, application: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  const query = 'SELECT 1 FROM pg_stat_activity WHERE application_name = $1';
  while ((await client.query(query, [application])).rowCount === 0) {
    if (Date.now() > deadline) throw new Error(`no '${application}' session in 10 s`);
  }
}

const skip = skipWithout('postgresql');

describe('audit shipping with door processes: a never-shipped history and new decisions', { skip }, () => {
  let server: PostgresServer;
  let adminUrl: string;
  let root: string;
  let dirs: Record<string, string>;
  const doors: DoorProcess[] = [];
  const [stranger] = identities(1);

  before(async () => {
    server = await startPostgres();
    root = await mkdtemp(path.join(tmpdir(), 'tobira-pager-'));
    ({ adminUrl, dirs } = await fleetOf(server, 'pager_race', root, DOORS));
  });

  after(async () => {
    await Promise.all(doors.map((d) => d.kill()));
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('every decision, old and new, reaches the database exactly once, and no door reports one pending', async () => {
    doors.push(...(await Promise.all(DOORS.map((name) => DoorProcess.start(name, dirs[name]!)))));
    await Promise.all(doors.map((d) => d.waitFor((m) => m.type === 'connected', 'connected')));
    const watcher = new pg.Client({ connectionString: adminUrl });
    await watcher.connect();
    try {
      for (const door of doors) {
        const log = new AuditLog(path.join(dirs[door.name]!, 'audit'));
        assert.equal(
          (await log.readSince(0)).records.length,
          0,
          `door ${door.name}: joined with an empty log`,
        );
        let raced = 0;
        for (let trial = 0; trial < TRIALS && raced === 0; trial++) {
          // Never-shipped history, written by another process on the same folder as the kiosk's
          // own writer does, up to a multiple of 1,000 lines (2,000 at first).
          const lines = (await log.readSince(0)).records.length;
          const target = Math.max(HISTORY, (Math.floor(lines / 1000) + 1) * 1000);
          for (let i = lines; i < target; i++) await log.append(historic(i));
          // The door ships (its own shipSoon, on its own connection); the moment that connection
          // is seen in the database, the door starts deciding, while the shipper reads the log.
          const since = door.messages.length;
          const shipped = door.request<number>({ type: 'ship' });
          await seen(watcher, `tobira audit ${door.name}`);
          for (let i = 0; i < LIVE; i++) {
            const d = await door.decide(stranger!.probe, RECOGNIZER, THRESHOLD);
            assert.deepEqual([d.outcome, d.reason], ['rejected', 'unknown_face']);
          }
          await shipped;
          // The race was run when the ship that sent the history ended after a decision was
          // written; a loaded machine may finish the ship first, and then the trial is repeated.
          const trialMessages = door.messages.slice(since);
          const firstShipped = trialMessages.findIndex((m) => m.type === 'shipped');
          const firstDecision = trialMessages.findIndex(
            (m) => m.type === 'reply' && typeof m.result === 'object',
          );
          if (firstShipped > firstDecision) raced++;
        }
        assert.ok(raced > 0, `door ${door.name}: no ship overlapped a decision in ${TRIALS} trials`);
      }
    } finally {
      await watcher.end();
    }
    for (const door of doors) {
      assert.equal(await door.request<number>({ type: 'ship' }), 0, `door ${door.name}: nothing pending`);
    }
    await Promise.all(doors.map((d) => d.close()));

    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      for (const name of DOORS) {
        const local = (await new AuditLog(path.join(dirs[name]!, 'audit')).readSince(0)).records.map(
          (r) => r.record.id,
        );
        const { rows } = await client.query<{ id: string; n: number }>(
          'SELECT id::text AS id, count(*)::int AS n FROM audit WHERE door = $1 GROUP BY id',
          [name],
        );
        const shipped = new Map(rows.map((r) => [r.id, r.n]));
        const missing = local.filter((id) => !shipped.has(id));
        assert.deepEqual(missing, [], `door ${name}: every local decision is in the database`);
        assert.deepEqual(
          rows.filter((r) => r.n !== 1),
          [],
          `door ${name}: each exactly once`,
        );
        assert.equal(rows.length, local.length, `door ${name}: and nothing else`);
      }
    } finally {
      await client.end();
    }
  });
});
