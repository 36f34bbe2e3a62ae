// The fleet under faults (issue 22), with a real PostgreSQL and a real Mosquitto started here
// and the doors as separate processes (fleet-door-process.ts, the product's FleetDoor):
//   - the broker stopped and started again under running doors: each says "online" again,
//     republishes its discovery, and delivers the events of the gap; a decision made while the
//     broker is down returns without it;
//   - the offline queue's bound: what it drops is counted and said.
// Waits are on events with generous deadlines that fail with a message; nothing is timed.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { main } from '../../../main/cli/tobira.js';
import {
  DoorMqtt,
  DoorMqttLink,
  doorTopics,
  MQTT_QUEUE_MAX,
  type DoorEvent,
} from '../../../main/fleet/mqtt-events.js';
import { DoorProcess } from '../../helpers/door-process.js';
import { identities, RECOGNIZER, THRESHOLD } from '../../helpers/fleet-faces.js';
import { freePort } from '../../helpers/free-port.js';
import { mosquittoBinary, startMosquitto, type MosquittoServer } from '../../helpers/mosquitto-server.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';

/** How long a message may take to show up on loopback before the test says it never came. */
const MESSAGE_WAIT_MS = 30_000;

const skip =
  !postgresBinDir() || !mosquittoBinary()
    ? 'PostgreSQL or Mosquitto is not installed (apt-get install postgresql mosquitto)'
    : false;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') });
  return { code, out, err };
}

interface Message {
  topic: string;
  body: string;
}

/** A subscriber on the broker that keeps every message and reconnects (and resubscribes) by itself. */
class Subscriber {
  readonly seen: Message[] = [];
  private waiters: [(m: Message) => boolean, (m: Message) => void][] = [];

  constructor(readonly client: mqtt.MqttClient) {
    client.on('message', (topic, payload) => {
      const m = { topic, body: payload.toString('utf8') };
      this.seen.push(m);
      this.waiters = this.waiters.filter(([test, resolve]) => !(test(m) && (resolve(m), true)));
    });
  }

