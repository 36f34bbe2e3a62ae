// Three kiosks as separate processes against a real PostgreSQL (issue 11's fleet tests): enroll at
// one door and the others recognise; delete at one and the others refuse; the database stops and
// the doors keep deciding while audit queues; kill -9 during a batch; two admins at once.
// Recognition uses InsightFace's real embeddings of ../shared/faces.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openFleet } from '../../../main/fleet/cli-context.js';
import { withClient } from '../../../main/fleet/db.js';
import { FleetWriter } from '../../../main/fleet/writer.js';
import { AdminKey } from '../../../main/fleet/admin-key.js';
import { DoorProcess } from '../../helpers/door-process.js';
import { identities, RECOGNIZER, THRESHOLD } from '../../helpers/fleet-faces.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { ADMIN_PASSPHRASE, fleetOf } from '../../helpers/fleet-setup.js';
import { skipWithout } from '../../helpers/prerequisites.js';

/** Ships the door's queue now (the door's own shipSoon) and checks nothing is left. */
async function shippedAll(d: DoorProcess): Promise<void> {
  const pending = await d.request<number>({ type: 'ship' });
  assert.equal(pending, 0, `door ${d.name} shipped its whole queue`);
}

const skip = skipWithout('postgresql');

describe('a fleet of three kiosk processes', { skip }, () => {
  let server: PostgresServer;
  let adminUrl: string;
  /** The first admin key's file, and the key opened: what an admin brings to sign changes. */
  let adminKey: string;
  let admin: AdminKey;
  let root: string;
  const dirs: Record<string, string> = {};
  const doors: Record<string, DoorProcess> = {};
  // A face of its own for each test (no test sees another's people), and one never enrolled:
  // each test runs alone, and in any order.
  const [alice, bob, carol, dave, eve, frank, , stranger] = identities(8);

  /** Enrolls `who`'s enrollment photo under `name` at door A. */
  const enrollAtA = (name: string, who: { enroll: Float32Array }) =>
    doors.A!.request<{ personId: string; version: number }>({
      type: 'enroll',
      name,
      embedding: [...who.enroll],
      recognizerId: RECOGNIZER,
      adminKey,
    });

  const auditRows = async (): Promise<{ id: string; n: number }[]> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return (
        await client.query<{ id: string; n: number }>('SELECT id, count(*)::int AS n FROM audit GROUP BY id')
      ).rows;
    } finally {
      await client.end();
    }
  };

  before(async () => {
    server = await startPostgres();
    root = await mkdtemp(path.join(tmpdir(), 'tobira-fleet3-'));
    const made = await fleetOf(server, 'three_doors', root, ['A', 'B', 'C']);
    adminUrl = made.adminUrl;
    adminKey = made.adminKey;
    admin = await AdminKey.open(adminKey, ADMIN_PASSPHRASE);
    Object.assign(dirs, made.dirs);
    await Promise.all(['A', 'B', 'C'].map(async (n) => (doors[n] = await DoorProcess.start(n, dirs[n]!))));
    await Promise.all(Object.values(doors).map((d) => d.waitFor((m) => m.type === 'connected', 'connected')));
  });

  after(async () => {
    await Promise.all(Object.values(doors).map((d) => d.kill()));
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('enrolled at A, recognised at B and C as soon as the change arrives', async () => {
    const strangers = await doors.B!.decide(alice!.probe, RECOGNIZER, THRESHOLD);
    assert.deepEqual(
      [strangers.outcome, strangers.reason],
      ['rejected', 'unknown_face'],
      'Alice is not enrolled yet',
    );
    const t0 = Date.now();
    const enrolled = await enrollAtA('Alice', alice!);
    await Promise.all([doors.B!.caughtUp(enrolled.version), doors.C!.caughtUp(enrolled.version)]);
    const propagation = Date.now() - t0;
    for (const d of [doors.B!, doors.C!]) {
      const seen = await d.decide(alice!.probe, RECOGNIZER, THRESHOLD);
      assert.deepEqual([seen.outcome, seen.reason, seen.name], ['unlocked', 'match', 'Alice'], d.name);
      const other = await d.decide(stranger!.probe, RECOGNIZER, THRESHOLD);
      assert.equal(other.reason, 'unknown_face', `${d.name}: a different real face is not Alice`);
    }
    // Pushed by NOTIFY, not found by the 30 s poll: the 2 s goal (reported, the bench measures it).
    console.log(`# enroll at A → B and C applied in ${propagation} ms`);
  });

  it('deleted at B, refused at A and C once the tombstone arrives', async () => {
    const enrolled = await enrollAtA('Dave', dave!);
    await Promise.all(Object.values(doors).map((d) => d.caughtUp(enrolled.version)));
    const known = await doors.B!.decide(dave!.probe, RECOGNIZER, THRESHOLD);
    assert.deepEqual([known.outcome, known.name], ['unlocked', 'Dave'], 'B knows Dave before it deletes him');
    const removed = await doors.B!.request<{ version: number }>({
      type: 'remove',
      personId: enrolled.personId,
      adminKey,
    });
    await Promise.all([doors.A!.caughtUp(removed.version), doors.C!.caughtUp(removed.version)]);
    for (const d of [doors.A!, doors.C!]) {
      const seen = await d.decide(dave!.probe, RECOGNIZER, THRESHOLD);
      assert.deepEqual([seen.outcome, seen.reason], ['rejected', 'unknown_face'], d.name);
    }
  });

  it('keeps deciding with the database stopped, queues audit, and ships it exactly once after', async () => {
    const bobEnrolled = await enrollAtA('Bob', bob!);
    await Promise.all(Object.values(doors).map((d) => d.caughtUp(bobEnrolled.version)));
    // Let everything so far reach the database, so the queue below is only what happens offline.
    await Promise.all(Object.values(doors).map((d) => shippedAll(d)));
    const before = await auditRows();
    const marks = Object.fromEntries(Object.entries(doors).map(([n, d]) => [n, d.messages.length]));
    await server.stop();
    await Promise.all(
      Object.values(doors).map((d) =>
        d.waitFor((m) => m.type === 'disconnected', 'disconnected', marks[d.name]),
      ),
    );

    const offline: string[] = [];
    for (const d of Object.values(doors)) {
      const seen = await d.decide(bob!.probe, RECOGNIZER, THRESHOLD);
      assert.deepEqual([seen.outcome, seen.name], ['unlocked', 'Bob'], `${d.name} decides from its replica`);
      const refused = await d.decide(carol!.probe, RECOGNIZER, THRESHOLD);
      assert.equal(refused.outcome, 'rejected');
      offline.push(seen.id, refused.id);
      const status = await d.request<{ connected: boolean; pending: number }>({ type: 'status' });
      assert.equal(status.connected, false);
      assert.equal(status.pending, 2, `${d.name} queues its two decisions locally`);
    }

    await server.start();
    // A change made as soon as the database is back: every door must apply it after reconnecting.
    const carolVersion = await withClient(adminUrl, async (client) => {
      const ctx = await openFleet(dirs.C!);
      const w = new FleetWriter(client, ctx.config.fleetKey, admin);
      const p = await w.addPerson('Carol');
      return (await w.addTemplate(p.id, RECOGNIZER, carol!.enroll)).version;
    });
    await Promise.all(Object.values(doors).map((d) => d.caughtUp(carolVersion)));
    await Promise.all(Object.values(doors).map((d) => shippedAll(d)));
    for (const d of Object.values(doors)) {
      const seen = await d.decide(carol!.probe, RECOGNIZER, THRESHOLD);
      assert.deepEqual(
        [seen.outcome, seen.name],
        ['unlocked', 'Carol'],
        `${d.name} applied the change made meanwhile`,
      );
    }
    await Promise.all(Object.values(doors).map((d) => shippedAll(d)));
    const rows = await auditRows();
    const byId = new Map(rows.map((r) => [r.id, r.n]));
    for (const id of offline) assert.equal(byId.get(id), 1, `offline event ${id} arrived exactly once`);
    assert.ok(rows.every((r) => r.n === 1));
    assert.equal(
      rows.length - before.length,
      offline.length + 3,
      'the 6 offline events and the 3 Carol checks, no more',
    );
  });

  it('survives kill -9 while applying a batch: the replica opens intact and catches up', async () => {
    const marks = doors.A!.messages.length;
    // One transaction of many templates: one batch for the door to apply.
    const version = await withClient(adminUrl, async (client) => {
      const ctx = await openFleet(dirs.B!);
      const w = new FleetWriter(client, ctx.config.fleetKey, admin);
      const p = await w.addPerson('Many Templates');
      const many = Array.from({ length: 400 }, (_, i) =>
        Float32Array.from(frank!.enroll, (x, j) => x + ((i * 7 + j) % 13) * 1e-3),
      );
      return (await w.addTemplates(p.id, RECOGNIZER, many)).at(-1)!.version;
    });
    await doors.A!.waitFor((m) => m.type === 'applying', 'applying', marks);
    await doors.A!.kill();
    doors.A = await DoorProcess.start('A', dirs.A!);
    const ready = doors.A.messages.find((m) => m.type === 'ready') as unknown as {
      status: { version: number };
    };
    assert.ok(ready.status.version > 0, 'the replica on disk opened (old or new batch, never torn)');
    await doors.A.caughtUp(version);
    const seen = await doors.A.decide(frank!.probe, RECOGNIZER, THRESHOLD);
    assert.deepEqual([seen.outcome, seen.name], ['unlocked', 'Many Templates'], 'the whole batch applied');
  });

  it('two admins changing one person at once: serialised, deterministic, no template lost', async () => {
    const ctx = await openFleet(dirs.B!);
    const clients = await Promise.all(
      [0, 1].map(async () => {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        return c;
      }),
    );
    try {
      const [w1, w2] = clients.map((c) => new FleetWriter(c, ctx.config.fleetKey, admin)) as [
        FleetWriter,
        FleetWriter,
      ];
      const p = await w1.addPerson('Dana');
      const results = await Promise.all([
        w1.addTemplate(p.id, RECOGNIZER, eve!.enroll),
        w2.addTemplate(p.id, RECOGNIZER, eve!.probe),
        w1.renamePerson(p.id, 'Dana One'),
        w2.renamePerson(p.id, 'Dana Two'),
      ]);
      const [t1, t2, r1, r2] = results as [
        { id: string; version: number },
        { id: string; version: number },
        number,
        number,
      ];
      const last = Math.max(t1.version, t2.version, r1, r2);
      const expectedName = r1 > r2 ? 'Dana One' : 'Dana Two'; // the later commit wins, by version order
      for (const d of [doors.B!, doors.C!]) await d.caughtUp(last);
      const fresh = await openFleet(dirs.C!);
      const dana = fresh.view().people.get(p.id)!;
      assert.equal(dana.name, expectedName);
      assert.deepEqual(dana.templates.map((t) => t.id).sort(), [t1.id, t2.id].sort(), 'both templates kept');
      const seen = await doors.B!.decide(eve!.probe, RECOGNIZER, THRESHOLD);
      assert.equal(seen.name, expectedName);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});
