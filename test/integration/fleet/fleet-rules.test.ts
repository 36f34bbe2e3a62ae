// Fleet rules against a real PostgreSQL and a real Mosquitto, in one process: least-privilege
// roles, sealed templates, schedules with an injected clock, offline grace, MQTT events and Home
// Assistant discovery read back from the broker, signed remote unlock, and the bad-input table.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import pg from 'pg';
import { main } from '../../../main/cli/tobira.js';
import { initFleet } from '../../../main/fleet/admin.js';
import { openFleet } from '../../../main/fleet/cli-context.js';
import { withClient } from '../../../main/fleet/db.js';
import { FleetDoor } from '../../../main/fleet/door-runtime.js';
import { FleetError } from '../../../main/fleet/errors.js';
import { joinFleet } from '../../../main/fleet/join.js';
import { cliKeyWrapper, fleetDir } from '../../../main/fleet/local.js';
import { DoorMqtt, signUnlock } from '../../../main/fleet/mqtt-events.js';
import { decodeToken } from '../../../main/fleet/token.js';
import { nextEvent, within } from '../../helpers/deadline.js';
import { freePort } from '../../helpers/free-port.js';
import { identities, RECOGNIZER, THRESHOLD } from '../../helpers/fleet-faces.js';
import { doorEventSchema, eventConfigSchema, sensorConfigSchema } from '../../helpers/mqtt-schemas.js';
import { startMosquitto, type MosquittoServer } from '../../helpers/mosquitto-server.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { skipWithout } from '../../helpers/prerequisites.js';
import {
  ADMIN_PASSPHRASE,
  adminWrite,
  dbArgs,
  joinWithOwnToken,
  secretFile,
  withoutPassword,
} from '../../helpers/fleet-setup.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') });
  return { code, out, err };
}

const skip = skipWithout('postgresql', 'mosquitto');

// Monday 2026-06-01 in Tokyo (UTC+9, no DST): 10:00 and 18:00 local.
const MON_10_TOKYO = Date.parse('2026-06-01T01:00:00Z');
const MON_18_TOKYO = Date.parse('2026-06-01T09:00:00Z');