  static async start(url: string): Promise<Subscriber> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 200 });
    client.on('error', () => undefined); // while the broker is stopped
    const sub = new Subscriber(client);
    await client.subscribeAsync(['homeassistant/#', 'tobira/#'], { qos: 1 });
    return sub;
  }

  /** The first message from index `from` on that passes `test`, waiting for it if need be. */
  next(what: string, test: (m: Message) => boolean, from = 0): Promise<Message> {
    const hit = this.seen.slice(from).find(test);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${what} on the broker within ${MESSAGE_WAIT_MS} ms`)),
        MESSAGE_WAIT_MS,
      );
      this.waiters.push([
        test,
        (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      ]);
    });
  }
}

describe('the fleet under faults: MQTT', { skip }, () => {
  let server: PostgresServer;
  let broker: MosquittoServer;
  let root: string;
  let fleetId: string;
  const dirs: Record<string, string> = {};
  const doors: Record<string, DoorProcess> = {};
  const [alice, bob] = identities(2);

  before(async () => {
    [server, broker] = await Promise.all([startPostgres(), startMosquitto()]);
    const adminUrl = await server.createDatabase('faults_mqtt');
    root = await mkdtemp(path.join(tmpdir(), 'tobira-faults-mqtt-'));
    const init = await cli('fleet', 'init', '--db', adminUrl, '--json');
    assert.equal(init.code, 0, init.err);
    const { join, fleet } = JSON.parse(init.out) as { fleet: string; join: string };
    fleetId = fleet;
    for (const name of ['A', 'B']) {
      dirs[name] = path.join(root, name);
      const joined = await cli(
        'fleet',
        'join',
        '--db',
        adminUrl,
        '--token',
        join,
        '--door',
        name,
        '--data-dir',
        dirs[name],
      );
      assert.equal(joined.code, 0, joined.err);
      const set = await cli('fleet', 'mqtt', '--data-dir', dirs[name], '--url', broker.url);
      assert.equal(set.code, 0, set.err);
    }
  });

  after(async () => {
    await Promise.all(Object.values(doors).map((d) => d.kill()));
    await Promise.all([server?.close(), broker?.close()]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a broker restarted under running doors: online again, discovery again, the gap delivered', async () => {
    const sub = await Subscriber.start(broker.url);
    try {
      const topics = { A: doorTopics(fleetId, 'A'), B: doorTopics(fleetId, 'B') };
      await Promise.all(['A', 'B'].map(async (n) => (doors[n] = await DoorProcess.start(n, dirs[n]!))));
      for (const [name, t] of Object.entries(topics)) {
        await sub.next(`${name} online`, (m) => m.topic === t.availability && m.body === 'online');
      }
      const enrolled = await doors.A!.request<{ personId: string; version: number }>({
        type: 'enroll',
        name: 'Alice',
        embedding: [...alice!.enroll],
        recognizerId: RECOGNIZER,
      });
      await doors.B!.caughtUp(enrolled.version);

      const port = broker.port;
      await broker.close();
      const down = sub.seen.length;
      await Promise.all(
        Object.values(doors).map((d) =>
          d.waitFor((m) => m.type === 'mqtt' && /lost the broker/.test(m.message ?? ''), 'MQTT lost'),
        ),
      );
      // Decisions with the broker down: each returns while the broker is still away (were the
      // decision to wait for the broker, this would wait until the test's deadline).
      const gap: Record<string, string[]> = { A: [], B: [] };
      for (const [name, d] of Object.entries(doors)) {
        const seen = await d.decide(alice!.probe, RECOGNIZER, THRESHOLD);
        assert.deepEqual([seen.outcome, seen.name], ['unlocked', 'Alice'], `${name} decides off MQTT`);
        const stranger = await d.decide(bob!.probe, RECOGNIZER, THRESHOLD);
        assert.equal(stranger.reason, 'unknown_face');
        gap[name]!.push(seen.id, stranger.id);
        const status = await d.request<{ mqtt: { connected: boolean; queued: number; dropped: number } }>({
          type: 'status',
        });
        assert.deepEqual(
          status.mqtt,
          { connected: false, queued: 2, dropped: 0 },
          `${name}: off MQTT, 2 waiting`,
        );
      }

      broker = await startMosquitto(port);
      for (const [name, t] of Object.entries(topics)) {
        await sub.next(
          `${name} online again`,
          (m) => m.topic === t.availability && m.body === 'online',
          down,
        );
        await sub.next(
          `${name}'s discovery again`,
          (m) => m.topic.startsWith('homeassistant/') && m.body.includes(`"state_topic":"${t.event}"`),
          down,
        );
        for (const id of gap[name]!) {
          await sub.next(
            `${name}'s gap event ${id}`,
            (m) => m.topic === t.event && m.body.includes(id),
            down,
          );
        }
        const after = await doors[name]!.decide(alice!.probe, RECOGNIZER, THRESHOLD);
        await sub.next(
          `${name}'s event after the restart`,
          (m) => m.topic === t.event && m.body.includes(after.id),
        );
        const status = await doors[name]!.request<{ mqtt: { connected: boolean; dropped: number } }>({
          type: 'status',
        });
        assert.deepEqual(
          [status.mqtt.connected, status.mqtt.dropped],
          [true, 0],
          `${name} is back, nothing dropped`,
        );
      }
    } finally {
      await sub.client.endAsync(true);
    }
  });

  it('the offline queue is bounded: the oldest events beyond it are dropped, counted and said', async () => {
    const closed = `mqtt://127.0.0.1:${await freePort()}`;
    const lines: string[] = [];
    const link = new DoorMqttLink(
      () =>
        DoorMqtt.connect({ url: closed, discoveryPrefix: 'homeassistant' }, fleetId, 'Q', () => undefined),
      (line) => lines.push(line),
    );
    try {
      const event = (i: number): DoorEvent => ({
        event_type: 'refused',
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        time: new Date(Date.UTC(2026, 5, 1, 0, 0, i)).toISOString(),
        door: 'Q',
        reason: 'unknown_face',
        person: null,
      });
      for (let i = 0; i < MQTT_QUEUE_MAX + 5; i++) await link.publish(event(i));
      assert.deepEqual(link.status(), { connected: false, queued: MQTT_QUEUE_MAX, dropped: 5 });
      assert.equal(
        lines.filter((l) => /events dropped/.test(l)).length,
        1,
        `said once: ${lines.join(' | ')}`,
      );
    } finally {
      await link.close();
    }
  });
});
