// `npm run bench` section: fleet mode at building scale (issue 11). 50 simulated doors in this
// process against one PostgreSQL, 10,000 people × 5 templates:
//   - first sync of a new door: pull every row, write its encrypted replica, open the gallery;
//   - change propagation: commit → applied at every door (LISTEN/NOTIFY + catch-up query), p50/p99;
//   - audit ingest: 50 doors shipping their local audit logs at once, events/s.
// Uses $TOBIRA_BENCH_DB (a URL of a role that may create roles and databases) or starts a
// throwaway cluster from Debian's postgresql package; skips with the reason when neither is there.
// The embeddings are random unit vectors: recognition quality is not measured here, volume is.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AuditLog } from '../../audit/audit-log.js';
import type { BenchSection } from './types.js';
import { FileKeyWrapper } from '../../store/key-file.js';
import { initFleet } from '../../fleet/admin.js';
import { AuditShipper } from '../../fleet/audit-shipper.js';
import { DEFAULT_GROUP_ID, sealDoc } from '../../fleet/entities.js';
import { joinFleet, scramVerifier } from '../../fleet/join.js';
import type { EntityRow } from '../../fleet/replica.js';
import { FleetSync, type ChangeSink } from '../../fleet/sync.js';
import { decodeToken } from '../../fleet/token.js';
import { FleetView } from '../../fleet/view.js';
import { postgresBinDir, startPostgres, type PostgresServer } from './throwaway-postgres.js';
import { Replica } from '../../fleet/replica.js';

const DOORS = 50;
const PEOPLE = 10_000;
const TEMPLATES_PER_PERSON = 5;
/** 512: ArcFace (w600k) embedding length. */
const DIM = 512;
const CHANGES = 60;
const AUDIT_PER_DOOR = 200;

/** A simulated door's replica: only the version and when each version arrived. */
class ArrivalSink implements ChangeSink {
  readonly arrivals = new Map<number, number>();
  constructor(public version: number) {}
  async apply(rows: readonly EntityRow[]): Promise<number> {
    const at = performance.now();
    for (const r of rows) {
      this.version = Math.max(this.version, r.version);
      if (!this.arrivals.has(r.version)) this.arrivals.set(r.version, at);
    }
    return rows.length;
  }
  async markSynced(): Promise<void> {}
}

