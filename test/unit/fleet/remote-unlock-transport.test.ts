// MQTT remote unlock refuses a broker other than on loopback without TLS (issue 17): on plain
// mqtt:// anyone on the path read the signed commands and kept them for later.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../../main/cli/tobira.js';
import { DoorMqtt } from '../../../main/fleet/mqtt-events.js';

const PLAIN_OFF_LOOPBACK = /remote unlock needs TLS to a broker other than on loopback/;

describe('remote unlock and the broker transport', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tobira-unlock-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const table: Array<[string, boolean]> = [
    ['mqtt://broker.example:1883', false],
    ['mqtt://192.0.2.10:1883', false],
    ['ws://broker.example:9001', false],
    ['mqtt://127.0.0.2:1883', true],
    ['mqtt://localhost:1883', true],
    ['mqtt://[::1]:1883', true],
    ['mqtts://broker.example:8883', true],
    ['wss://broker.example:443', true],
  ];

  for (const [url, allowed] of table) {
    it(`fleet mqtt --remote-unlock on with ${url}: ${allowed ? 'allowed' : 'refused'}`, async () => {
      const lines: string[] = [];
      const code = await main(
        ['fleet', 'mqtt', '--data-dir', path.join(dir, 'door'), '--url', url, '--remote-unlock', 'on'],
        { out: (t) => lines.push(t), err: (t) => lines.push(t) },
      );
      assert.notEqual(code, 0, 'the folder is not joined: no setting is saved either way');
      const text = lines.join('\n');
      if (allowed) assert.match(text, /is not a door of a fleet/, text);
      else assert.match(text, PLAIN_OFF_LOOPBACK, text);
    });
  }

  it('a door whose saved settings have remote unlock on plain MQTT off loopback does not connect', async () => {
    // Settings written before this rule: the door refuses them rather than take commands in clear.
    await assert.rejects(
      DoorMqtt.connect(
        {
          url: 'mqtt://192.0.2.10:1883',
          discoveryPrefix: 'homeassistant',
          remoteUnlock: { enabled: true, secret: 'a'.repeat(64) },
        },
        '00000000-0000-0000-0000-000000000000',
        'Front',
        () => undefined,
      ),
      PLAIN_OFF_LOOPBACK,
    );
  });
});
