// Keeps a replica in step with the fleet database. One connection LISTENs on tobira_changes;
// each notification (and a periodic poll, in case one is missed, and every reconnect) triggers
// a catch-up: the rows with a version above the replica's, in version order, in pages, each
// page applied atomically. When the database goes away the door keeps deciding from its
// replica; the connection is retried with backoff, and meanwhile a cheap TCP probe notices the
// database's return within PROBE_MS, so a revocation made just after it is back reaches the door
// at once rather than at the next backed-off try.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type pg from 'pg';
import { connect } from './db.js';
import { copyRows } from './copy-out.js';
import { describeDatabaseError, type FleetError } from './errors.js';
import { assertKnownSchema, schemaVersion } from './migrate.js';
import type { EntityRow } from './replica.js';

/** A signed batch as the manifests table holds it (migration 6; admin-key.ts's Manifest). */
export interface StoredManifest {
  id: string;
  signer: string;
  digests: Buffer;
  signature: Buffer;
}

/** What the feed applies to: the door's Replica, or a bench's in-memory stand-in. */
export interface ChangeSink {
  readonly version: number;
  /** `manifests`: those the rows name (signed batches), except the ones holdsManifest says it keeps. */
  apply(
    rows: readonly EntityRow[],
    syncedAt: number,
    manifests?: ReadonlyMap<string, StoredManifest>,
  ): Promise<number>;
  markSynced(at: number): Promise<void>;
  /** Whether the sink still holds manifest `id` from an earlier batch, so it need not be read again. */
  holdsManifest?(id: string): boolean;
}

/** The schema from which the feed has manifests (migration 6). */
const MANIFESTS_SCHEMA = 6;

/** Rows per query page (about 20 MB of templates). */
const PAGE_ROWS = 10_000;
/** Rows per atomic replica write: bounds memory on a catch-up of many changes (~150 MB). */
const BATCH_ROWS = 60_000;
/**
 * Rows per atomic write on a first sync (the replica empty): all of a campus's 600,000 rows in
 * one batch, which the replica writes as its snapshot at once (its index sized exactly). In
 * batches of 60,000 the first became the snapshot and each later one a journal frame, compacted as
 * the journal grew: measured at 100,000 people, batches of 120,000 took 19.6 s (21.2 s of door
 * CPU) against 13.2 s (14.5 s) for one batch, and left a 67 MB index against 52 MB. The price is
 * memory while the first sync runs: the batch's sealed bytes (about 2 KB a template) are held
 * until the snapshot is written. 1,200,000 rows: twice the campus goal, about 2.5 GB of sealed
 * rows; a fleet larger than that syncs in several batches.
 */
const FIRST_SYNC_ROWS = 1_200_000;
/** Poll even without notifications: refreshes "last known current" for the offline-grace clock. */
const DEFAULT_POLL_MS = 30_000;
/** Reconnect backoff: from 250 ms, doubling to 5 s (a restarted database is back within seconds). */
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5000;
/**
 * While the database is away, its port is probed this often (a TCP connect, no login): when it
 * accepts again, the door connects at once with the backoff reset. In the drill, a disable made
 * just after the database came back reached doors 2.1 s (up to 5 s: the backoff ceiling) later,
 * and a door unlocked the person just disabled; the goal is 2 s.
 */
const PROBE_MS = 250;
/** A probe to a host that does not answer gives up after this. */
const PROBE_TIMEOUT_MS = 1000;

export interface SyncEvents {
  applied: [{ version: number; changed: number }];
  applying: [{ from: number; rows: number }];
  connected: [];
  disconnected: [FleetError];
}

export class FleetSync extends EventEmitter<SyncEvents> {
  private client: pg.Client | null = null;
  private stopped = true;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private backoff = BACKOFF_MIN_MS;
  private connecting = false;
  private probing = false;
  private schema = 0;
  lastError: FleetError | null = null;

  constructor(
    private readonly url: string,
    readonly replica: ChangeSink,
    private readonly options: { pollMs?: number; now?: () => number; applicationName?: string } = {},
  ) {
    super();
  }

  get connected(): boolean {
    return this.client !== null;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connectLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    await this.running?.catch(() => undefined);
    await c?.end().catch(() => undefined);
  }

