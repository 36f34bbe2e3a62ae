// A door of a fleet at run time: its replica kept in step (sync.ts), local decisions against it
// (identification, then the fleet's one rule, door-rules.ts), audit written locally first and
// shipped after, and events on MQTT. Used by `tobira fleet run` (a headless door), by the
// Electron kiosk through kiosk-fleet.ts, and started by the tests in separate processes as doors.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AuditLog } from '../audit/audit-log.js';
import type { AuditInput, AuditRecord } from '../audit/types.js';
import { identify } from '../recognition/matcher.js';
import { PackedGallery } from '../recognition/packed-gallery.js';
import type { KeyWrapper } from '../store/key-wrapper.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { AuditShipper, type Backlog } from './audit-shipper.js';
import { connect } from './db.js';
import { fleetRefusal, graceLeftMs, type DoorRuleState, type FleetRefusal } from './door-rules.js';
import { describeDatabaseError, type FleetError } from './errors.js';
import { DOOR_STATUS_FILE, fleetDir, readDoorConfig, type DoorConfig, type DoorSideStatus } from './local.js';
import {
  doorEventOf,
  DoorMqtt,
  DoorMqttLink,
  type MqttLinkStatus,
  type RemoteUnlockRequest,
} from './mqtt-events.js';
import { RemoteUnlockAudit } from './remote-unlock-audit.js';
import { Replica } from './replica.js';
import { describeRefusal, doorTrust, VerifiedReplica } from './verify.js';
import { UNLOCK_NONCES_FILE, UnlockReplayStore } from './unlock-replay.js';
import { FleetSync } from './sync.js';
import { describeUnreadable, FleetView } from './view.js';

/** The screen warns when less than this much offline grace is left (a tenth of the 24 h default). */
const GRACE_WARNING_MS = 2.4 * 60 * 60 * 1000;
/**
 * A door with audit waiting tries shipping again this often, decision or not: in the drill a
 * quiet door kept 33 records queued for 70 s after the database was writable again, until the
 * next decision. 5 s: the database's reconnect backoff ceiling (sync.ts), one INSERT per try.
 */
export const SHIP_RETRY_MS = 5000;
/** fleet/door-status.json is rewritten at most this often for the MQTT queue's count alone. */
const SIDE_STATUS_EVERY_MS = 1000;

export interface FleetDecision {
  outcome: 'unlocked' | 'rejected';
  reason: 'match' | FleetRefusal;
  personId: string | null;
  name: string | null;
  score: number | null;
  record: AuditRecord;
}

export interface FleetStatus {
  door: string;
  connected: boolean;
  version: number;
  /** ms since the replica was last confirmed current (0 right after a catch-up). */
  lag_ms: number;
  /** ms of offline grace left; negative once the door refuses everyone. */
  grace_left_ms: number;
  /** Less than GRACE_WARNING_MS left: the screen says so. */
  grace_warning: boolean;
  /** Decisions written locally and not yet confirmed in the fleet database. */
  audit_pending: number;
  /** ms since the oldest of them was written; null when none wait. */
  audit_oldest_ms: number | null;
  /** Why the last try to ship failed; null once a try succeeds. */
  ship_error: string | null;
  /** The MQTT link (off MQTT, and how many events wait for the broker); null without MQTT settings. */
  mqtt: MqttLinkStatus | null;
  /** Changes refused since the door started (verify.ts), and the last one's reason. */
  refused_changes: number;
  last_refusal: string | null;
}

export interface FleetDoorOptions {
  now?: () => number;
  pollMs?: number;
  /** Connect to MQTT when the door has broker settings (default true). */
  mqtt?: boolean;
}

interface DoorRuntimeEvents {
  applied: [{ version: number; changed: number }];
  applying: [{ from: number; rows: number }];
  shipped: [{ count: number }];
  ship_failed: [FleetError];
  connected: [];
  disconnected: [FleetError];
  remote_unlock: [RemoteUnlockRequest & { record: AuditRecord }];
  /** The MQTT link's problems and recoveries, one line each (DoorMqttLink). */
  mqtt: [{ message: string }];
  /** A change the door would not apply (verify.ts): unsigned, wrongly signed, or a rollback. */
  refused: [{ message: string }];
}

