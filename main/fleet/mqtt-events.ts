// A door's events on MQTT (the `mqtt` package), in the spirit of Frigate and Double Take:
//   tobira/<fleet>/<door>/availability  "online" / "offline" (retained; "offline" is the last will)
//   tobira/<fleet>/<door>/event         {"event_type": "unlocked"|"refused"|"door_failed"|"doorbell", ...}
//   tobira/<fleet>/<door>/state         the last decision (retained)
// and Home Assistant MQTT discovery (retained configs under <prefix>/<component>/<node>/<object>/config,
// https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery): each door is one device with
// an `event` entity (https://www.home-assistant.io/integrations/event.mqtt/) and a `sensor` for
// the last decision. Remote unlock is off unless enabled, and then needs an HMAC-signed command.
import { createHmac, timingSafeEqual } from 'node:crypto';
import mqtt from 'mqtt';
import { FleetError } from './errors.js';
import type { AuditInput, AuditRecord } from '../audit/types.js';
import type { MqttSettings } from './local.js';

/** 'doorbell': someone pressed Call on the door screen (no decision; not the retained state). */
export type DoorEventType = 'unlocked' | 'refused' | 'door_failed' | 'doorbell';

export interface DoorEvent {
  event_type: DoorEventType;
  /** The audit record's id: the same event in the audit log. */
  id: string;
  time: string;
  door: string;
  reason: string;
  person: string | null;
}

/** Signed commands older or newer than this are refused (clock skew plus transit). */
const COMMAND_WINDOW_MS = 30_000;

/** MQTT topic levels and HA node ids: keep [A-Za-z0-9_-], the rest becomes '_'. */
export const topicSafe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

export function parseBrokerUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FleetError(
      'bad_url',
      `MQTT broker URL '${url}' is not a URL: expected mqtt://HOST:PORT or mqtts://HOST:PORT`,
    );
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(u.protocol)) {
    throw new FleetError(
      'bad_url',
      `MQTT broker URL '${url}' has scheme '${u.protocol.replace(/:$/, '')}': expected mqtt, mqtts, ws or wss`,
    );
  }
  if (!u.hostname) throw new FleetError('bad_url', `MQTT broker URL '${url}' names no host`);
  return u;
}

/** The signature a remote-unlock command carries: HMAC-SHA256 over door, time and nonce. */
export function signUnlock(secret: string, door: string, ts: number, nonce: string): string {
  return createHmac('sha256', secret).update(`${door}\n${ts}\n${nonce}`).digest('hex');
}

export interface DoorTopics {
  base: string;
  availability: string;
  event: string;
  state: string;
  unlock: string;
}

export function doorTopics(fleet: string, door: string): DoorTopics {
  const base = `tobira/${topicSafe(fleet.slice(0, 8))}/${topicSafe(door)}`;
  return {
    base,
    availability: `${base}/availability`,
    event: `${base}/event`,
    state: `${base}/state`,
    unlock: `${base}/unlock`,
  };
}

/** Home Assistant discovery messages for one door: [topic, payload] pairs. */
export function discoveryMessages(
  prefix: string,
  fleet: string,
  door: string,
): [string, Record<string, unknown>][] {
  const t = doorTopics(fleet, door);
  const node = `tobira_${topicSafe(fleet.slice(0, 8))}_${topicSafe(door)}`;
  const device = {
    identifiers: [node],
    name: `Tobira ${door}`,
    manufacturer: 'Tobira',
    model: 'Face-unlock door kiosk',
  };
  const availability = {
    availability_topic: t.availability,
    payload_available: 'online',
    payload_not_available: 'offline',
  };
  return [
    [
      `${prefix}/event/${node}/door/config`,
      {
        name: 'Door events',
        unique_id: `${node}_events`,
        state_topic: t.event,
        event_types: ['unlocked', 'refused', 'door_failed', 'doorbell'],
        device,
        ...availability,
      },
    ],
    [
      `${prefix}/sensor/${node}/last_decision/config`,
      {
        name: 'Last decision',
        unique_id: `${node}_last_decision`,
        state_topic: t.state,
        value_template: '{{ value_json.event_type }}',
        json_attributes_topic: t.state,
        icon: 'mdi:door',
        device,
        ...availability,
      },
    ],
  ];
}