function randomUnit(): Float32Array {
  const v = new Float32Array(DIM);
  let n = 0;
  for (let i = 0; i < DIM; i++) {
    v[i] = Math.random() - 0.5;
    n += v[i]! * v[i]!;
  }
  n = Math.sqrt(n);
  for (let i = 0; i < DIM; i++) v[i]! /= n;
  return v;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

async function seed(client: pg.Client, key: Buffer): Promise<void> {
  // Straight into entities (as the owner), in large statements: seeding is setup, not measured.
  const BATCH = 2000;
  let rows: [string, string, string | null, Buffer][] = [];
  const flush = async () => {
    if (!rows.length) return;
    await client.query(
      `INSERT INTO entities (kind, id, parent, version, sealed, changed_by)
       SELECT k, i::uuid, p::uuid, nextval('change_version'), s, 'bench'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[]) AS t(k, i, p, s)`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
    );
    rows = [];
  };
  const now = new Date().toISOString();
  for (let p = 0; p < PEOPLE; p++) {
    const id = randomUUID();
    rows.push([
      'person',
      id,
      null,
      sealDoc(key, 'person', id, {
        name: `Person ${p}`,
        createdAt: now,
        disabled: false,
        groups: [DEFAULT_GROUP_ID],
      }),
    ]);
    for (let t = 0; t < TEMPLATES_PER_PERSON; t++) {
      const tid = randomUUID();
      const doc = {
        personId: id,
        recognizerId: 'bench',
        createdAt: now,
        embedding: randomUnit(),
      };
      rows.push(['template', tid, id, sealDoc(key, 'template', tid, doc)]);
    }
    if (rows.length >= BATCH) await flush();
  }
  await flush();
}

export const fleetSection: BenchSection = {
  title: 'fleet (PostgreSQL, 50 doors, 10,000 people × 5 templates)',
  async run(ctx) {
    let server: PostgresServer | null = null;
    let adminBase = process.env.TOBIRA_BENCH_DB ?? null;
    if (!adminBase) {
      if (!postgresBinDir())
        return {
          skipped: 'PostgreSQL is not installed (apt-get install postgresql) and $TOBIRA_BENCH_DB is not set',
        };
      server = await startPostgres();
      adminBase = server.url();
    }
    const root = await mkdtemp(path.join(tmpdir(), 'tobira-fleet-bench-'));
    const dbName = `tobira_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminBase });
    await admin.connect();
    const doors: FleetSync[] = [];
    try {
      await admin.query(`CREATE DATABASE ${dbName}`);
      const url = new URL(adminBase);
      url.pathname = `/${dbName}`;
      const adminUrl = url.toString();
      const init = await initFleet(adminUrl);
      const token = decodeToken(init.join!);
      const owner = new pg.Client({ connectionString: adminUrl });
      await owner.connect();
      try {
        ctx.log(`fleet: seeding ${PEOPLE} people × ${TEMPLATES_PER_PERSON} templates`);
        let t0 = performance.now();
        await seed(owner, token.keyBytes);
        const seedS = (performance.now() - t0) / 1000;

        // First sync of a new door: join (which pulls everything into its encrypted replica), then open the gallery.
        const dir = path.join(root, 'new-door');
        t0 = performance.now();
        const cpu0 = process.cpuUsage();
        const joined = await joinFleet({
          databaseUrl: adminUrl,
          token: init.join!,
          door: 'New door',
          dataDir: dir,
          wrapper: await FileKeyWrapper.open(path.join(dir, 'fleet.key'), { create: true }),
        });
        const pullMs = performance.now() - t0;
        const replica = await Replica.open(dir, joined.localKey, joined.fleet);
        const view = new FleetView(replica, joined.fleetKey);
        const gallery = view.gallery('bench');
        const firstSyncMs = performance.now() - t0;
        const firstSyncCpu = process.cpuUsage(cpu0);

        // Propagation: 50 listening doors; one admin disables/enables people one change at a time.
        const doorUrl = (() => {
          const u = new URL(adminUrl);
          u.username = token.user;
          u.password = token.password;
          return u.toString();
        })();
        const sinks: ArrivalSink[] = [];
        const commits = new Map<number, number>();
        const startVersion = replica.version;
        for (let i = 0; i < DOORS; i++) {
          const sink = new ArrivalSink(startVersion);
          const sync = new FleetSync(doorUrl, sink, { applicationName: `bench door ${i}` });
          const up = new Promise<void>((resolve) => sync.once('connected', () => resolve()));
          sync.start();
          await up;
          sinks.push(sink);
          doors.push(sync);
        }
        // The real-replica door too, as door-runtime.ts runs it: each batch is appended to its
        // encrypted replica and moves its view (and gallery) forward; a change has arrived when the
        // view that decides holds it. A batch may carry several changes: each gets its arrival.
        const realSync = new FleetSync(doorUrl, replica, { applicationName: 'bench real door' });
        const realArrivals = new Map<number, number>();
        let realView = view;
        realSync.on('applied', (e) => {
          realView = new FleetView(replica, joined.fleetKey, realView);
          realView.gallery('bench');
          const at = performance.now();
          for (const v of commits.keys()) if (v <= e.version && !realArrivals.has(v)) realArrivals.set(v, at);
        });
        const realUp = new Promise<void>((resolve) => realSync.once('connected', () => resolve()));
        realSync.start();
        await realUp;
        doors.push(realSync);
        const people = [...view.people.keys()].slice(0, CHANGES);
        for (const [i, id] of people.entries()) {
          const doc = { ...view.people.get(id)!, disabled: i % 2 === 0 };
          const sealed = sealDoc(token.keyBytes, 'person', id, {
            name: doc.name,
            createdAt: doc.createdAt,
            disabled: doc.disabled,
            groups: doc.groups,
          });
          const r = await owner.query<{ v: string }>(
            `SELECT tobira_put('person', $1, NULL, $2, 'bench') AS v`,
            [id, sealed],
          );
          commits.set(Number(r.rows[0]!.v), performance.now());
          // Wait for every simulated door, so each change is measured alone (no batching).
          const v = Number(r.rows[0]!.v);
          while (sinks.some((s) => s.version < v)) await new Promise((resolve) => setTimeout(resolve, 2));
        }
        const lastVersion = Math.max(...commits.keys());
        while (!realArrivals.has(lastVersion)) await new Promise((resolve) => setTimeout(resolve, 5));
        const delays: number[] = [];
        for (const s of sinks) for (const [v, at] of commits) delays.push(s.arrivals.get(v)! - at);
        delays.sort((a, b) => a - b);
        const realDelays = [...commits].map(([v, at]) => realArrivals.get(v)! - at).sort((a, b) => a - b);

        // Audit ingest: every door ships its local log at once.
        ctx.log(`fleet: writing ${DOORS} × ${AUDIT_PER_DOOR} local audit events`);
        const shippers: AuditShipper[] = [];
        for (let i = 0; i < DOORS; i++) {
          const ddir = path.join(root, `door-${i}`);
          const log = new AuditLog(path.join(ddir, 'audit'));
          for (let e = 0; e < AUDIT_PER_DOOR; e++) {
            await log.append({
              mode: 'identify',
              outcome: e % 3 ? 'unlocked' : 'rejected',
              reason: e % 3 ? 'match' : 'unknown_face',
              personId: null,
              personName: null,
              score: 0.5,
              threshold: 0.4,
              recognizerId: 'bench',
              gates: [],
              liveness: null,
              door: null,
            });
          }
          const { mkdir } = await import('node:fs/promises');
          await mkdir(path.join(ddir, 'fleet'), { recursive: true });
          // Each row is sealed under the fleet key as a door ships it (fleet/audit-seal.ts).
          shippers.push(new AuditShipper(ddir, log, `door-${i}`, randomBytes(32)));
        }
        // Each door appends audit in its own name through its own login (migration 2): register
        // the 50 doors as fleet join would, without pulling a replica for each.
        const shipperUrls: string[] = [];
        for (let i = 0; i < DOORS; i++) {
          const password = randomBytes(18).toString('base64url');
          const role = (
            await owner.query<{ r: string }>('SELECT tobira_join_door($1, $2, $3, $4) AS r', [
              token.token,
              token.secretBytes,
              `door-${i}`,
              scramVerifier(password),
            ])
          ).rows[0]!.r;
          const u = new URL(adminUrl);
          u.username = role;
          u.password = password;
          shipperUrls.push(u.toString());
        }
        const clients = await Promise.all(
          shippers.map(async (_, i) => {
            const c = new pg.Client({ connectionString: shipperUrls[i]! });
            await c.connect();
            return c;
          }),
        );
        t0 = performance.now();
        const shipped = await Promise.all(shippers.map((s, i) => s.ship(clients[i]!)));
        const ingestS = (performance.now() - t0) / 1000;
        await Promise.all(clients.map((c) => c.end()));
        const total = shipped.reduce((a, b) => a + b, 0);
        const rows = Number((await owner.query<{ n: string }>('SELECT count(*) AS n FROM audit')).rows[0]!.n);

        return {
          doors: DOORS,
          people: PEOPLE,
          templates: PEOPLE * TEMPLATES_PER_PERSON,
          seed_s: round(seedS),
          first_sync_ms: Math.round(firstSyncMs),
          first_sync_pull_and_replica_write_ms: Math.round(pullMs),
          // This process only (PostgreSQL's own work is not in it): what a shared machine cannot inflate.
          first_sync_cpu_ms: Math.round((firstSyncCpu.user + firstSyncCpu.system) / 1000),
          first_sync_gallery_entries: gallery.length,
          replica_version: replica.version,
          propagation_changes: commits.size,
          propagation_p50_ms: round(quantile(delays, 0.5)),
          propagation_p99_ms: round(quantile(delays, 0.99)),
          propagation_real_replica_p50_ms: round(quantile(realDelays, 0.5)),
          propagation_real_replica_p99_ms: round(quantile(realDelays, 0.99)),
          audit_events: total,
          audit_rows: rows,
          audit_ingest_events_per_s: Math.round(total / ingestS),
          goals: 'first sync < 10 s, propagation p99 < 2 s, ingest ≥ 2,000 events/s (2-core machine)',
        };
      } finally {
        await owner.end();
      }
    } finally {
      await Promise.all(doors.map((d) => d.stop()));
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      await server?.close();
      await rm(root, { recursive: true, force: true });
    }
  },
};

const OUTAGE_DOORS = 10;
const OUTAGE_TRIALS = 6;
/**
 * Each outage lasts this long or more: past the reconnect backoff's 5 s ceiling (250 ms doubling),
 * where the drill's disable took up to 5 s to arrive. A random extra spreads the trials over the
 * phase of the doors' retry timers.
 */
const OUTAGE_MS = 8000;
const OUTAGE_JITTER_MS = 4000;

/**
 * Revocation after an outage (issue 22): the database stops under 10 listening doors and starts
 * again; the moment it accepts, an admin disables a person; measured from that commit to the
 * change applied at each door. Needs a throwaway cluster to stop and start ($TOBIRA_BENCH_DB
 * cannot be stopped from here).
 */
export const fleetOutageSection: BenchSection = {
  title: 'fleet revocation after an outage (PostgreSQL, 10 doors)',
  async run(ctx) {
    if (!postgresBinDir())
      return {
        skipped:
          'PostgreSQL is not installed (apt-get install postgresql): the outage needs a throwaway cluster',
      };
    const server = await startPostgres();
    const doors: FleetSync[] = [];
    try {
      const adminUrl = await server.createDatabase('tobira_outage');
      const init = await initFleet(adminUrl);
      const token = decodeToken(init.join!);
      const doorUrl = (() => {
        const u = new URL(adminUrl);
        u.username = token.user;
        u.password = token.password;
        return u.toString();
      })();
      const personId = randomUUID();
      const put = async (disabled: boolean): Promise<number> => {
        const owner = new pg.Client({ connectionString: adminUrl });
        await owner.connect();
        try {
          const sealed = sealDoc(token.keyBytes, 'person', personId, {
            name: 'Revoked',
            createdAt: new Date().toISOString(),
            disabled,
            groups: [DEFAULT_GROUP_ID],
          });
          const r = await owner.query<{ v: string }>(
            `SELECT tobira_put('person', $1, NULL, $2, 'bench') AS v`,
            [personId, sealed],
          );
          return Number(r.rows[0]!.v);
        } finally {
          await owner.end();
        }
      };
      const startVersion = await put(false);
      const sinks: ArrivalSink[] = [];
      for (let i = 0; i < OUTAGE_DOORS; i++) {
        const sink = new ArrivalSink(0);
        const sync = new FleetSync(doorUrl, sink, { applicationName: `bench outage door ${i}` });
        sync.start();
        doors.push(sync);
        sinks.push(sink);
      }
      const until = async (test: () => boolean, what: string) => {
        const end = performance.now() + 60_000;
        while (!test()) {
          if (performance.now() > end)
            throw new Error(`fleet outage bench: ${what} did not happen within 60 s`);
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      };
      await until(() => sinks.every((s) => s.version >= startVersion), 'the first catch-up');
      const delays: number[] = [];
      for (let trial = 0; trial < OUTAGE_TRIALS; trial++) {
        ctx.log(`fleet outage: trial ${trial + 1} of ${OUTAGE_TRIALS}`);
        await server.stop();
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS + Math.random() * OUTAGE_JITTER_MS));
        await server.start();
        const version = await put(trial % 2 === 0);
        const committed = performance.now();
        await until(() => sinks.every((s) => s.version >= version), 'the change after the outage');
        for (const s of sinks) delays.push(s.arrivals.get(version)! - committed);
      }
      delays.sort((a, b) => a - b);
      return {
        doors: OUTAGE_DOORS,
        outages: OUTAGE_TRIALS,
        outage_s: `${OUTAGE_MS / 1000}–${(OUTAGE_MS + OUTAGE_JITTER_MS) / 1000}`,
        revocation_after_outage_p50_ms: round(quantile(delays, 0.5)),
        revocation_after_outage_p99_ms: round(quantile(delays, 0.99)),
        revocation_after_outage_max_ms: round(delays[delays.length - 1]!),
        goals: 'revocation after an outage p99 < 2 s',
      };
    } finally {
      await Promise.all(doors.map((d) => d.stop()));
      await server.close();
    }
  },
};