describe('fleet rules, MQTT and bad input', { skip }, () => {
  let server: PostgresServer;
  let broker: MosquittoServer;
  let adminUrl: string;
  let root: string;
  let token: string;
  let doorDir: string;
  let clock = MON_10_TOKYO;
  let door: FleetDoor;
  const [alice, bob] = identities(2);

  before(async () => {
    [server, broker] = await Promise.all([startPostgres(), startMosquitto()]);
    adminUrl = await server.createDatabase('rules');
    root = await mkdtemp(path.join(tmpdir(), 'tobira-fleet-rules-'));
    const init = await initFleet(adminUrl, { door: 'Front' });
    token = init.join!;
    doorDir = path.join(root, 'front');
    await joinFleet({
      databaseUrl: adminUrl,
      token,
      door: 'Front',
      dataDir: doorDir,
      wrapper: await cliKeyWrapper(doorDir, true),
    });
    const ctx = await openFleet(doorDir);
    await adminWrite(ctx.config, init.admin!, async (w) => {
      const office = await w.putGroup(null, {
        name: 'Office hours',
        doors: ['Front'],
        timeZone: 'Asia/Tokyo',
        windows: [{ days: [1], start: '09:00', end: '17:00' }],
      });
      const p = await w.addPerson('Alice', [office.id]);
      await w.addTemplate(p.id, RECOGNIZER, alice!.enroll);
    });
    door = await FleetDoor.open(doorDir, await cliKeyWrapper(doorDir, false), { now: () => clock });
    const connected = nextEvent(door, 'applied', 'the first replica applied');
    await door.start();
    await connected;
  });

  after(async () => {
    await door?.close();
    await Promise.all([server?.close(), broker?.close()]);
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a Monday 9–17 schedule opens on Monday 10:00 and refuses on Monday 18:00 (not_permitted_now)', async () => {
    clock = MON_10_TOKYO;
    const open = await door.decide(alice!.probe, RECOGNIZER, THRESHOLD);
    assert.deepEqual([open.outcome, open.reason, open.name], ['unlocked', 'match', 'Alice']);
    clock = MON_18_TOKYO;
    const late = await door.decide(alice!.probe, RECOGNIZER, THRESHOLD);
    assert.deepEqual([late.outcome, late.reason, late.name], ['rejected', 'not_permitted_now', 'Alice']);
    assert.equal(late.record.reason, 'not_permitted_now', 'the audit says why');
    clock = MON_10_TOKYO;
  });

  it('the door role cannot change or delete audit rows, nor read join tokens; templates are unreadable in the database', async () => {
    const ctx = await openFleet(doorDir);
    await door.shipSoon();
    await withClient(ctx.config.databaseUrl, async (client) => {
      const rows = await client.query<{ id: string }>('SELECT id FROM audit');
      assert.ok(rows.rows.length > 0, 'a door may read the building’s audit');
      await assert.rejects(client.query(`UPDATE audit SET reason = 'x'`), /permission denied/);
      await assert.rejects(client.query('DELETE FROM audit'), /permission denied/);
      await assert.rejects(client.query('TRUNCATE audit'), /permission denied/);
      await assert.rejects(client.query('SELECT * FROM join_tokens'), /permission denied/);
      await assert.rejects(client.query('DELETE FROM entities'), /permission denied/);
    });
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const sealed = (
        await client.query<{ sealed: Buffer }>(
          `SELECT sealed FROM entities WHERE kind IN ('template', 'person')`,
        )
      ).rows;
      const raw = Buffer.from(new Float32Array(alice!.enroll).buffer);
      for (const { sealed: s } of sealed) {
        assert.equal(s.includes(Buffer.from('Alice')), false, 'names are sealed');
        assert.equal(s.includes(raw.subarray(0, 16)), false, 'embeddings are sealed');
        assert.equal(s.includes(Buffer.from(raw.subarray(0, 12).toString('base64'))), false);
      }
    } finally {
      await client.end();
    }
  });

  it('a door cannot append audit rows naming another door, nor through the join token’s own login', async () => {
    // Back joins as a door of its own: before migration 2 doors that shared a token shared one
    // login, and Front could append rows that said they came from Back.
    const backDir = path.join(root, 'back');
    await joinWithOwnToken(adminUrl, token, 'Back', backDir);
    const front = await openFleet(doorDir);
    const back = await openFleet(backDir);
    const insert = (client: pg.ClientBase, door: string) =>
      client.query(
        `INSERT INTO audit (id, door, time, outcome, reason, person_id, person_name, record)
         VALUES ($1, $2, now(), 'unlocked', 'match', NULL, NULL, '{}')`,
        [randomUUID(), door],
      );
    await withClient(front.config.databaseUrl, async (client) => {
      await assert.rejects(insert(client, 'Back'), /row-level security/);
      await assert.rejects(insert(client, 'Nowhere'), /row-level security/);
      await insert(client, 'Front'); // its own rows still go in
      await assert.rejects(
        client.query(`UPDATE audit SET door = 'Back' WHERE door = 'Front'`),
        /permission denied/,
      );
    });
    assert.notEqual(
      new URL(front.config.databaseUrl).username,
      new URL(back.config.databaseUrl).username,
      'each door logs in as itself',
    );
    const tokenLogin = decodeToken(token);
    const u = new URL(adminUrl);
    u.username = tokenLogin.user;
    u.password = tokenLogin.password;
    // The token's login may only redeem itself (migration 5): the table is closed to it.
    await withClient(u.toString(), async (client) => {
      await assert.rejects(insert(client, 'Front'), /permission denied for table audit/);
    });
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const rows = await admin.query<{ door: string; n: string }>(
        `SELECT door, count(*) AS n FROM audit WHERE record = '{}' GROUP BY door`,
      );
      assert.deepEqual(rows.rows, [{ door: 'Front', n: '1' }], 'only the row in its own name went in');
    } finally {
      await admin.end();
    }
  });

  it('refuses everyone after the offline grace, and warns before', async () => {
    const status = door.status();
    assert.equal(status.grace_warning, false);
    const saved = clock;
    clock = saved + door.config.offlineGraceMs - 60_000; // stale replica: the sync clock has not moved
    await door.sync.stop();
    assert.equal(door.status().grace_warning, true, 'the screen shows that the grace is nearly used up');
    clock = saved + door.config.offlineGraceMs + 60_000;
    const d = await door.decide(alice!.probe, RECOGNIZER, THRESHOLD);
    assert.deepEqual([d.outcome, d.reason], ['rejected', 'offline_too_long']);
    clock = saved;
    door.sync.start();
    await nextEvent(door, ['applied', 'connected'], 'the sync to reconnect');
  });

  it('publishes Home Assistant discovery, availability and door events that match their schema', async () => {
    const r = await cli(
      'fleet',
      'mqtt',
      '--data-dir',
      doorDir,
      '--url',
      broker.url,
      '--remote-unlock',
      'on',
      '--json',
    );
    assert.equal(r.code, 0, r.err);
    const { remoteUnlock } = JSON.parse(r.out) as { remoteUnlock: { secret: string } };
    const sealedFile = await readFile(path.join(fleetDir(doorDir), 'door.json'), 'utf8');
    assert.equal(sealedFile.includes(remoteUnlock.secret), false, 'the signing secret is sealed at rest');

    const sub = await mqtt.connectAsync(broker.url);
    const seen: { topic: string; body: string }[] = [];
    const waiters: [
      (m: { topic: string; body: string }) => boolean,
      (m: { topic: string; body: string }) => void,
    ][] = [];
    sub.on('message', (topic, payload) => {
      const m = { topic, body: payload.toString('utf8') };
      seen.push(m);
      for (const [i, [test, resolve]] of [...waiters.entries()].reverse()) {
        if (!test(m)) continue;
        waiters.splice(i, 1);
        resolve(m);
      }
    });
    const next = (test: (m: { topic: string; body: string }) => boolean) =>
      within(
        `a message on the broker that passes ${test.toString()}`,
        new Promise<{ topic: string; body: string }>((resolve) => {
          const hit = seen.find(test);
          if (hit) resolve(hit);
          else waiters.push([test, resolve]);
        }),
      );
    await sub.subscribeAsync(['homeassistant/#', 'tobira/#']);

    const mqttDoor = await FleetDoor.open(doorDir, await cliKeyWrapper(doorDir, false), { now: () => clock });
    await mqttDoor.start();
    try {
      const ev = await next((m) => /^homeassistant\/event\/[A-Za-z0-9_-]+\/door\/config$/.test(m.topic));
      const evConfig = eventConfigSchema.parse(JSON.parse(ev.body));
      const sensor = await next((m) =>
        /^homeassistant\/sensor\/[A-Za-z0-9_-]+\/last_decision\/config$/.test(m.topic),
      );
      const sensorParsed = sensorConfigSchema.parse(JSON.parse(sensor.body));
      assert.deepEqual(evConfig.device, sensorParsed.device, 'one device per door, holding both entities');
      await next((m) => m.topic === evConfig.availability_topic && m.body === 'online');

      const eventSchema = doorEventSchema('Front');
      const decided = await mqttDoor.decide(alice!.probe, RECOGNIZER, THRESHOLD);
      const unlocked = eventSchema.parse(
        JSON.parse(
          (await next((m) => m.topic === evConfig.state_topic && m.body.includes(decided.record.id))).body,
        ),
      );
      assert.deepEqual([unlocked.event_type, unlocked.person], ['unlocked', 'Alice']);
      const stranger = await mqttDoor.decide(bob!.probe, RECOGNIZER, THRESHOLD);
      const refused = eventSchema.parse(
        JSON.parse(
          (await next((m) => m.topic === evConfig.state_topic && m.body.includes(stranger.record.id))).body,
        ),
      );
      assert.deepEqual([refused.event_type, refused.reason], ['refused', 'unknown_face']);

      // Remote unlock: a forged command is refused and audited; a signed one opens and is audited.
      const unlockTopic = evConfig.state_topic.replace(/\/event$/, '/unlock');
      const ts = clock;
      await sub.publishAsync(
        unlockTopic,
        JSON.stringify({ ts, nonce: 'n1', sig: createHmac('sha256', 'guess').update('x').digest('hex') }),
      );
      const forged = eventSchema.parse(
        JSON.parse(
          (
            await next(
              (m) => m.topic === evConfig.state_topic && m.body.includes('remote_unlock_bad_signature'),
            )
          ).body,
        ),
      );
      assert.equal(forged.event_type, 'refused');
      const good = { ts, nonce: randomUUID(), sig: signUnlock(remoteUnlock.secret, 'Front', ts, '') };
      good.sig = signUnlock(remoteUnlock.secret, 'Front', ts, good.nonce);
      await sub.publishAsync(unlockTopic, JSON.stringify(good));
      const opened = eventSchema.parse(
        JSON.parse(
          (await next((m) => m.topic === evConfig.state_topic && m.body.includes('"remote_unlock"'))).body,
        ),
      );
      assert.equal(opened.event_type, 'unlocked');
      await sub.publishAsync(unlockTopic, JSON.stringify(good));
      await next((m) => m.topic === evConfig.state_topic && m.body.includes('remote_unlock_replayed'));
      const audit = await mqttDoor.audit.read({ limit: 10 });
      assert.ok(
        audit.records.some((a) => a.reason === 'remote_unlock' && a.id === opened.id),
        'remote unlock is audited',
      );

      // The last will: a door that vanishes is reported offline by the broker.
      await mqttDoor.close();
      await next((m) => m.topic === evConfig.availability_topic && m.body === 'offline');

      // A restart forgets no nonce (they were in memory: a captured command opened the door again
      // after a restart), and a command stamped 10 s ahead of the door's clock is refused.
      const within = <T>(what: string, wait: Promise<T>) =>
        Promise.race([
          wait,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`no ${what} within 20 s`)), 20_000).unref(),
          ),
        ]);
      seen.length = 0;
      const restarted = await FleetDoor.open(doorDir, await cliKeyWrapper(doorDir, false), {
        now: () => clock,
      });
      await restarted.start();
      try {
        await within(
          'online after the restart',
          next((m) => m.topic === evConfig.availability_topic && m.body === 'online'),
        );
        await sub.publishAsync(unlockTopic, JSON.stringify(good));
        await within(
          'replayed refusal after the restart',
          next((m) => m.topic === evConfig.state_topic && m.body.includes('remote_unlock_replayed')),
        );
        const ahead = { ts: clock + 10_000, nonce: randomUUID(), sig: '' };
        ahead.sig = signUnlock(remoteUnlock.secret, 'Front', ahead.ts, ahead.nonce);
        await sub.publishAsync(unlockTopic, JSON.stringify(ahead));
        await within(
          'stale refusal of a command from 10 s ahead',
          next((m) => m.topic === evConfig.state_topic && m.body.includes('remote_unlock_stale')),
        );
        assert.equal(
          seen.some((m) => m.topic === evConfig.state_topic && m.body.includes('"remote_unlock"')),
          false,
          'nothing opened after the restart',
        );
      } finally {
        await restarted.close();
      }
    } finally {
      await mqttDoor.close().catch(() => undefined);
      await sub.endAsync();
    }
  });

  it('bad input: each a clear error naming the problem; the door keeps deciding and nothing is lost', async () => {
    const closedPort = await freePort();
    const wrongPassword = new URL(adminUrl);
    wrongPassword.password = 'not-the-password';
    const readOnlyUrl = await server.createDatabase('readonly');
    const futureUrl = await server.createDatabase('future');
    await initFleet(futureUrl, { door: 'Front' });
    await withClient(futureUrl, (c) => c.query('INSERT INTO tobira_schema (version) VALUES (99)'));
    await withClient(readOnlyUrl, (c) =>
      c.query('ALTER DATABASE readonly SET default_transaction_read_only = on'),
    );
    const revoked = (await initFleet(await server.createDatabase('revoked'), { door: 'Late' })).join!;
    const revokedId = (
      JSON.parse(Buffer.from(revoked.slice('tobira-join-1.'.length), 'base64url').toString()) as {
        token: string;
      }
    ).token;
    const revokedDb = server.url('revoked');
    assert.equal((await cli('fleet', 'token', 'revoke', ...dbArgs(revokedDb), revokedId)).code, 0);

    const versionBefore = door.replica.version;
    // Where `fleet init` would write the first admin key: no case below gets that far.
    const initKey = [
      '--admin-key',
      path.join(root, 'never-written.key'),
      '--passphrase-file',
      secretFile(ADMIN_PASSPHRASE),
    ];
    const cases: { name: string; argv: string[]; code: string; message: RegExp }[] = [
      {
        name: 'wrong database URL',
        argv: ['fleet', 'init', ...initKey, '--db', 'http://example/db'],
        code: 'bad_url',
        message: /scheme 'http', expected postgres:\/\//,
      },
      {
        name: 'not a URL at all',
        argv: ['fleet', 'init', ...initKey, '--db', 'localhost:5432'],
        code: 'bad_url',
        message: /postgres:\/\//,
      },
      {
        name: 'wrong credentials',
        argv: ['fleet', 'init', ...initKey, ...dbArgs(wrongPassword.toString())],
        code: 'auth_failed',
        message: /refused the credentials.*password authentication failed/,
      },
      {
        name: 'unreachable host',
        argv: ['fleet', 'init', ...initKey, ...dbArgs(`postgres://u:p@127.0.0.1:${closedPort}/x`)],
        code: 'unreachable',
        message: new RegExp(
          `cannot reach the fleet database at .*127\\.0\\.0\\.1:${closedPort}.*ECONNREFUSED`,
        ),
      },
      {
        name: 'TLS asked of a server that does not serve it',
        argv: ['fleet', 'init', ...initKey, ...dbArgs(`${adminUrl}?sslmode=verify-full`)],
        code: 'tls_failed',
        message: /does not serve TLS, but the URL's sslmode asks for it/,
      },
      {
        name: 'a password inside the --db URL (readable by any local user in argv)',
        argv: ['fleet', 'token', 'list', '--db', adminUrl],
        code: 'usage', // exit 2, as every usage error
        message: /a password in the URL is refused.*--db-password-file FILE.*TOBIRA_DB_PASSWORD/,
      },
      {
        name: 'schema from the future',
        argv: ['fleet', 'init', ...initKey, ...dbArgs(futureUrl)],
        code: 'schema_too_new',
        message: /schema version 99.*update Tobira/,
      },
      {
        name: 'read-only database',
        argv: ['fleet', 'init', ...initKey, ...dbArgs(readOnlyUrl)],
        code: 'read_only',
        message: /read-only/,
      },
      {
        name: 'revoked join token',
        argv: [
          'fleet',
          'join',
          '--db',
          withoutPassword(revokedDb),
          '--token-file',
          secretFile(revoked),
          '--pin-file',
          secretFile('135790'),
          '--door',
          'Late',
          '--data-dir',
          path.join(root, 'late'),
        ],
        code: 'token_revoked',
        message: /join token was revoked/,
      },
      {
        name: 'malformed join token',
        argv: [
          'fleet',
          'join',
          '--db',
          withoutPassword(adminUrl),
          '--token-file',
          secretFile(token.slice(0, 40)),
          '--pin-file',
          secretFile('135790'),
          '--door',
          'Cut',
          '--data-dir',
          path.join(root, 'cut'),
        ],
        code: 'token_invalid',
        message: /join token is not valid/,
      },
      {
        name: 'malformed MQTT URL',
        argv: ['fleet', 'mqtt', '--data-dir', doorDir, '--url', 'mqtt//broker:1883'],
        code: 'bad_url',
        message: /MQTT broker URL 'mqtt\/\/broker:1883' is not a URL/,
      },
      {
        name: 'MQTT URL with a wrong scheme',
        argv: ['fleet', 'mqtt', '--data-dir', doorDir, '--url', 'http://broker'],
        code: 'bad_url',
        message: /scheme 'http': expected mqtt/,
      },
    ];
    cases.push({
      name: 'a data folder that never joined',
      argv: ['fleet', 'status', '--data-dir', path.join(root, 'nowhere'), '--json'],
      code: 'not_joined',
      message: /is not a door of a fleet \(run tobira fleet join first\)/,
    });
    for (const c of cases) {
      const r = await cli(...c.argv);
      assert.equal(r.code, c.code === 'usage' ? 2 : 1, `${c.name}: exit code (${r.err})`);
      assert.match(r.err, c.message, c.name);
      assert.ok(
        !r.err.includes('test-superuser-password') && !r.err.includes('not-the-password'),
        `${c.name}: no password printed`,
      );
    }
    // The same errors as values, for the admin screen.
    await assert.rejects(
      joinFleet({
        databaseUrl: revokedDb,
        token: revoked,
        door: 'Late',
        dataDir: path.join(root, 'late2'),
        wrapper: await cliKeyWrapper(path.join(root, 'late2'), true),
      }),
      (e) => e instanceof FleetError && e.code === 'token_revoked',
    );
    await assert.rejects(
      DoorMqtt.connect(
        { url: `mqtt://127.0.0.1:${closedPort}`, discoveryPrefix: 'homeassistant' },
        'f',
        'd',
        () => undefined,
      ),
      (e) => e instanceof FleetError && e.code === 'unreachable',
    );
    // A door whose database is read-only keeps its audit queued: nothing lost, the door still decides.
    await withClient(adminUrl, (c) => c.query('ALTER DATABASE rules SET default_transaction_read_only = on'));
    try {
      const pendingBefore = (await door.shipper.pending()).length;
      const d = await door.decide(alice!.probe, RECOGNIZER, THRESHOLD);
      assert.equal(d.outcome, 'unlocked', 'the door keeps working');
      const failed = nextEvent<FleetError>(door, 'ship_failed');
      await door.shipSoon();
      assert.equal((await failed).code, 'read_only');
      assert.equal((await door.shipper.pending()).length, pendingBefore + 1, 'the record stays queued');
    } finally {
      // From another database: a session in a read-only database cannot lift the setting.
      await withClient(server.url(), (c) =>
        c.query('ALTER DATABASE rules SET default_transaction_read_only = off'),
      );
    }
    await door.shipSoon();
    assert.equal((await door.shipper.pending()).length, 0, 'and arrives once the database accepts writes');
    assert.equal(door.replica.version, versionBefore, 'no bad input touched the replica');
    const still = await door.decide(alice!.probe, RECOGNIZER, THRESHOLD);
    assert.deepEqual([still.outcome, still.name], ['unlocked', 'Alice'], 'the door still decides');
  });
});
