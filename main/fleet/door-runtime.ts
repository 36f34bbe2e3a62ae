// A door of a fleet at run time: its replica kept in step (sync.ts), local decisions against it
// (identification, then the access groups), audit written locally first and shipped after, and
// events on MQTT. Used by `tobira fleet run` (a headless door) and started by the tests in
// separate processes as the three kiosks. Wiring it into the Electron kiosk's frame path is next.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { AuditLog } from '../audit/audit-log.js';
import type { AuditInput, AuditRecord } from '../audit/types.js';
import { identify } from '../recognition/matcher.js';
import { PackedGallery } from '../recognition/packed-gallery.js';
import type { KeyWrapper } from '../store/key-wrapper.js';
import { AuditShipper } from './audit-shipper.js';
import { connect } from './db.js';
import { describeDatabaseError, type FleetError } from './errors.js';
import { readDoorConfig, type DoorConfig } from './local.js';
import {
  doorEventOf,
  DoorMqtt,
  DoorMqttLink,
  remoteUnlockAudit,
  type RemoteUnlockRequest,
} from './mqtt-events.js';
import { Replica } from './replica.js';
import { FleetSync } from './sync.js';
import { FleetView } from './view.js';

/** The screen warns when less than this much offline grace is left (a tenth of the 24 h default). */
const GRACE_WARNING_MS = 2.4 * 60 * 60 * 1000;

export type FleetReason =
  'unknown_face' | 'not_permitted_now' | 'offline_too_long' | 'person_disabled' | 'unknown_person';

export interface FleetDecision {
  outcome: 'unlocked' | 'rejected';
  reason: 'match' | FleetReason;
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
}

export class FleetDoor extends EventEmitter<DoorRuntimeEvents> {
  private view: FleetView;
  /** The view's gallery packed for 1:N (recognition/packed-gallery.ts), synced per batch. */
  private readonly packed = new PackedGallery();
  private mqtt: DoorMqttLink | null = null;
  private shipping: Promise<void> | null = null;
  private shipAgain = false;
  readonly audit: AuditLog;
  readonly shipper: AuditShipper;
  readonly sync: FleetSync;

  private constructor(
    readonly config: DoorConfig,
    readonly replica: Replica,
    private readonly options: FleetDoorOptions,
  ) {
    super();
    this.view = new FleetView(replica, config.fleetKey);
    this.audit = new AuditLog(path.join(config.dir, 'audit'));
    this.shipper = new AuditShipper(config.dir, this.audit, config.door);
    this.sync = new FleetSync(config.databaseUrl, replica, {
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
    this.sync.start();
    const settings = this.config.mqtt;
    if (settings && this.options.mqtt !== false) {
      this.mqtt = new DoorMqttLink(
        () =>
          DoorMqtt.connect(
            settings,
            this.config.fleet,
            this.config.door,
            (request) => void this.remoteUnlock(request),
            () => this.now(),
          ),
        (line) => this.emit('mqtt', { message: line }),
      );
    }
  }

  async close(): Promise<void> {
    await this.sync.stop();
    await this.shipping?.catch(() => undefined);
    await this.mqtt?.close().catch(() => undefined);
    this.mqtt = null;
  }

  get fleetView(): FleetView {
    return this.view;
  }

  status(): FleetStatus {
    const now = this.now();
    const synced = this.replica.syncedAt;
    const lag = synced === 0 ? Number.POSITIVE_INFINITY : Math.max(0, now - synced);
    const graceLeft = synced === 0 ? -1 : this.config.offlineGraceMs - lag;
    return {
      door: this.config.door,
      connected: this.sync.connected,
      version: this.replica.version,
      lag_ms: Number.isFinite(lag) ? lag : -1,
      grace_left_ms: graceLeft,
      grace_warning: graceLeft < GRACE_WARNING_MS,
    };
  }

  /**
   * One decision on a face embedding: who is it (1:N against the replica), may they open this
   * door now (access groups), and the offline-grace rule first of all. Audited locally, then
   * shipped and announced.
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
    let reason: FleetDecision['reason'];
    let match: { personId: string; name: string; score: number } | null = null;
    let score: number | null = null;
    if (this.status().grace_left_ms < 0) reason = 'offline_too_long';
    else {
      const ranking = identify(probe, this.packed.sync(this.view.gallery(recognizerId)), threshold);
      score = ranking.best?.score ?? null;
      if (!ranking.match) reason = 'unknown_face';
      else {
        match = ranking.match;
        const access = this.view.access(match.personId, this.config.door, now);
        reason = access.ok ? 'match' : access.reason;
      }
    }
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

  /** Writes the record locally (durable), then ships and publishes it in the background. */
  async record(input: AuditInput): Promise<AuditRecord> {
    const record = await this.audit.append(input);
    this.shipSoon();
    await this.mqtt?.publish(doorEventOf(record, this.config.door)).catch(() => undefined);
    return record;
  }

  private async remoteUnlock(request: RemoteUnlockRequest): Promise<void> {
    const record = await this.record({
      ...remoteUnlockAudit(request, null),
      time: new Date(this.now()).toISOString(),
    });
    this.emit('remote_unlock', { ...request, record });
  }

  /** Ships pending audit on its own connection; a failure keeps the records queued for the next try. */
  shipSoon(): Promise<void> {
    if (this.shipping) {
      this.shipAgain = true;
      return this.shipping;
    }
    this.shipping = (async () => {
      try {
        do {
          this.shipAgain = false;
          const client = await connect(this.config.databaseUrl, {
            applicationName: `tobira audit ${this.config.door}`,
          });
          try {
            const count = await this.shipper.ship(client);
            if (count > 0) this.emit('shipped', { count });
          } finally {
            await client.end().catch(() => undefined);
          }
        } while (this.shipAgain);
      } catch (error) {
        this.emit('ship_failed', describeDatabaseError(error, this.config.databaseUrl));
      } finally {
        this.shipping = null;
      }
    })();
    return this.shipping;
  }
}