export interface RemoteUnlockRequest {
  ok: boolean;
  /** Why a command was refused: 'bad_signature', 'stale', 'replayed', 'malformed', 'wrong_door'. */
  reason: string;
}

export class DoorMqtt {
  private readonly seenNonces = new Map<string, number>();

  private constructor(
    private readonly client: mqtt.MqttClient,
    readonly topics: DoorTopics,
    private readonly fleet: string,
    private readonly door: string,
    private readonly settings: MqttSettings,
    private readonly now: () => number,
  ) {}

  /**
   * Connects (the mqtt client reconnects by itself afterwards), publishes "online" and the
   * discovery configs. `onUnlock` is called for every remote-unlock command when it is enabled.
   */
  static async connect(
    settings: MqttSettings,
    fleet: string,
    door: string,
    onUnlock: (result: RemoteUnlockRequest) => void,
    now: () => number = Date.now,
  ): Promise<DoorMqtt> {
    const url = parseBrokerUrl(settings.url);
    const topics = doorTopics(fleet, door);
    const client = mqtt.connect(url.toString(), {
      clientId: `tobira_${topicSafe(fleet.slice(0, 8))}_${topicSafe(door)}`,
      username: settings.username,
      password: settings.password,
      ...(settings.ca ? { ca: settings.ca, rejectUnauthorized: true } : {}),
      connectTimeout: 5000,
      reconnectPeriod: 2000,
      will: { topic: topics.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        client.end(true);
        reject(
          new FleetError(
            'unreachable',
            `cannot connect to the MQTT broker at ${url.host}: ${error.message}`,
            { cause: error },
          ),
        );
      };
      client.once('connect', () => {
        client.off('error', fail);
        resolve();
      });
      client.once('error', fail);
      // A broker that never answers: stop retrying and say so (connectTimeout covers each try).
      client.once('offline', () => fail(new Error('no answer')));
    });
    client.on('error', () => undefined); // later errors: the client reconnects by itself
    const self = new DoorMqtt(client, topics, fleet, door, settings, now);
    client.on('connect', () => void self.announce()); // after a reconnect, say "online" again
    await self.announce();
    if (settings.remoteUnlock?.enabled) {
      await client.subscribeAsync(topics.unlock, { qos: 1 });
      client.on('message', (topic, payload) => {
        if (topic === topics.unlock) onUnlock(self.checkUnlock(payload));
      });
    }
    return self;
  }

  private async announce(): Promise<void> {
    for (const [topic, payload] of discoveryMessages(this.settings.discoveryPrefix, this.fleet, this.door)) {
      await this.client.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain: true });
    }
    await this.client.publishAsync(this.topics.availability, 'online', { qos: 1, retain: true });
  }

  async publish(event: DoorEvent): Promise<void> {
    const body = JSON.stringify(event);
    await this.client.publishAsync(this.topics.event, body, { qos: 1 });
    // The retained state is the last decision: a doorbell is an event only.
    if (event.event_type !== 'doorbell')
      await this.client.publishAsync(this.topics.state, body, { qos: 1, retain: true });
  }

  /** Checks a remote-unlock command: {"ts": ms, "nonce": "...", "sig": hex}. */
  checkUnlock(payload: Buffer): RemoteUnlockRequest {
    const secret = this.settings.remoteUnlock?.secret;
    if (!secret || !this.settings.remoteUnlock?.enabled) return { ok: false, reason: 'disabled' };
    let cmd: { ts?: unknown; nonce?: unknown; sig?: unknown };
    try {
      cmd = JSON.parse(payload.toString('utf8')) as typeof cmd;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (
      typeof cmd.ts !== 'number' ||
      typeof cmd.nonce !== 'string' ||
      typeof cmd.sig !== 'string' ||
      cmd.nonce.length > 100
    ) {
      return { ok: false, reason: 'malformed' };
    }
    const want = Buffer.from(signUnlock(secret, this.door, cmd.ts, cmd.nonce), 'hex');
    const got = Buffer.from(cmd.sig, 'hex');
    if (got.length !== want.length || !timingSafeEqual(got, want))
      return { ok: false, reason: 'bad_signature' };
    const now = this.now();
    if (Math.abs(now - cmd.ts) > COMMAND_WINDOW_MS) return { ok: false, reason: 'stale' };
    for (const [n, t] of this.seenNonces) if (now - t > 2 * COMMAND_WINDOW_MS) this.seenNonces.delete(n);
    if (this.seenNonces.has(cmd.nonce)) return { ok: false, reason: 'replayed' };
    this.seenNonces.set(cmd.nonce, now);
    return { ok: true, reason: 'remote_unlock' };
  }

  /** Publishes "offline" and disconnects (a crash leaves the will to say it instead). */
  async close(): Promise<void> {
    await this.client
      .publishAsync(this.topics.availability, 'offline', { qos: 1, retain: true })
      .catch(() => undefined);
    await this.client.endAsync();
  }
}

