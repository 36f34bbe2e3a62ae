// The fleet under faults (issue 22), with a real PostgreSQL and a real Mosquitto started here
// and the doors as separate processes (fleet-door-process.ts, the product's FleetDoor):
//   - the broker stopped and started again under running doors: each says "online" again,
//     republishes its discovery, and delivers the events of the gap; a decision made while the
//     broker is down returns without it;
//   - the offline queue's bound: what it drops is counted and said;
//   - a read-only database under a quiet door: the backlog shows in the door's status, in
//     `tobira fleet status` and as a problem on MQTT, and ships once writable, with no new decision;
//   - a person disabled just after a database outage is refused at every door once it caught up.
// Waits are on events with generous deadlines that fail with a message; nothing is timed.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { openFleet } from '../../../main/fleet/cli-context.js';
import { withClient } from '../../../main/fleet/db.js';
import { FleetError } from '../../../main/fleet/errors.js';
import { FleetWriter } from '../../../main/fleet/writer.js';
import type { FleetStatus } from '../../../main/fleet/door-runtime.js';
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
import { ADMIN_PASSPHRASE, cli, fleetOf } from '../../helpers/fleet-setup.js';
import { AdminKey } from '../../../main/fleet/admin-key.js';

/** How long a message may take to show up on loopback before the test says it never came. */
const MESSAGE_WAIT_MS = 30_000;

const skip =
  !postgresBinDir() || !mosquittoBinary()
    ? 'PostgreSQL or Mosquitto is not installed (apt-get install postgresql mosquitto)'
    : false;

