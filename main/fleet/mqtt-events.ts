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
import { remoteUnlockTransportProblem, UnlockReplayStore } from './unlock-replay.js';

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

/** A QoS 1 publish not acknowledged within this is sent again after the next connect. */
const SEND_TIMEOUT_MS = 10_000;

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
  problem: string;
}

/** A door's MQTT client id and Home Assistant node id; also its broker username (mosquitto-acl.ts). */
export const doorNodeId = (fleet: string, door: string) =>
  `tobira_${topicSafe(fleet.slice(0, 8))}_${topicSafe(door)}`;

export function doorTopics(fleet: string, door: string): DoorTopics {
  const base = `tobira/${topicSafe(fleet.slice(0, 8))}/${topicSafe(door)}`;
  return {
    base,
    availability: `${base}/availability`,
    event: `${base}/event`,
    state: `${base}/state`,
    unlock: `${base}/unlock`,
    problem: `${base}/problem`,
  };
}

/** Home Assistant discovery messages for one door: [topic, payload] pairs. */
export function discoveryMessages(
  prefix: string,
  fleet: string,
  door: string,
): [string, Record<string, unknown>][] {
  const t = doorTopics(fleet, door);
  const node = doorNodeId(fleet, door);
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
    [
      // https://www.home-assistant.io/integrations/binary_sensor.mqtt/ (device_class problem)
      `${prefix}/binary_sensor/${node}/problem/config`,
      {
        name: 'Problem',
        unique_id: `${node}_problem`,
        state_topic: t.problem,
        value_template: "{{ 'ON' if value_json.problems | length > 0 else 'OFF' }}",
        json_attributes_topic: t.problem,
        device_class: 'problem',
        device,
        ...availability,
      },
    ],
  ];
}

export interface RemoteUnlockRequest {
  ok: boolean;
  /**
   * Why a command was refused: 'bad_signature', 'stale', 'replayed', 'malformed', 'wrong_door',
   * 'unrecorded' (its nonce could not be saved, so it could be played again: refused).
   */
  reason: string;
}

export class DoorMqtt {
  /** Called once when the connection is lost after it was up (DoorMqttLink then connects anew). */
  onLost: (() => void) | null = null;

  private constructor(
    private readonly client: mqtt.MqttClient,
    readonly topics: DoorTopics,
    private readonly fleet: string,
    private readonly door: string,
    private readonly settings: MqttSettings,
    private readonly now: () => number,
    private readonly replay: UnlockReplayStore,
  ) {}