/** A door's backlog as its files show it, for `tobira fleet status` (the door may be running elsewhere). */
export async function backlogOnDisk(
  config: DoorConfig,
  now: number,
): Promise<
  Pick<FleetStatus, 'audit_pending' | 'audit_oldest_ms' | 'ship_error' | 'mqtt'> & { as_of: string | null }
> {
  const shipper = new AuditShipper(
    config.dir,
    new AuditLog(path.join(config.dir, 'audit')),
    config.door,
    config.fleetKey,
  );
  const backlog = await shipper.backlog();
  let side: DoorSideStatus | null = null;
  try {
    side = JSON.parse(
      await readFile(path.join(fleetDir(config.dir), DOOR_STATUS_FILE), 'utf8'),
    ) as DoorSideStatus;
  } catch {
    side = null; // the door has not run since it joined, or the file is unreadable: nothing known
  }
  return {
    audit_pending: backlog.count,
    audit_oldest_ms: backlog.oldest === null ? null : Math.max(0, now - Date.parse(backlog.oldest)),
    ship_error: side?.ship_error ?? null,
    mqtt: config.mqtt ? (side?.mqtt ?? null) : null,
    as_of: side?.at ?? null,
  };
}

export class FleetDoor extends EventEmitter<DoorRuntimeEvents> {
  private view: FleetView;
  /** The view's gallery packed for 1:N (recognition/packed-gallery.ts), synced per batch. */
  private readonly packed = new PackedGallery();
  private mqtt: DoorMqttLink | null = null;
  private shipping: Promise<void> | null = null;
  private shipAgain = false;
  private shipRetry: NodeJS.Timeout | null = null;
  private closing = false;
  private shipError: string | null = null;
  /** What waits to be shipped, as of the last ship or record (status() reads it without I/O). */
  private backlog: Backlog = { count: 0, oldest: null };
  private sideStatus: Promise<void> = Promise.resolve();
  private sideStatusTimer: NodeJS.Timeout | null = null;
  readonly audit: AuditLog;
  private readonly remoteUnlocks: RemoteUnlockAudit;
  readonly shipper: AuditShipper;
  readonly sync: FleetSync;
  /** The replica behind the checks every change passes before it is applied. */
  private readonly verified: VerifiedReplica;

  private constructor(
    readonly config: DoorConfig,
    readonly replica: Replica,
    private readonly options: FleetDoorOptions,
  ) {
    super();
    // A row that no longer opens (altered on disk) is left out of the view and logged, as a refused change is.
    this.view = new FleetView(replica, config.fleetKey, undefined, (u) =>
      this.emit('refused', { message: describeUnreadable(u) }),
    );
    this.audit = new AuditLog(path.join(config.dir, 'audit'));
    this.remoteUnlocks = new RemoteUnlockAudit((input) => this.record(input), { now: () => this.now() });
    this.shipper = new AuditShipper(config.dir, this.audit, config.door, config.fleetKey);
    this.verified = new VerifiedReplica(replica, doorTrust(config), (r) =>
      this.emit('refused', { message: describeRefusal(r) }),
    );
    this.sync = new FleetSync(config.databaseUrl, this.verified, {
      now: () => this.now(),
      applicationName: `tobira door ${config.door}`,
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    });
    this.sync.on('applying', (e) => this.emit('applying', e));
    this.sync.on('applied', (e) => {
      this.view = new FleetView(this.replica, this.config.fleetKey, this.view);
      this.emit('applied', e);
    });
    this.sync.on('connected', () => {
      this.emit('connected');
      this.shipSoon();
    });
    this.sync.on('disconnected', (e) => this.emit('disconnected', e));
  }

