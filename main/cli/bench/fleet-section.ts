// `npm run bench` section: fleet mode at building scale (issue 11). 50 simulated doors in this
// process against one PostgreSQL, 10,000 people × 5 templates:
//   - first sync of a new door: pull every row, write its encrypted replica, open the gallery;
//   - change propagation: commit → applied at every door (LISTEN/NOTIFY + catch-up query), p50/p99;
//   - audit ingest: 50 doors shipping their local audit logs at once, events/s.
// Uses $TOBIRA_BENCH_DB (a URL of a role that may create roles and databases) or starts a
// throwaway cluster from Debian's postgresql package; skips with the reason when neither is there.
// The embeddings are random unit vectors: recognition quality is not measured here, volume is.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AuditLog } from '../../audit/audit-log.js';
import type { BenchContext, BenchSection } from './types.js';
import { DOOR_MEMORY_ENV, type DoorMemory, type DoorMemorySpec } from './door-memory.js';
import { FileKeyWrapper } from '../../store/key-file.js';
import { doorGroupRole, initFleet } from '../../fleet/admin.js';
import { withClient } from '../../fleet/db.js';
import type { AdminKey } from '../../fleet/admin-key.js';
import { AuditShipper } from '../../fleet/audit-shipper.js';
import { DEFAULT_GROUP_ID, sealDoc, type EntityKind } from '../../fleet/entities.js';
import { doorTrust, VerifiedReplica } from '../../fleet/verify.js';
import { MANIFEST_ROWS, putManifest, putSigned } from '../../fleet/writer.js';
import { postgresCpuSeconds } from './postgres-cpu.js';
import { joinFleet, scramVerifier } from '../../fleet/join.js';
import type { EntityRow } from '../../fleet/replica.js';
import { FleetSync, type ChangeSink } from '../../fleet/sync.js';
import { decodeToken } from '../../fleet/token.js';
import { FleetView } from '../../fleet/view.js';
import { postgresBinDir, startPostgres, type PostgresServer } from './throwaway-postgres.js';
import { Replica } from '../../fleet/replica.js';
import { PackedGallery } from '../../recognition/packed-gallery.js';

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

type SeedRow = [kind: EntityKind, id: string, parent: string | null, sealed: Buffer];

/** One person (default group: every door, always) and their templates, sealed as the writer seals them. */
function personRows(key: Buffer, name: string, recognizerId: string, embeddings: Float32Array[]): SeedRow[] {
  const now = new Date().toISOString();
  const id = randomUUID();
  const doc = { name, createdAt: now, disabled: false, groups: [DEFAULT_GROUP_ID] };
  const rows: SeedRow[] = [['person', id, null, sealDoc(key, 'person', id, doc)]];
  for (const embedding of embeddings) {
    const tid = randomUUID();
    const template = { personId: id, recognizerId, createdAt: now, embedding };
    rows.push(['template', tid, id, sealDoc(key, 'template', tid, template)]);
  }
  return rows;
}

/**
 * As a campus import writes them: signed batches of MANIFEST_ROWS rows, one manifest signature
 * each, through tobira_put_manifest (migration 6; called as the owner here, the writer login in
 * the product). Seeding is setup, not measured.
 */
async function insertRows(client: pg.Client, admin: AdminKey, rows: SeedRow[]): Promise<void> {
  if (!rows.length) return;
  await putManifest(
    client,
    admin,
    rows.map(([kind, id, parent, sealed]) => ({ kind, id, parent, sealed })),
  );
}

export async function seed(
  client: pg.Client,
  key: Buffer,
  admin: AdminKey,
  people = PEOPLE,
  log?: (line: string) => void,
): Promise<void> {
  const BATCH = MANIFEST_ROWS;
  let rows: SeedRow[] = [];
  for (let p = 0; p < people; p++) {
    if (log && p > 0 && p % 20_000 === 0) log(`fleet: seeded ${p} people`);
    const embeddings = Array.from({ length: TEMPLATES_PER_PERSON }, randomUnit);
    rows.push(...personRows(key, `Person ${p}`, 'bench', embeddings));
    if (rows.length + TEMPLATES_PER_PERSON + 1 > BATCH) {
      await insertRows(client, admin, rows);
      rows = [];
    }
  }
  await insertRows(client, admin, rows);
}