  private async connectLoop(): Promise<void> {
    if (this.stopped || this.client || this.connecting) return;
    this.connecting = true;
    try {
      const client = await connect(this.url, {
        applicationName: this.options.applicationName ?? 'tobira door',
      });
      this.schema = await schemaVersion(client);
      assertKnownSchema(this.schema);
      client.on('notification', () => void this.catchUp().catch(() => undefined));
      client.on('error', (e) => this.lost(client, e));
      client.on('end', () => this.lost(client, new Error('Connection terminated')));
      await client.query('LISTEN tobira_changes');
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.backoff = BACKOFF_MIN_MS;
      this.lastError = null;
      this.emit('connected');
      await this.catchUp().catch(() => undefined);
      this.schedulePoll();
    } catch (error) {
      this.lastError = describeDatabaseError(error, this.url);
      this.emit('disconnected', this.lastError);
      this.retryLater();
    } finally {
      this.connecting = false;
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    this.lastError = describeDatabaseError(error, this.url);
    this.emit('disconnected', this.lastError);
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connectLoop();
    }, this.backoff);
    this.backoff = Math.min(BACKOFF_MAX_MS, this.backoff * 2);
    void this.probe();
  }

  /**
   * While disconnected: probes the database's port every PROBE_MS; when it goes from closed to
   * accepting, connects now (the backed-off try may be seconds away). One probe loop at a time.
   */
  private async probe(): Promise<void> {
    const target = probeTarget(this.url);
    if (this.probing || !target) return;
    this.probing = true;
    try {
      let wasOpen = await portAccepts(target);
      while (!this.stopped && !this.client) {
        await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
        if (this.stopped || this.client) break;
        const open = await portAccepts(target);
        if (open && !wasOpen && !this.connecting) {
          if (this.timer) clearTimeout(this.timer);
          this.timer = null;
          this.backoff = BACKOFF_MIN_MS;
          void this.connectLoop();
        }
        wasOpen = open;
      }
    } finally {
      this.probing = false;
    }
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.catchUp()
        .catch(() => undefined)
        .finally(() => this.client && this.schedulePoll());
    }, this.options.pollMs ?? DEFAULT_POLL_MS);
  }

  /**
   * Applies every change above the replica's version. Single-flight: a call while one runs makes
   * that one go round again, so a notification arriving mid-page is never lost.
   */
  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pullAll();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async pullAll(): Promise<void> {
    const client = this.client;
    if (!client) throw this.lastError ?? new Error('not connected to the fleet database');
    await pullChanges(
      client,
      this.replica,
      () => this.now(),
      {
        applying: (e) => this.emit('applying', e),
        applied: (e) => this.emit('applied', e),
      },
      this.schema,
    );
  }
}

/** Where a database URL's server listens (TCP host and port); null when it cannot be told. */
function probeTarget(url: string): { host: string; port: number } | null {
  try {
    const u = new URL(url);
    if (!u.hostname) return null; // a Unix socket given in the query string: nothing to probe
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 5432) };
  } catch {
    return null;
  }
}

/** Whether a TCP connection to host:port is accepted within PROBE_TIMEOUT_MS (closed at once). */
function portAccepts(target: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(target);
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Pulls every row above the replica's version, page by page, each page applied atomically. */
export async function pullChanges(
  client: pg.ClientBase,
  replica: ChangeSink,
  now: () => number = Date.now,
  on: {
    applying?: (e: { from: number; rows: number }) => void;
    applied?: (e: { version: number; changed: number }) => void;
  } = {},
  /** The database's schema version; read when not given. */
  schema?: number,
): Promise<void> {
  const manifests = (schema ?? (await schemaVersion(client))) >= MANIFESTS_SCHEMA;
  for (;;) {
    const readAt = now();
    const batchRows = replica.version === 0 ? FIRST_SYNC_ROWS : BATCH_ROWS;
    // Read pages until caught up (or the batch is big), then apply them in one atomic write:
    // one replica rewrite per batch instead of one per page.
    const rows: EntityRow[] = [];
    let from = replica.version;
    for (;;) {
      // Binary COPY: the sealed bytes as stored, no text encoding on either side (copy-out.ts).
      const page = await copyRows(client, from, PAGE_ROWS, manifests);
      for (const row of page) rows.push(row);
      if (page.length < PAGE_ROWS || rows.length >= batchRows) break;
      from = rows[rows.length - 1]!.version;
    }
    if (rows.length === 0) {
      await replica.markSynced(readAt);
      return;
    }
    on.applying?.({ from: replica.version, rows: rows.length });
    const changed = await replica.apply(rows, readAt, await manifestsFor(client, rows, replica));
    on.applied?.({ version: replica.version, changed });
    if (rows.length < batchRows) return;
  }
}

/**
 * The manifests `rows` name that `sink` does not hold already: one query per batch. A batch of
 * 60,000 rows names at most 60,000 digests (32 bytes each), so this stays within a batch's memory.
 */
async function manifestsFor(
  client: pg.ClientBase,
  rows: readonly EntityRow[],
  sink: ChangeSink,
): Promise<Map<string, StoredManifest> | undefined> {
  const ids = new Set<string>();
  let last: string | undefined;
  for (const row of rows) {
    const id = row.signed?.manifest?.id;
    // A manifest's rows come one after another (consecutive versions): look each up once.
    if (!id || id === last) continue;
    last = id;
    if (!ids.has(id) && !sink.holdsManifest?.(id)) ids.add(id);
  }
  if (ids.size === 0) return undefined;
  const r = await client.query<StoredManifest>(
    'SELECT id, signer, digests, signature FROM manifests WHERE id = ANY($1::uuid[])',
    [[...ids]],
  );
  return new Map(r.rows.map((m) => [m.id, m]));
}

/** One-shot catch-up for CLI commands: connect, pull everything new, disconnect. */
export async function catchUpOnce(url: string, replica: ChangeSink): Promise<void> {
  const client = await connect(url, { applicationName: 'tobira cli' });
  try {
    const schema = await schemaVersion(client);
    assertKnownSchema(schema);
    await pullChanges(client, replica, Date.now, {}, schema);
  } catch (error) {
    throw describeDatabaseError(error, url);
  } finally {
    await client.end().catch(() => undefined);
  }
}