  /**
   * Connects once, publishes "online" and the discovery configs. The client does not reconnect
   * by itself (reconnectPeriod 0): a lost connection calls `onLost`, and DoorMqttLink connects
   * again with its own backoff, so a connection that died can never be left half-ended (the
   * drill's "client disconnecting" on every publish after the first broker restart).
   * `onUnlock` is called for every remote-unlock command when it is enabled; `replay` holds the
   * used nonces across reconnects and restarts (FleetDoor keeps it in the door's folder).
   */
  static async connect(
    settings: MqttSettings,
    fleet: string,
    door: string,
    onUnlock: (result: RemoteUnlockRequest) => void,
    now: () => number = Date.now,
    replay: UnlockReplayStore = UnlockReplayStore.memory(),
  ): Promise<DoorMqtt> {
    const url = parseBrokerUrl(settings.url);
    const plain = settings.remoteUnlock?.enabled ? remoteUnlockTransportProblem(url) : null;
    if (plain) throw new FleetError('bad_url', plain);
    const topics = doorTopics(fleet, door);
    const client = mqtt.connect(url.toString(), {
      clientId: doorNodeId(fleet, door),
      username: settings.username,
      password: settings.password,
      ...(settings.ca ? { ca: settings.ca, rejectUnauthorized: true } : {}),
      connectTimeout: 5000,
      reconnectPeriod: 0,
      will: { topic: topics.availability, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (error: Error) => {
        client.off('connect', ok);
        client.off('error', fail);
        client.off('close', closed);
        client.end(true);
        reject(
          new FleetError(
            'unreachable',
            `cannot connect to the MQTT broker at ${url.host}: ${error.message}`,
            { cause: error },
          ),
        );
      };
      // A broker that never answers, or closes before CONNACK (connectTimeout covers each try).
      const closed = () => fail(new Error('no answer'));
      const ok = () => {
        client.off('error', fail);
        client.off('close', closed);
        resolve();
      };
      client.once('connect', ok);
      client.once('error', fail);
      client.once('close', closed);
    });
    client.on('error', () => undefined); // a lost connection is reported by 'close' below
    const self = new DoorMqtt(client, topics, fleet, door, settings, now, replay);
    client.once('close', () => self.onLost?.());
    if (settings.remoteUnlock?.enabled) {
      client.on('message', (topic, payload) => {
        if (topic === topics.unlock) void self.checkUnlock(payload).then(onUnlock);
      });
      await client.subscribeAsync(topics.unlock, { qos: 1 });
    }
    await self.announce();
    return self;
  }

  private async announce(): Promise<void> {
    for (const [topic, payload] of discoveryMessages(this.settings.discoveryPrefix, this.fleet, this.door)) {
      await this.client.publishAsync(topic, JSON.stringify(payload), { qos: 1, retain: true });
    }
    await this.client.publishAsync(this.topics.availability, 'online', { qos: 1, retain: true });
  }

  /**
   * Publishes one message at QoS 1; resolves when the broker acknowledged it, rejects when the
   * connection went first or no acknowledgement came within SEND_TIMEOUT_MS.
   */
  async send(topic: string, body: string, retain: boolean): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.publishAsync(topic, body, { qos: 1, retain }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no acknowledgement from the broker')), SEND_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async publish(event: DoorEvent): Promise<void> {
    const body = JSON.stringify(event);
    await this.send(this.topics.event, body, false);
    // The retained state is the last decision: a doorbell is an event only.
    if (event.event_type !== 'doorbell') await this.send(this.topics.state, body, true);
  }

  /** Checks a remote-unlock command: {"ts": ms, "nonce": "...", "sig": hex}. */
  async checkUnlock(payload: Buffer): Promise<RemoteUnlockRequest> {
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
    const claimed = await this.replay.claim(cmd.nonce, cmd.ts, this.now());
    return claimed === 'ok' ? { ok: true, reason: 'remote_unlock' } : { ok: false, reason: claimed };
  }

  /** Publishes "offline" and disconnects (a crash leaves the will to say it instead). */
  async close(): Promise<void> {
    this.onLost = null;
    await this.client
      .publishAsync(this.topics.availability, 'offline', { qos: 1, retain: true })
      .catch(() => undefined);
    await this.client.endAsync();
  }

  /** Drops the connection without a word (after a loss: the broker already said "offline"). */
  abandon(): void {
    this.onLost = null;
    this.client.end(true);
  }
}

/** First wait between tries to reach the broker; it doubles up to MQTT_RETRY_MAX_MS. 1 s: a
 * restarted broker (back within a second or two) is found on the first or second try. */
export const MQTT_RETRY_MS = 1_000;
/** A minute: a broker that comes back is found within a minute, at one failed try a minute. */
export const MQTT_RETRY_MAX_MS = 60_000;
/** Events kept while off MQTT: about a day of a busy door's decisions, a few hundred kB. */
export const MQTT_QUEUE_MAX = 1000;
/** Events older than this when the broker comes back are dropped (counted): a day. */
export const MQTT_QUEUE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** The door's problems it reports on MQTT (retained on <base>/problem, a Home Assistant binary sensor). */
export type DoorProblem = 'audit_backlog' | 'camera' | 'database';

export interface MqttLinkStatus {
  connected: boolean;
  /** Events waiting for the broker. */
  queued: number;
  /** Events dropped since start because the queue's bound (size or age) was hit. */
  dropped: number;
}

interface Queued {
  /** Which of the door's topics (queued before the first connect, the topics are not known yet). */
  kind: 'event' | 'state' | 'problem';
  body: string;
  retain: boolean;
  /** When it was queued (MQTT_QUEUE_MAX_AGE_MS). */
  at: number;
}

/**
 * A door's MQTT connection, kept up for as long as the door runs: a door often boots before the
 * broker (a power cut restarts both), and a broker restarts under running doors; either way the
 * door comes back on MQTT by itself, says "online" again and republishes discovery, its last
 * state and its problems (a broker without persistence forgot them). Each try fails within
 * DoorMqtt's connect timeout (5 s); the wait between tries doubles from MQTT_RETRY_MS to
 * MQTT_RETRY_MAX_MS and starts again after every loss. Only an unreachable broker is tried
 * again: a bad URL stays bad. A problem is logged when it changes, not at every try.
 *
 * Publishing never waits for the broker: `publish` queues the event and returns at once (a
 * decision that awaited the QoS 1 acknowledgement blocked the door 9–14 s in the drill). While
 * off MQTT the queue keeps up to MQTT_QUEUE_MAX events, none older than MQTT_QUEUE_MAX_AGE_MS;
 * what the bound drops is counted, logged and shown in the door's status (the audit log still
 * holds every event).
 */
export class DoorMqttLink {
  private mqtt: DoorMqtt | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();
  private readonly queue: Queued[] = [];
  private flushing = false;
  private dropped = 0;
  private droppedLogged = false;
  private lastState: string | null = null;
  private readonly problems = new Set<DoorProblem>();
  /** Called when the link connects or loses the broker (the door's status changed). */
  onChange: (() => void) | null = null;