/** A door event for the queue tests (the link never reads it, the broker carries it). */
const queuedEvent = (door: string, i: number): DoorEvent => ({
  event_type: 'refused',
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  time: new Date(Date.UTC(2026, 5, 1, 0, 0, i)).toISOString(),
  door,
  reason: 'unknown_face',
  person: null,
});

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
  let sub: Subscriber;
  const dirs: Record<string, string> = {};
  const doors: Record<string, DoorProcess> = {};
  const [alice, bob] = identities(2);

  before(async () => {
    [server, broker] = await Promise.all([startPostgres(), startMosquitto()]);
    root = await mkdtemp(path.join(tmpdir(), 'tobira-faults-mqtt-'));
    const made = await fleetOf(server, 'faults_mqtt', root, ['A', 'B'], broker.url);
    fleetId = made.fleetId;
    const adminKey = made.adminKey;
    Object.assign(dirs, made.dirs);
    sub = await Subscriber.start(broker.url);
    await Promise.all(['A', 'B'].map(async (n) => (doors[n] = await DoorProcess.start(n, dirs[n]!))));
    const enrolled = await doors.A!.request<{ version: number }>({
      type: 'enroll',
      name: 'Alice',
      embedding: [...alice!.enroll],
      recognizerId: RECOGNIZER,
      adminKey,
    });
    await doors.B!.caughtUp(enrolled.version);
  });

  after(async () => {
    await Promise.all(Object.values(doors).map((d) => d.kill()));
    await sub?.client.endAsync(true);
    await Promise.all([server?.close(), broker?.close()]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a broker restarted under running doors: online again, discovery again, the gap delivered', async () => {
    const topics = { A: doorTopics(fleetId, 'A'), B: doorTopics(fleetId, 'B') };
    for (const [name, t] of Object.entries(topics)) {
      await sub.next(`${name} online`, (m) => m.topic === t.availability && m.body === 'online');
    }

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
    const downMs: number[] = [];
    const upMs: number[] = [];
    for (const [name, d] of Object.entries(doors)) {
      const t0 = performance.now();
      const seen = await d.decide(alice!.probe, RECOGNIZER, THRESHOLD);
      downMs.push(performance.now() - t0);
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
      await sub.next(`${name} online again`, (m) => m.topic === t.availability && m.body === 'online', down);
      // What `tobira fleet run` prints once back (the drill's doors said nothing).
      await doors[name]!.waitFor(
        (m) => m.type === 'mqtt' && m.message === 'MQTT: connected',
        'MQTT: connected',
      );
      await sub.next(
        `${name}'s discovery again`,
        (m) => m.topic.startsWith('homeassistant/') && m.body.includes(`"state_topic":"${t.event}"`),
        down,
      );
      for (const id of gap[name]!) {
        await sub.next(`${name}'s gap event ${id}`, (m) => m.topic === t.event && m.body.includes(id), down);
      }
      const t1 = performance.now();
      const after = await doors[name]!.decide(alice!.probe, RECOGNIZER, THRESHOLD);
      upMs.push(performance.now() - t1);
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
    // Reported, not asserted: a decision's round trip to a door process, broker down and up.
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' / ');
    console.log(`# decide round trip: broker down ${ms(downMs)} ms; broker up ${ms(upMs)} ms`);
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
      for (let i = 0; i < MQTT_QUEUE_MAX + 5; i++) await link.publish(queuedEvent('Q', i));
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

  it('events older than a day when the broker comes back are dropped and counted; newer ones sent', async () => {
    let clock = Date.parse('2026-06-01T00:00:00Z');
    let reachable = false;
    const topics = doorTopics(fleetId, 'Aged');
    const link = new DoorMqttLink(
      () => {
        if (!reachable) throw new FleetError('unreachable', 'the broker is away (test)');
        return DoorMqtt.connect(
          { url: broker.url, discoveryPrefix: 'homeassistant' },
          fleetId,
          'Aged',
          () => undefined,
        );
      },
      () => undefined,
      () => clock,
    );
    try {
      for (let i = 0; i < 3; i++) await link.publish(queuedEvent('Aged', i));
      clock += 25 * 60 * 60 * 1000; // a day and an hour off MQTT
      const fresh = queuedEvent('Aged', 99);
      await link.publish(fresh);
      const from = sub.seen.length;
      reachable = true; // found at the link's next try (1 s)
      await sub.next('the fresh event', (m) => m.topic === topics.event && m.body.includes(fresh.id), from);
      assert.ok(await link.drained(MESSAGE_WAIT_MS), 'the queue empties');
      assert.deepEqual(link.status(), { connected: true, queued: 0, dropped: 3 });
      const events = sub.seen.slice(from).filter((m) => m.topic === topics.event);
      assert.deepEqual(
        events.map((m) => (JSON.parse(m.body) as DoorEvent).id),
        [fresh.id],
        'only the fresh event went out',
      );
    } finally {
      await link.close();
    }
  });
});

describe('the fleet under faults: a backlog you can see', { skip }, () => {
  let server: PostgresServer;
  let broker: MosquittoServer;
  let root: string;
  let dir: string;
  let fleetId: string;
  let sub: Subscriber;
  let door: DoorProcess | null = null;
  const [alice] = identities(1);

  before(async () => {
    [server, broker] = await Promise.all([startPostgres(), startMosquitto()]);
    root = await mkdtemp(path.join(tmpdir(), 'tobira-faults-backlog-'));
    const made = await fleetOf(server, 'faults_backlog', root, ['Quiet'], broker.url);
    fleetId = made.fleetId;
    dir = made.dirs.Quiet!;
    sub = await Subscriber.start(broker.url);
    door = await DoorProcess.start('Quiet', dir);
    await door.waitFor((m) => m.type === 'connected', 'connected');
  });

  after(async () => {
    await door?.kill();
    await sub?.client.endAsync(true);
    await Promise.all([server?.close(), broker?.close()]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a read-only database with a quiet door: the backlog is visible, and ships without a new decision', async () => {
    const d = door!;
    const problem = doorTopics(fleetId, 'Quiet').problem;
    await withClient(server.url(), (c) =>
      c.query('ALTER DATABASE faults_backlog SET default_transaction_read_only = on'),
    );
    const mark = d.messages.length;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await d.decide(alice!.probe, RECOGNIZER, THRESHOLD)).id);
    await d.waitFor((m) => m.type === 'ship_failed', 'ship_failed', mark);

    const status = await d.request<FleetStatus>({ type: 'status' });
    assert.equal(status.audit_pending, 2, 'the door shows its two waiting decisions');
    assert.ok(status.audit_oldest_ms !== null && status.audit_oldest_ms >= 0, "and the oldest one's age");
    assert.match(status.ship_error ?? '', /read-only/, 'and why they wait');
    const cliStatus = await cli('fleet', 'status', '--data-dir', dir, '--json');
    assert.equal(cliStatus.code, 0, cliStatus.err);
    const shown = JSON.parse(cliStatus.out) as FleetStatus;
    assert.deepEqual(
      [shown.audit_pending, shown.mqtt?.connected, shown.mqtt?.queued],
      [2, true, 0],
      '`fleet status --json` shows the backlog, and the door on MQTT with nothing waiting',
    );
    assert.match(shown.ship_error ?? '', /read-only/);
    assert.ok(shown.audit_oldest_ms !== null);
    const text = await cli('fleet', 'status', '--data-dir', dir);
    assert.match(
      text.out,
      /audit: 2 event\(s\) not yet shipped \(oldest \d+ s\); last shipping error: .*read-only/,
    );
    await sub.next(
      'the audit_backlog problem',
      (m) => m.topic === problem && m.body === '{"problems":["audit_backlog"]}',
    );

    // Writable again; the door decides nothing more and still ships, on its retry timer.
    const writable = sub.seen.length;
    const shippedMark = d.messages.length;
    await withClient(server.url(), (c) =>
      c.query('ALTER DATABASE faults_backlog SET default_transaction_read_only = off'),
    );
    await d.waitFor((m) => m.type === 'shipped', 'shipped without a new decision', shippedMark);
    const after = await d.request<FleetStatus>({ type: 'status' });
    assert.deepEqual([after.audit_pending, after.audit_oldest_ms, after.ship_error], [0, null, null]);
    await sub.next(
      'the problem cleared',
      (m) => m.topic === problem && m.body === '{"problems":[]}',
      writable,
    );
    const rows = await withClient(server.url('faults_backlog'), (c) =>
      c.query<{ id: string }>('SELECT id FROM audit WHERE id = ANY($1::uuid[])', [ids]),
    );
    assert.equal(rows.rowCount, 2, 'both decisions reached the database');
  });
});

