// The kiosk as a door of a fleet (issue 11): the fleet runtime (main/fleet/door-runtime.ts) keeps
// the replica in step and ships audit; this file adds what the Electron kiosk needs on top of
// its public API. The kiosk's own chained audit log is the one writer of `<data dir>/audit`:
// FleetDoor reads the same folder (config.dir/audit) to ship it, so each decision is written
// once, MAC-chained, and reaches the database exactly once. MQTT is connected here rather than
// inside FleetDoor (opened with mqtt: false) because FleetDoor publishes only records it wrote
// itself; the kiosk publishes the records its unlock flow wrote.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AuditRecord } from '../audit/types.js';
import { withClient } from './db.js';
import { fleetRefusal, type FleetRefusal } from './door-rules.js';
import { FleetDoor, type FleetStatus } from './door-runtime.js';
import { FleetError } from './errors.js';
import { cliKeyWrapper } from './local.js';
import type { DoorMqttLink, RemoteUnlockRequest } from './mqtt-events.js';
import type { FleetView } from './view.js';
import { FleetWriter, writerUrl } from './writer.js';
import { AdminKey } from './admin-key.js';
import type { KeyWrapper } from '../store/key-wrapper.js';

export type { FleetStatus } from './door-runtime.js';

/**
 * How long an admin's change may take to come back through the change feed before the screen
 * answers anyway (the change is committed; the replica shows it when the feed delivers it).
 * 5 s: the database connect timeout (fleet/db.ts), well above the 2 s propagation goal.
 */
const OWN_CHANGE_WAIT_MS = 5000;

export interface KioskFleetOptions {
  now?: () => number;
  log?: (message: string) => void;
  /** Poll interval of the change feed (tests shorten it). */
  pollMs?: number;
  /** Called for each checked remote-unlock command (only when enabled in the door's MQTT settings). */
  onRemoteUnlock?: (request: RemoteUnlockRequest) => void;
}

export class KioskFleet {
  private mqtt: DoorMqttLink | null = null;
  /** The admin key brought to the current admin session (memory only). */
  private admin: AdminKey | null = null;

  private constructor(
    readonly door: FleetDoor,
    private readonly options: KioskFleetOptions,
  ) {}

  /**
   * Opens a joined data folder with the kiosk's key store; a folder joined with
   * `tobira fleet join` is sealed by the CLI's key file (fleet.key) instead, which is tried next.
   */
  static async open(
    dataDir: string,
    wrapper: KeyWrapper,
    options: KioskFleetOptions = {},
  ): Promise<KioskFleet> {
    const doorOptions = {
      mqtt: false,
      ...(options.now ? { now: options.now } : {}),
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    };
    let door: FleetDoor;
    try {
      door = await FleetDoor.open(dataDir, wrapper, doorOptions);
    } catch (error) {
      const cliKey = path.join(dataDir, 'fleet.key');
      // Another kind of key store, or another key of the same kind (the kiosk's key file beside
      // the CLI's fleet.key): readDoorConfig says wrong_key either way.
      const wrongKey = error instanceof FleetError && error.code === 'wrong_key';
      if (!(wrongKey && existsSync(cliKey))) throw error;
      door = await FleetDoor.open(dataDir, await cliKeyWrapper(dataDir, false), doorOptions);
    }
    return new KioskFleet(door, options);
  }

  get name(): string {
    return this.door.config.door;
  }

  get fleetId(): string {
    return this.door.config.fleet;
  }

  get view(): FleetView {
    return this.door.fleetView;
  }

  /** Follows the change feed and connects to MQTT; an unreachable server is logged, never fatal. */
  async start(): Promise<void> {
    // Each failed reconnect (every few seconds) says the same: logged when it changes, not each time.
    let lastProblem: string | null = null;
    this.door.on('connected', () => {
      if (lastProblem !== null) this.log('fleet database: connected again');
      lastProblem = null;
    });
    this.door.on('disconnected', (e) => {
      if (e.message !== lastProblem) this.log(`fleet database: ${e.message}`);
      lastProblem = e.message;
    });
    this.door.on('ship_failed', (e) => this.log(`fleet audit not shipped yet: ${e.message}`));
    // A change the door would not apply (unsigned, wrongly signed, rolled back): named in the log.
    this.door.on('refused', (e) => this.log(`fleet: ${e.message}`));
    await this.door.start();
    this.mqtt = this.door.connectMqtt(
      (request) => this.options.onRemoteUnlock?.(request),
      (line) => this.log(line),
    );
  }