  constructor(
    private readonly connect: () => Promise<DoorMqtt>,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.running = this.run();
  }

  get connected(): boolean {
    return this.mqtt !== null;
  }

  status(): MqttLinkStatus {
    return {
      connected: this.connected,
      queued: this.queue.filter((q) => q.kind === 'event').length,
      dropped: this.dropped,
    };
  }

  /** Connects, trying again while the broker is unreachable; `lastProblem` is what was last logged. */
  private async run(lastProblem = ''): Promise<void> {
    let wait = MQTT_RETRY_MS;
    while (!this.closed) {
      try {
        const mqtt = await this.connect();
        if (this.closed) {
          await mqtt.close();
          return;
        }
        mqtt.onLost = () => this.lost(mqtt);
        this.mqtt = mqtt;
        if (lastProblem) this.log('MQTT: connected');
        this.republish();
        this.onChange?.();
        return;
      } catch (error) {
        const problem = error instanceof Error ? error.message : String(error);
        const retry = error instanceof FleetError && error.code === 'unreachable';
        if (problem !== lastProblem) this.log(`MQTT: ${problem}${retry ? ' (trying again)' : ''}`);
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

  private lost(mqtt: DoorMqtt): void {
    if (this.mqtt !== mqtt) return;
    this.mqtt = null;
    mqtt.abandon();
    this.log(`MQTT: lost the broker; ${this.queue.length} event(s) waiting (trying again)`);
    this.onChange?.();
    if (!this.closed) this.running = this.run('lost');
  }

  /**
   * After a (re)connect: the queued events, the problems and the last state (both retained; a
   * broker that restarted without persistence forgot them). Discovery and "online" were sent by
   * DoorMqtt.connect.
   */
  private republish(): void {
    this.droppedLogged = false;
    this.enqueue('problem', this.problemBody(), true);
    if (this.lastState !== null && !this.queue.some((q) => q.kind === 'state'))
      this.enqueue('state', this.lastState, true);
    this.flush();
  }

  /** Queues the event for the broker and returns at once; it is sent when connected. */
  publish(event: DoorEvent): Promise<void> {
    const body = JSON.stringify(event);
    this.lastState = body;
    this.enqueue('event', body, false);
    this.enqueue('state', body, true);
    this.flush();
    return Promise.resolve();
  }

  /** Raises or clears one problem; the retained problem state is republished when it changes. */
  problem(kind: DoorProblem, on: boolean): void {
    if (on === this.problems.has(kind)) return;
    if (on) this.problems.add(kind);
    else this.problems.delete(kind);
    this.enqueue('problem', this.problemBody(), true);
    this.flush();
  }

  private problemBody(): string {
    return JSON.stringify({ problems: [...this.problems].sort() });
  }

  private enqueue(kind: Queued['kind'], body: string, retain: boolean): void {
    this.queue.push({ kind, body, retain, at: this.now() });
    // Two messages per event (event and state): the bound counts events.
    while (this.queue.length > 2 * MQTT_QUEUE_MAX + 1) this.dropOldest();
  }

  /** Drops the oldest queued message; a dropped event is counted, and logged once per outage. */
  private dropOldest(): void {
    const gone = this.queue.shift();
    if (!gone || gone.kind !== 'event') return;
    this.dropped++;
    if (this.droppedLogged) return;
    this.droppedLogged = true;
    this.log(
      `MQTT: events dropped (more than ${MQTT_QUEUE_MAX} waiting, or older than ${MQTT_QUEUE_MAX_AGE_MS / 3_600_000} h); the audit log keeps them`,
    );
  }

  /** Sends the queue in order while connected; a send that fails puts the message back. */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    void (async () => {
      try {
        while (this.mqtt && this.queue.length > 0) {
          const mqtt = this.mqtt;
          const item = this.queue[0]!;
          if (this.now() - item.at > MQTT_QUEUE_MAX_AGE_MS) {
            this.dropOldest();
            continue;
          }
          try {
            await mqtt.send(mqtt.topics[item.kind], item.body, item.retain);
          } catch {
            break; // the connection went; `lost` connects again and the next connect flushes
          }
          if (this.queue[0] === item) this.queue.shift();
        }
      } finally {
        this.flushing = false;
      }
      if (this.mqtt && this.queue.length > 0) this.flush();
    })();
  }

  /** Resolves once everything queued has reached the broker, or after `timeoutMs` (tests, close). */
  async drained(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return this.queue.length === 0;
  }

  /** Stops trying, and says "offline" if connected. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    if (this.mqtt) await this.drained(2000);
    await this.running;
    const mqtt = this.mqtt;
    this.mqtt = null;
    await mqtt?.close().catch(() => undefined);
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