describe(
  'the fleet under faults: revocation after an outage',
  { skip: postgresBinDir() ? false : 'PostgreSQL is not installed' },
  () => {
    let server: PostgresServer;
    let adminUrl: string;
    let root: string;
    const dirs: Record<string, string> = {};
    const doors: Record<string, DoorProcess> = {};
    const [alice] = identities(1);
    /** The fleet's data key, as an admin's CLI holds it (from a door's sealed config). */
    let fleetKey: Buffer;
    /** The first admin key: it signs the admin's changes. */
    let adminKey: string;

    before(async () => {
      server = await startPostgres();
      root = await mkdtemp(path.join(tmpdir(), 'tobira-faults-revoke-'));
      const made = await fleetOf(server, 'faults_revoke', root, ['A', 'B', 'C']);
      adminUrl = made.adminUrl;
      Object.assign(dirs, made.dirs);
      fleetKey = (await openFleet(dirs.A!)).config.fleetKey;
      adminKey = made.adminKey;
      await Promise.all(['A', 'B', 'C'].map(async (n) => (doors[n] = await DoorProcess.start(n, dirs[n]!))));
    });

    after(async () => {
      await Promise.all(Object.values(doors).map((d) => d.kill()));
      await server?.close();
      if (root) await rm(root, { recursive: true, force: true });
    });

    it('a person disabled just after the database is back is refused at every door once it caught up', async () => {
      const enrolled = await doors.A!.request<{ personId: string; version: number }>({
        type: 'enroll',
        name: 'Alice',
        embedding: [...alice!.enroll],
        recognizerId: RECOGNIZER,
        adminKey,
      });
      for (const d of Object.values(doors)) {
        await d.caughtUp(enrolled.version);
        const seen = await d.decide(alice!.probe, RECOGNIZER, THRESHOLD);
        assert.deepEqual([seen.outcome, seen.name], ['unlocked', 'Alice'], `${d.name} before the outage`);
      }
      const marks = Object.fromEntries(Object.entries(doors).map(([n, d]) => [n, d.messages.length]));
      await server.stop();
      // Six failed tries each: the reconnect backoff (250 ms doubling) has reached its 5 s ceiling,
      // where the drill's disable took 2.1 s (up to 5 s) to arrive.
      await Promise.all(
        Object.values(doors).map((d) =>
          d.waitFor(
            () => d.messages.slice(marks[d.name]).filter((m) => m.type === 'disconnected').length >= 6,
            'six failed reconnects',
            marks[d.name],
          ),
        ),
      );
      const back = Object.fromEntries(Object.entries(doors).map(([n, d]) => [n, d.messages.length]));
      await server.start();
      const t0 = Date.now();
      const admin = await AdminKey.open(adminKey, ADMIN_PASSPHRASE);
      const version = await withClient(adminUrl, (c) =>
        new FleetWriter(c, fleetKey, admin).setDisabled(enrolled.personId, true),
      );
      const arrived: Record<string, number> = {};
      await Promise.all(
        Object.values(doors).map(async (d) => {
          await d.caughtUp(version);
          arrived[d.name] = Date.now() - t0;
        }),
      );
      for (const d of Object.values(doors)) {
        const since = d.messages.slice(back[d.name]);
        const connected = since.findIndex((m) => m.type === 'connected');
        const applied = since.findIndex((m) => m.type === 'applied' && (m.version ?? 0) >= version);
        assert.ok(connected >= 0 && connected < applied, `${d.name} reconnected, then applied the disable`);
        const refused = await d.decide(alice!.probe, RECOGNIZER, THRESHOLD);
        assert.equal(refused.outcome, 'rejected', `${d.name} refuses the person just disabled`);
        // A disabled person is still recognised, and refused as such (fleet/door-rules.ts).
        assert.equal(refused.reason, 'person_disabled');
      }
      // Reported, not asserted (the bench's "revocation after an outage" row measures it).
      console.log(
        `# disable after the outage → applied at A/B/C in ${Object.values(arrived).join(' / ')} ms`,
      );
    });
  },
);