  /**
   * Resolves once the change feed has connected or failed its first try, or
   * after `timeoutMs`: a status read then says what is, not "still connecting".
   */
  firstContact(timeoutMs = OWN_CHANGE_WAIT_MS): Promise<void> {
    if (this.door.sync.connected) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.door.off('connected', done);
        this.door.off('disconnected', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.door.on('connected', done);
      this.door.on('disconnected', done);
    });
  }

  async close(): Promise<void> {
    await this.mqtt?.close().catch(() => undefined);
    this.mqtt = null;
    await this.door.close();
  }

  /** Calls `listener` after each batch the change feed applied (people, templates, groups). */
  onChanged(listener: () => void): () => void {
    this.door.on('applied', listener);
    return () => this.door.off('applied', listener);
  }

  status(): FleetStatus {
    return this.door.status();
  }

  /** The fleet's rules for a face the matcher recognised (door-rules.ts). Null: they may open. */
  refusal(personId: string, now: number): FleetRefusal | null {
    return fleetRefusal(this.door.ruleState(), personId, now);
  }

  /** A record the kiosk wrote to its audit log: ship it, and announce it on MQTT. */
  announce(record: AuditRecord): void {
    this.door.announce(record);
  }

  /** The door screen's Call button on MQTT (event_type 'doorbell'); false: this door has no MQTT. */
  ring(id: string, time: string): boolean {
    if (!this.mqtt) return false;
    const event = {
      event_type: 'doorbell' as const,
      id,
      time,
      door: this.door.config.door,
      reason: 'call',
      person: null,
    };
    void this.mqtt.publish(event).catch((error: unknown) => this.log(`MQTT: ${String(error)}`));
    return true;
  }

  /**
   * Opens the admin key an admin brings to this session (the key file's text and its passphrase).
   * It stays in this process's memory until endAdminSession, and is never written to the door.
   */
  async bringAdminKey(text: string, passphrase: string): Promise<{ id: string; name: string }> {
    const key = await AdminKey.fromText(text, passphrase);
    if (key.fleet !== this.fleetId)
      throw new FleetError('wrong_key', `this admin key is for fleet ${key.fleet}, not this door's`);
    this.door.assertTrustedAdmin(key);
    this.admin = key;
    return { id: key.keyId, name: key.name };
  }

  /** The admin session ended: the door forgets the admin key. */
  endAdminSession(): void {
    this.admin = null;
  }

  /** The admin key of this session (id and name); null when none was brought. */
  get adminKey(): { id: string; name: string } | null {
    return this.admin && { id: this.admin.keyId, name: this.admin.name };
  }

  /**
   * A change to the fleet's people or groups, signed with the admin key brought to this session and
   * written on the fleet's writer login it carries (as `tobira fleet … --admin-key` does), then
   * awaited on the change feed so the next read sees it. Without an admin key, nothing is written.
   */
  async write<T>(work: (writer: FleetWriter) => Promise<T>, versionOf: (result: T) => number): Promise<T> {
    const admin = this.admin;
    if (!admin)
      throw new FleetError(
        'permission_denied',
        'Changing the fleet needs an admin key: open your admin key file with its passphrase first.',
      );
    const { databaseUrl, fleetKey } = this.door.config;
    const result = await withClient(writerUrl(databaseUrl, admin), (client) =>
      work(new FleetWriter(client, fleetKey, admin)),
    );
    await this.waitForVersion(versionOf(result));
    return result;
  }

  /** Resolves once the replica holds `version` (or after OWN_CHANGE_WAIT_MS). */
  waitForVersion(version: number, timeoutMs = OWN_CHANGE_WAIT_MS): Promise<void> {
    if (this.door.replica.version >= version) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.door.off('applied', check);
        resolve();
      };
      const check = () => {
        if (this.door.replica.version >= version) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.door.on('applied', check);
    });
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}
