// The door screen's Call button and camera reports (main/door/doorbell.ts), with a real audit
// log and a relay stand-in on loopback: a ring reaches an HTTP door only when its request names
// {{event}} (any other door could not tell a ring from an open, and would open the lock), one
// ring per RING_EVERY_MS however often Call is pressed, and the camera lost and found is
// audited once per change.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../../main/audit/audit-log.js';
import { createDoor } from '../../../main/door/door.js';
import { Doorbell, RING_EVERY_MS } from '../../../main/door/doorbell.js';
import { startRelay, type Relay } from '../../helpers/relay.js';
import type { Settings } from '../../../preload/contract/settings.js';

type HttpDoor = Extract<Settings['door'], { kind: 'http' }>;

describe('the Call button and the camera reports', () => {
  let relay: Relay;
  before(async () => (relay = await startRelay()));
  after(() => relay.close());

  async function bell(door: Settings['door'], mqtt = false) {
    const audit = new AuditLog(await mkdtemp(path.join(tmpdir(), 'tobira-doorbell-')));
    let clock = 1_000_000;
    const rung: string[] = [];
    const logs: string[] = [];
    const doorbell = new Doorbell({
      audit,
      door: () => createDoor(door),
      mqtt: (id) => (mqtt ? (rung.push(id), true) : false),
      log: (line) => logs.push(line),
      now: () => clock,
    });
    const actions = async () =>
      (await audit.readEntries({ limit: 50 })).records.flatMap((r) => (r.kind === 'admin' ? [r.action] : []));
    return { doorbell, rung, logs, actions, tick: (ms: number) => (clock += ms) };
  }

  const doors: { name: string; door: () => Settings['door']; rings: boolean }[] = [
    {
      name: 'an HTTP door whose body names {{event}}',
      door: () => ({ ...(relay.door as HttpDoor), body: '{"event":"{{ event }}"}' }),
      rings: true,
    },
    {
      name: 'an HTTP door whose URL names {{event}}',
      door: () => ({ ...(relay.door as HttpDoor), url: `${relay.url}?e={{event}}` }),
      rings: true,
    },
    { name: 'an HTTP door that does not name the event', door: () => relay.door, rings: false },
    { name: 'a command door', door: () => ({ kind: 'command', holdMs: 1000, doorId: 'gate' }), rings: false },
    { name: 'no door', door: () => ({ kind: 'none', holdMs: 1000 }), rings: false },
  ];
  for (const d of doors) {
    test(`Call with ${d.name}: ${d.rings ? 'rings it' : 'leaves the lock alone'}, audited`, async () => {
      const { doorbell, actions } = await bell(d.door());
      const before = relay.calls.length;
      const result = await doorbell.ring();
      const calls = relay.calls.slice(before);
      assert.deepEqual(result, { delivered: d.rings, via: d.rings ? ['door'] : [] });
      assert.equal(calls.length, d.rings ? 1 : 0);
      if (d.rings) assert.match(calls[0]!.body + calls[0]!.path, /doorbell/);
      assert.deepEqual(await actions(), ['doorbell']);
    });
  }

  test('Call pressed again and again rings once per 10 s; MQTT gets the audit line id', async () => {
    const { doorbell, rung, actions, tick } = await bell({ kind: 'none', holdMs: 1000 }, true);
    for (let i = 0; i < 5; i++) assert.deepEqual(await doorbell.ring(), { delivered: true, via: ['mqtt'] });
    tick(RING_EVERY_MS);
    await doorbell.ring();
    assert.equal(rung.length, 2);
    assert.deepEqual(await actions(), ['doorbell', 'doorbell']);
  });

  test('a relay that refuses the ring is logged, and Call says it did not go through', async () => {
    relay.status = 503;
    try {
      const { doorbell, logs } = await bell({ ...(relay.door as HttpDoor), body: '{{event}}' });
      assert.deepEqual(await doorbell.ring(), { delivered: false, via: [] });
      assert.match(logs.join('\n'), /HTTP 503/);
    } finally {
      relay.status = 200;
    }
  });

  test('the camera lost and found is audited once per change', async () => {
    const { doorbell, actions } = await bell({ kind: 'none', holdMs: 1000 });
    const states = [
      'live',
      'live',
      'unplugged',
      'missing',
      'missing',
      'live',
      'live',
      'denied',
      'live',
    ] as const;
    const logged = [];
    for (const s of states) logged.push(await doorbell.cameraChanged(s));
    assert.deepEqual(logged, [false, false, true, false, false, true, false, true, true]);
    assert.deepEqual((await actions()).reverse(), [
      'camera_lost',
      'camera_found',
      'camera_lost',
      'camera_found',
    ]);
  });
});
