// The README's Mosquitto password and ACL set-up, run on a real Mosquitto (issue 17): each door
// publishes its own events and discovery; another client on the broker, even another door, cannot
// publish them, cannot make the door look offline by taking its client id, and an anonymous client
// is refused. The ACL is mosquittoAcl's output for the README's example fleet, and the README
// holds that output verbatim (one source of truth).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { mosquittoAcl, mosquittoSecurityConf } from '../../../main/fleet/mosquitto-acl.js';
import { discoveryMessages, doorNodeId, doorTopics, DoorMqtt } from '../../../main/fleet/mqtt-events.js';
import { waitFor } from '../../helpers/deadline.js';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto-server.js';
import { skipWithout } from '../../helpers/prerequisites.js';

const skip = skipWithout('mosquitto');

/** The README's example (Fleet mode → "Mosquitto: each door publishes only its own topics"). */
const FLEET = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const EXAMPLE = {
  fleet: FLEET,
  doors: ['Front', 'Back'],
  discoveryPrefix: 'homeassistant',
  watchers: ['homeassistant'],
};
const PASSWORDS: Record<string, string> = {
  [doorNodeId(FLEET, 'Front')]: 'front-broker-password',
  [doorNodeId(FLEET, 'Back')]: 'back-broker-password',
  homeassistant: 'watcher-broker-password',
};

describe('Mosquitto: each door publishes only its own topics', { skip }, () => {
  let broker: MosquittoServer;
  let root: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tobira-mosquitto-acl-'));
    await chmod(root, 0o755); // Mosquitto reads both files after dropping to its own user
    const passwd = path.join(root, 'tobira.passwd');
    const acl = path.join(root, 'tobira.acl');
    await writeFile(passwd, '', { mode: 0o644 });
    for (const [user, password] of Object.entries(PASSWORDS))
      execFileSync('mosquitto_passwd', ['-b', passwd, user, password]);
    await chmod(passwd, 0o644);
    await writeFile(acl, mosquittoAcl(EXAMPLE), { mode: 0o644 });
    broker = await startMosquitto(undefined, mosquittoSecurityConf(passwd, acl));
  });

  after(async () => {
    await broker?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('the README shows exactly the ACL and mosquitto.conf lines under test', async () => {
    // The blocks sit in a list item, indented by two spaces.
    const readme = (await readFile(path.join(import.meta.dirname, '../../../README.md'), 'utf8')).replace(
      /^ {2}/gm,
      '',
    );
    assert.ok(readme.includes(mosquittoAcl(EXAMPLE)), 'README: the ACL block is mosquittoAcl of its example');
    assert.ok(
      readme.includes(mosquittoSecurityConf('/etc/mosquitto/tobira.passwd', '/etc/mosquitto/tobira.acl')),
      'README: the mosquitto.conf lines',
    );
  });

  it('a door publishes its own; another door cannot publish its events or discovery, nor take its client id; anonymous is refused', async () => {
    const login = (username: string, extra: mqtt.IClientOptions = {}) =>
      mqtt.connectAsync(broker.url, {
        username,
        password: PASSWORDS[username],
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...extra,
      });
    const front = doorTopics(FLEET, 'Front');
    const frontDiscovery = discoveryMessages('homeassistant', FLEET, 'Front').map(([t]) => t);
    const seen: { topic: string; body: string }[] = [];
    const watcher = await login('homeassistant');
    watcher.on('message', (topic, body) => seen.push({ topic, body: body.toString() }));
    await watcher.subscribeAsync([`tobira/${FLEET.slice(0, 8)}/#`, 'homeassistant/#'], { qos: 1 });
    const arrived = (topic: string, body?: string) =>
      waitFor(
        () =>
          seen.some((m) => m.topic === topic && (body === undefined || m.body === body)) ? true : undefined,
        10_000,
        `${topic} ${body ?? ''} to reach the watcher`,
      );

    // The real door, logged in as its client id: its discovery and "online" go through.
    const door = await DoorMqtt.connect(
      {
        url: broker.url,
        discoveryPrefix: 'homeassistant',
        username: doorNodeId(FLEET, 'Front'),
        password: PASSWORDS[doorNodeId(FLEET, 'Front')]!,
      },
      FLEET,
      'Front',
      () => undefined,
    );
    try {
      await arrived(front.availability, 'online');
      for (const topic of frontDiscovery) await arrived(topic);
      await door.send(front.event, '{"event_type":"unlocked"}', false);
      await arrived(front.event, '{"event_type":"unlocked"}');

      // Back, a real door with its own password, forges Front's events, discovery and "offline".
      const back = await login(doorNodeId(FLEET, 'Back'));
      const forged = [front.event, front.state, front.availability, front.problem, ...frontDiscovery];
      for (const topic of forged) await back.publishAsync(topic, 'forged', { qos: 1, retain: true });
      await back.endAsync();
      // And takes Front's client id: the broker uses its username instead, Front stays on. A
      // marker on Back's own topic: the broker handled everything before it.
      const thief = await login(doorNodeId(FLEET, 'Back'), { clientId: doorNodeId(FLEET, 'Front') });
      await thief.publishAsync(doorTopics(FLEET, 'Back').event, 'marker', { qos: 1 });
      await arrived(doorTopics(FLEET, 'Back').event, 'marker');
      assert.deepEqual(
        seen.filter((m) => m.body === 'forged'),
        [],
        'a forged message reached the watcher',
      );
      // Taken over, Front's will would have said "offline"; it did not, and Front still publishes.
      assert.ok(
        !seen.some((m) => m.topic === front.availability && m.body === 'offline'),
        'Front looked offline',
      );
      await door.send(front.event, 'still here', false);
      await arrived(front.event, 'still here');
      await thief.endAsync();

      // No login, a wrong password, or a door's name with another's password: refused.
      for (const [username, password] of [
        [undefined, undefined],
        [doorNodeId(FLEET, 'Front'), 'guess'],
        [doorNodeId(FLEET, 'Front'), PASSWORDS[doorNodeId(FLEET, 'Back')]],
      ] as const)
        await assert.rejects(
          mqtt.connectAsync(broker.url, {
            ...(username ? { username, password } : {}),
            reconnectPeriod: 0,
            connectTimeout: 5000,
          }),
          /Not authorized|Bad username or password/,
          `${username ?? 'anonymous'} was let in`,
        );
    } finally {
      await door.close();
      await watcher.endAsync();
    }
  });
});