  static async open(
    dataDir: string,
    wrapper: KeyWrapper,
    options: FleetDoorOptions = {},
  ): Promise<FleetDoor> {
    const config = await readDoorConfig(dataDir, wrapper);
    const replica = await Replica.open(dataDir, config.localKey, config.fleet);
    return new FleetDoor(config, replica, options);
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Follows the change feed, ships audit, and connects to MQTT. Never throws for an unreachable server. */
  async start(): Promise<void> {
    // Rows the first view left out, found before anyone listened (later views report as they build).
    for (const u of this.view.unreadable) this.emit('refused', { message: describeUnreadable(u) });
    this.backlog = await this.shipper.backlog();
    this.sync.start();
    if (this.options.mqtt !== false) {
      this.connectMqtt(
        (request) => void this.remoteUnlock(request),
        (line) => this.emit('mqtt', { message: line }),
      );
    }
    if (this.backlog.count > 0) this.retryShipping();
  }

  /**
   * Connects this door to its broker (when it has MQTT settings) and keeps it connected; the
   * door's status then shows the link, and the audit backlog is raised as a problem on it.
   * The kiosk calls it itself, with its own remote-unlock handler (FleetDoor opened mqtt: false).
   */
  connectMqtt(
    onUnlock: (request: RemoteUnlockRequest) => void,
    log: (line: string) => void,
  ): DoorMqttLink | null {
    const settings = this.config.mqtt;
    if (!settings || this.mqtt) return this.mqtt;
    // One replay store for every connection the link makes: a reconnect forgets no nonce.
    let replay: Promise<UnlockReplayStore> | null = null;
    const link = new DoorMqttLink(
      async () => {
        replay ??= UnlockReplayStore.open(
          path.join(fleetDir(this.config.dir), UNLOCK_NONCES_FILE),
          this.now(),
        );
        const store = await replay.catch((error: unknown) => {
          replay = null;
          throw error;
        });
        return DoorMqtt.connect(
          settings,
          this.config.fleet,
          this.config.door,
          onUnlock,
          () => this.now(),
          store,
        );
      },
      log,
      () => this.now(),
    );
    link.onChange = () => this.saveSideStatus();
    this.mqtt = link;
    this.raiseBacklogProblem();
    return link;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.remoteUnlocks.flush();
    await this.sync.stop();
    if (this.shipRetry) clearTimeout(this.shipRetry);
    if (this.sideStatusTimer) clearTimeout(this.sideStatusTimer);
    this.shipRetry = null;
    await this.shipping?.catch(() => undefined);
    await this.mqtt?.close().catch(() => undefined);
    this.mqtt = null;
    await this.sideStatus;
  }

  get fleetView(): FleetView {
    return this.view;
  }

  status(): FleetStatus {
    const now = this.now();
    const synced = this.replica.syncedAt;
    const lag = synced === 0 ? Number.POSITIVE_INFINITY : Math.max(0, now - synced);
    const graceLeft = graceLeftMs(synced, this.config.offlineGraceMs, now);
    return {
      door: this.config.door,
      connected: this.sync.connected,
      version: this.replica.version,
      lag_ms: Number.isFinite(lag) ? lag : -1,
      grace_left_ms: graceLeft,
      grace_warning: graceLeft < GRACE_WARNING_MS,
      audit_pending: this.backlog.count,
      audit_oldest_ms:
        this.backlog.oldest === null ? null : Math.max(0, now - Date.parse(this.backlog.oldest)),
      ship_error: this.shipError,
      mqtt: this.mqtt?.status() ?? null,
      refused_changes: this.verified.refused,
      last_refusal: this.verified.lastRefusal && describeRefusal(this.verified.lastRefusal),
    };
  }

  /** Throws when the doors would refuse what `admin` signs (verify.ts): said before anything is written. */
  assertTrustedAdmin(admin: { keyId: string; name: string }): void {
    this.verified.assertTrusted(admin);
  }

  /** What the fleet's rule (door-rules.ts) reads now: the replica's view and the grace left. */
  ruleState(): DoorRuleState {
    return { view: this.view, door: this.config.door, graceLeftMs: this.status().grace_left_ms };
  }

  /**
   * One decision on a face embedding: who is it (1:N against the replica), then the fleet's one
   * rule for them (door-rules.ts, as the kiosk and `tobira identify` apply it). Audited locally,
   * then shipped and announced.
   */
  async decide(probe: Float32Array, recognizerId: string, threshold: number): Promise<FleetDecision> {
    const now = this.now();
    const base = {
      mode: 'identify' as const,
      threshold,
      recognizerId,
      gates: [],
      liveness: null,
      door: null,
    };
    const ranking = identify(probe, this.packed.sync(this.view.gallery(recognizerId)), threshold);
    const score = ranking.best?.score ?? null;
    const match = ranking.match;
    const reason = match ? (fleetRefusal(this.ruleState(), match.personId, now) ?? 'match') : 'unknown_face';
    const outcome = reason === 'match' ? 'unlocked' : 'rejected';
    const input: AuditInput = {
      ...base,
      time: new Date(now).toISOString(),
      outcome,
      reason,
      personId: match?.personId ?? null,
      personName: match?.name ?? null,
      score,
    };
    const record = await this.record(input);
    return { outcome, reason, personId: match?.personId ?? null, name: match?.name ?? null, score, record };
  }

  /**
   * Writes the record locally (durable), then ships and publishes it in the background: nothing
   * here waits for the database or the broker.
   */
  async record(input: AuditInput): Promise<AuditRecord> {
    const record = await this.audit.append(input);
    this.announce(record);
    return record;
  }

  /** A record written to this door's audit log (by this runtime or the kiosk): ship it, publish it. */
  announce(record: AuditRecord): void {
    this.backlog = { count: this.backlog.count + 1, oldest: this.backlog.oldest ?? record.time };
    void this.shipSoon();
    void this.mqtt?.publish(doorEventOf(record, this.config.door));
    if (this.mqtt && !this.mqtt.connected) this.saveSideStatusSoon();
  }

  private async remoteUnlock(request: RemoteUnlockRequest): Promise<void> {
    const record = await this.remoteUnlocks.record(request, null, new Date(this.now()).toISOString());
    // A refusal counted into a burst has no line of its own (remote-unlock-audit.ts).
    if (record) this.emit('remote_unlock', { ...request, record });
  }

  /** Ships pending audit on its own connection; a failure keeps the records queued for the next try. */
  shipSoon(): Promise<void> {
    if (this.shipping) {
      this.shipAgain = true;
      return this.shipping;
    }
    this.shipping = (async () => {
      let failed: FleetError | null = null;
      let sent = 0;
      try {
        do {
          this.shipAgain = false;
          const client = await connect(this.config.databaseUrl, {
            applicationName: `tobira audit ${this.config.door}`,
          });
          try {
            sent += await this.shipper.ship(client);
            this.shipError = null;
          } finally {
            await client.end().catch(() => undefined);
          }
        } while (this.shipAgain);
      } catch (error) {
        failed = describeDatabaseError(error, this.config.databaseUrl);
        this.shipError = failed.message;
      } finally {
        this.backlog = await this.shipper.backlog().catch(() => this.backlog);
        this.shipping = null;
        this.raiseBacklogProblem();
        this.saveSideStatus();
        if (this.backlog.count > 0) this.retryShipping();
      }
      // After the status file says so too: whoever hears it can read the same from `fleet status`.
      await this.sideStatus;
      if (sent > 0) this.emit('shipped', { count: sent });
      if (failed) this.emit('ship_failed', failed);
    })();
    return this.shipping;
  }

  /** Ships again in SHIP_RETRY_MS (one timer at a time), so a quiet door's backlog leaves too. */
  private retryShipping(): void {
    if (this.shipRetry || this.closing) return;
    this.shipRetry = setTimeout(() => {
      this.shipRetry = null;
      void this.shipSoon();
    }, SHIP_RETRY_MS);
  }

  /** MQTT's problem state: audit waits and the last try to ship it failed. */
  private raiseBacklogProblem(): void {
    this.mqtt?.problem('audit_backlog', this.backlog.count > 0 && this.shipError !== null);
  }

  /**
   * What only the running door knows (its last shipping error, its MQTT link), for
   * `tobira fleet status` in another process: fleet/door-status.json, written in order.
   */
  /** The queue's count while off MQTT: at most one write a second, off the decision's own write. */
  private saveSideStatusSoon(): void {
    if (this.sideStatusTimer || this.closing) return;
    this.sideStatusTimer = setTimeout(() => {
      this.sideStatusTimer = null;
      this.saveSideStatus();
    }, SIDE_STATUS_EVERY_MS);
  }

  private saveSideStatus(): void {
    const side: DoorSideStatus = {
      at: new Date(this.now()).toISOString(),
      ship_error: this.shipError,
      mqtt: this.mqtt?.status() ?? null,
    };
    const file = path.join(fleetDir(this.config.dir), DOOR_STATUS_FILE);
    this.sideStatus = this.sideStatus
      .then(() => writeFileAtomic(file, JSON.stringify(side) + '\n'))
      .catch(() => undefined);
  }
}