/** Puts one real person into a fleet (the face-to-door bench's fleet door). */
export async function putPerson(
  adminUrl: string,
  key: Buffer,
  admin: AdminKey,
  name: string,
  person: { recognizerId: string; templates: Float32Array[] },
): Promise<void> {
  const owner = new pg.Client({ connectionString: adminUrl });
  await owner.connect();
  try {
    await insertRows(owner, admin, personRows(key, name, person.recognizerId, person.templates));
  } finally {
    await owner.end();
  }
}

/** A fresh database for a section: in $TOBIRA_BENCH_DB's server, or a throwaway cluster. */
export async function withBenchDatabase(
  work: (adminUrl: string) => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
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
  const dbName = `tobira_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminBase });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(adminBase);
    url.pathname = `/${dbName}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await server?.close();
  }
}

export const fleetSection: BenchSection = {
  title: 'fleet (PostgreSQL, 50 doors, 10,000 people × 5 templates)',
  run: (ctx) => withBenchDatabase((adminUrl) => fleetAtScale(ctx, adminUrl)),
};

async function fleetAtScale(ctx: BenchContext, adminUrl: string): Promise<Record<string, unknown>> {
  const load0 = os.loadavg()[0]!;
  const root = await mkdtemp(path.join(tmpdir(), 'tobira-fleet-bench-'));
  const doors: FleetSync[] = [];
  try {
    const init = await initFleet(adminUrl, { door: 'New door' });
    const token = decodeToken(init.join!);
    const owner = new pg.Client({ connectionString: adminUrl });
    await owner.connect();
    try {
      ctx.log(`fleet: seeding ${PEOPLE} people × ${TEMPLATES_PER_PERSON} templates`);
      let t0 = performance.now();
      await seed(owner, token.keyBytes, init.admin!);
      const seedS = (performance.now() - t0) / 1000;

      // First sync of a new door: join (which pulls everything into its encrypted replica), then open the gallery.
      const dir = path.join(root, 'new-door');
      t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const joined = await joinNewDoor(adminUrl, init.join!, dir);
      const pullMs = performance.now() - t0;
      const replica = await Replica.open(dir, joined.localKey, joined.fleet);
      const view = new FleetView(replica, joined.fleetKey);
      // Packed as the door packs it (the view's entries decode a template only when read).
      const gallery = PackedGallery.of(view.gallery('bench'));
      const firstSyncMs = performance.now() - t0;
      const firstSyncCpu = process.cpuUsage(cpu0);

      // Propagation: 50 listening doors; one admin disables/enables people one change at a time.
      // The joined door's own login (a join token's login may only redeem itself).
      const doorUrl = joined.databaseUrl;
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
      const realSync = new FleetSync(doorUrl, new VerifiedReplica(replica, doorTrust(joined)), {
        applicationName: 'bench real door',
      });
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
        const v = await putSigned(owner, init.admin!, { kind: 'person', id, parent: null, sealed });
        commits.set(v, performance.now());
        // Wait for every simulated door, so each change is measured alone (no batching).
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
        shippers.push(new AuditShipper(ddir, log, `door-${i}`, token.keyBytes));
      }
      // Each door appends audit in its own name through its own login (migration 2): register
      // the 50 doors as fleet join would, without pulling a replica for each.
      const shipperUrls: string[] = [];
      for (let i = 0; i < DOORS; i++)
        shipperUrls.push(await doorLogin(owner, adminUrl, init.fleet, token.token, `door-${i}`));
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
      const cpuS = (firstSyncCpu.user + firstSyncCpu.system) / 1e6;
      ctx.log(
        [
          `  README rows (load average ${round(load0)} → ${round(os.loadavg()[0]!)} on ${os.cpus().length} cores):`,
          `| first sync of a new door (pull ${replica.version.toLocaleString('en')} rows, write the replica, open the gallery) | ` +
            `${round(firstSyncMs / 1000)} s (pull and write: ${round(pullMs / 1000)} s; ${round(cpuS)} s of CPU) | < 10 s |`,
          `| change propagation to ${DOORS} doors, p50 / p99 | ${round(quantile(delays, 0.5))} / ${round(quantile(delays, 0.99))} ms | p99 < 2 s |`,
          `| same, a door with the full replica whose view and gallery move forward, p50 / p99 | ` +
            `${round(quantile(realDelays, 0.5))} / ${round(quantile(realDelays, 0.99))} ms | p99 < 2 s |`,
          `| audit ingest, ${DOORS} doors shipping at once, each in its own name | ` +
            `${Math.round(total / ingestS).toLocaleString('en')} events/s | ≥ 2,000/s |`,
        ].join('\n'),
      );

      return {
        doors: DOORS,
        people: PEOPLE,
        templates: PEOPLE * TEMPLATES_PER_PERSON,
        seed_s: round(seedS),
        first_sync_ms: Math.round(firstSyncMs),
        first_sync_pull_and_replica_write_ms: Math.round(pullMs),
        // This process only (PostgreSQL's own work is not in it): what a shared machine cannot inflate.
        first_sync_cpu_ms: Math.round((firstSyncCpu.user + firstSyncCpu.system) / 1000),
        first_sync_gallery_entries: gallery.size,
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
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * A door login registered by the owner as tobira_redeem_join does (migration 5), without a token
 * and a replica per door: its URL. The join token's own login may only redeem itself.
 */
async function doorLogin(
  owner: pg.ClientBase,
  adminUrl: string,
  fleetId: string,
  tokenId: string,
  name: string,
): Promise<string> {
  const password = randomBytes(18).toString('base64url');
  const role = `tobira_d_${randomBytes(10).toString('hex')}`;
  await owner.query(
    `CREATE ROLE ${role} LOGIN PASSWORD ${owner.escapeLiteral(scramVerifier(password))} IN ROLE ${doorGroupRole(fleetId)}`,
  );
  await owner.query('INSERT INTO doors (name, token_id, role_name) VALUES ($1, $2, $3)', [
    name,
    tokenId,
    role,
  ]);
  const u = new URL(adminUrl);
  u.username = role;
  u.password = password;
  return u.toString();
}

/** A new door joins: pulls every row into its encrypted replica (the first sync). */
async function joinNewDoor(databaseUrl: string, token: string, dataDir: string) {
  return joinFleet({
    databaseUrl,
    token,
    door: 'New door',
    dataDir,
    wrapper: await FileKeyWrapper.open(path.join(dataDir, 'fleet.key'), { create: true }),
  });
}

const CAMPUS_PEOPLE = 100_000;
/** Issue 20's goals for a door of a campus, on the 2-core machine. */
const CAMPUS_GOALS = { firstSyncS: 30, doorMb: 300 };

/**
 * Issue 20: a new door's first sync with 100,000 people × 5 templates (600,000 rows), and the
 * door's whole memory once it has started on that replica: a process of its own opens the
 * replica, builds the view and packs the gallery (door-memory.ts), then reports its RSS and heap.
 */
export const fleetCampusSection: BenchSection = {
  title: 'fleet campus: first sync and door memory (PostgreSQL, 100,000 people × 5 templates)',
  run: (ctx) =>
    withBenchDatabase(async (adminUrl) => {
      const root = await mkdtemp(path.join(tmpdir(), 'tobira-fleet-campus-'));
      const load0 = os.loadavg()[0]!;
      try {
        const init = await initFleet(adminUrl, { door: 'New door' });
        const token = decodeToken(init.join!);
        const owner = new pg.Client({ connectionString: adminUrl });
        await owner.connect();
        const t0 = performance.now();
        try {
          ctx.log(`fleet campus: seeding ${CAMPUS_PEOPLE} people × ${TEMPLATES_PER_PERSON} templates`);
          await seed(owner, token.keyBytes, init.admin!, CAMPUS_PEOPLE, ctx.log);
        } finally {
          await owner.end();
        }
        const seedS = (performance.now() - t0) / 1000;
        const loadSync = os.loadavg()[0]!;
        ctx.log('fleet campus: first sync of a new door');
        const dir = path.join(root, 'new-door');
        const port = Number(new URL(adminUrl).port || 5432);
        const pg0 = postgresCpuSeconds(port);
        const t1 = performance.now();
        const cpu0 = process.cpuUsage();
        const joined = await joinNewDoor(adminUrl, init.join!, dir);
        const syncS = (performance.now() - t1) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const pg1 = postgresCpuSeconds(port);
        // PostgreSQL's CPU over the sync, when the server is local (/proc); null otherwise.
        const pgCpuS = pg0 !== null && pg1 !== null ? pg1 - pg0 : null;
        ctx.log('fleet campus: the door starts on that replica (a process of its own)');
        const spec: DoorMemorySpec = {
          dataDir: dir,
          localKey: joined.localKey.toString('hex'),
          fleetKey: joined.fleetKey.toString('hex'),
          fleet: joined.fleet,
          recognizer: 'bench',
        };
        const door = await doorMemoryChild(spec);
        const load1 = os.loadavg()[0]!;
        const r = (v: number, d = 1) => round(v, d);
        const rows = [
          `  README rows (load average ${r(load0)} at the start, ${r(loadSync)} at the sync, ${r(load1)} at the end; ${os.cpus().length} cores):`,
          `| First sync of a new door, ${CAMPUS_PEOPLE.toLocaleString('en')} people × ${TEMPLATES_PER_PERSON} (${(CAMPUS_PEOPLE * (TEMPLATES_PER_PERSON + 1)).toLocaleString('en')} rows) | ${r(syncS)} s (${r((cpu.user + cpu.system) / 1e6)} s of CPU in the door${pgCpuS === null ? '' : `, ${r(pgCpuS)} s in PostgreSQL`}) | < ${CAMPUS_GOALS.firstSyncS} s |`,
          `| Door start on that replica (open it, build the view, pack the gallery) | ${door.open_s} s (${door.open_cpu_s} s of CPU) | – |`,
          `| Door memory, ${CAMPUS_PEOPLE.toLocaleString('en')} people × ${TEMPLATES_PER_PERSON} (replica open, view, packed gallery; no models) | the people: ${door.people_mb} MB (RSS ${door.rss_mb} MB, of which ${door.rss_empty_mb} MB before the replica was opened): matcher ${door.matcher_mb} MB (${door.storage}), replica index ${door.replica_index_mb} MB (its sealed rows' ${door.replica_sealed_mb} MB stay on disk), JS heap ${door.heap_used_mb} MB | ≤ ${CAMPUS_GOALS.doorMb} MB |`,
        ];
        ctx.log(rows.join('\n'));
        return {
          people: CAMPUS_PEOPLE,
          templates: CAMPUS_PEOPLE * TEMPLATES_PER_PERSON,
          seed_s: r(seedS),
          first_sync_s: r(syncS, 2),
          first_sync_cpu_s: r((cpu.user + cpu.system) / 1e6, 2),
          first_sync_postgres_cpu_s: pgCpuS === null ? null : r(pgCpuS, 2),
          door,
          load_average: { start: r(load0), sync: r(loadSync), end: r(load1) },
          goals_met: {
            first_sync: syncS < CAMPUS_GOALS.firstSyncS,
            door_memory: door.people_mb <= CAMPUS_GOALS.doorMb,
            door_rss_whole: door.rss_mb <= CAMPUS_GOALS.doorMb,
          },
        };
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    }),
};

/** Runs door-memory.ts in a child `tobira bench-suite` (this CLI, $TOBIRA_BENCH_DOOR_MEMORY set). */
function doorMemoryChild(spec: DoorMemorySpec): Promise<DoorMemory> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'bench-suite'], {
      env: { ...process.env, [DOOR_MEMORY_ENV]: JSON.stringify(spec) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()!) as DoorMemory);
      else reject(new Error(`the door's memory child exited with ${code}`));
    });
  });
}

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
      const init = await initFleet(adminUrl, { door: 'New door' });
      const token = decodeToken(init.join!);
      const doorUrl = await withClient(adminUrl, (owner) =>
        doorLogin(owner, adminUrl, init.fleet, token.token, 'outage'),
      );
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
          return await putSigned(owner, init.admin!, { kind: 'person', id: personId, parent: null, sealed });
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
      ctx.log(
        `  README row (load average ${round(os.loadavg()[0]!)} on ${os.cpus().length} cores):\n` +
          `| revocation after a database outage, ${OUTAGE_DOORS} doors × ${OUTAGE_TRIALS} outages, p50 / p99 | ` +
          `${round(quantile(delays, 0.5))} / ${round(quantile(delays, 0.99))} ms | p99 < 2 s |`,
      );
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