/** First wait between tries to reach an unreachable broker; it doubles up to MQTT_RETRY_MAX_MS. */
export const MQTT_RETRY_MS = 5_000;
/** A minute: a broker that comes back is found within a minute, at one failed try a minute. */
export const MQTT_RETRY_MAX_MS = 60_000;

/**
 * A door's MQTT connection, kept trying while the broker cannot be reached: a door often boots
 * before the broker (a power cut restarts both), and it must come back on MQTT by itself. The
 * door decides without MQTT meanwhile; events from then are not queued (the audit log has them).
 * Each try fails within DoorMqtt's connect timeout (5 s); the wait between tries doubles from
 * MQTT_RETRY_MS to MQTT_RETRY_MAX_MS. Only an unreachable broker is tried again: a bad URL stays
 * bad. A problem is logged when it changes, not at every try.
 */
export class DoorMqttLink {
  private mqtt: DoorMqtt | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  private readonly connecting: Promise<void>;

  constructor(connect: () => Promise<DoorMqtt>, log: (line: string) => void) {
    this.connecting = this.run(connect, log);
  }

  get connected(): boolean {
    return this.mqtt !== null;
  }

  private async run(connect: () => Promise<DoorMqtt>, log: (line: string) => void): Promise<void> {
    let wait = MQTT_RETRY_MS;
    let lastProblem = '';
    while (!this.closed) {
      try {
        const mqtt = await connect();
        if (this.closed) await mqtt.close();
        else this.mqtt = mqtt;
        if (lastProblem) log('MQTT: connected');
        return;
      } catch (error) {
        const problem = error instanceof Error ? error.message : String(error);
        const retry = error instanceof FleetError && error.code === 'unreachable';
        if (problem !== lastProblem) log(`MQTT: ${problem}${retry ? ' (trying again)' : ''}`);
        if (!retry) return;
        lastProblem = problem;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      wait = Math.min(wait * 2, MQTT_RETRY_MAX_MS);
    }
  }

  /** Publishes the event when connected; while the broker is away, the audit log keeps it. */
  async publish(event: DoorEvent): Promise<void> {
    await this.mqtt?.publish(event);
  }

  /** Stops trying, and says "offline" if connected. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.connecting;
    await this.mqtt?.close().catch(() => undefined);
    this.mqtt = null;
  }
}

/** The MQTT event for an audit record of the door named `door`: a failed door call reads as such. */
export function doorEventOf(record: AuditRecord, door: string): DoorEvent {
  const failed = record.door !== null && !record.door.ok;
  return {
    event_type: failed ? 'door_failed' : record.outcome === 'unlocked' ? 'unlocked' : 'refused',
    id: record.id,
    time: record.time,
    door,
    reason: failed ? (record.door?.reason ?? 'door_failed') : record.reason,
    person: record.personName,
  };
}

/** The audit record of a remote-unlock command, accepted or not, with the door call's result if any. */
export function remoteUnlockAudit(request: RemoteUnlockRequest, door: AuditRecord['door']): AuditInput {
  return {
    mode: 'identify',
    outcome: request.ok ? 'unlocked' : 'rejected',
    reason: request.ok ? 'remote_unlock' : `remote_unlock_${request.reason}`,
    personId: null,
    personName: null,
    score: null,
    threshold: null,
    recognizerId: null,
    gates: [],
    liveness: null,
    door,
  };
}
