import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuditLog } from '../../../main/audit/audit-log.js';
import { createDoor, parseDoorConfig } from '../../../main/door/door.js';
import { readDoorsFile, writeDoorsFile, type DoorProgram } from '../../../main/door/doors-file.js';
import { concludeAttempt } from '../../../main/recognition/conclude.js';
import type { FinalDecision } from '../../../main/recognition/decision.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A relay controller stand-in on loopback: answers with the next scripted status, or hangs. */
class RelayStandIn {
  readonly received: Received[] = [];
  script: (number | 'hang')[] = [];
  private server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const next = this.script.shift() ?? 200;
      if (next === 'hang') return;
      res.writeHead(next).end(next === 200 ? '{"relay":"on"}' : 'error');
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

/** Loopback plain HTTP (the insecure switch on) with a signing key: HTTPS has its own file. */
const HTTP = { insecureNetwork: true, hmacKey: 'door-test-hmac-key-0123' } as const;

describe('http door against a relay stand-in', () => {
  const relay = new RelayStandIn();
  let base = '';
  before(async () => (base = await relay.start()));
  after(() => relay.stop());

  it('sends the configured request with placeholders filled and reports success', async () => {
    relay.received.length = 0;
    const door = createDoor({
      kind: 'http',
      ...HTTP,
      url: `${base}/relay/1?pulse={{holdMs}}&who={{personName}}`,
      headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json' },
      body: '{"event":"{{event}}","name":"{{personName}}","seconds":{{holdSeconds}}}',
      holdMs: 2500,
    });
    const result = await door.open({ personId: 'p1', personName: 'Ann "A" & Bo' });
    assert.deepEqual([result.ok, result.reason, result.attempts, result.holdMs], [true, null, 1, 2500]);
    const [req] = relay.received;
    assert.equal(req?.method, 'POST');
    assert.equal(req?.url, '/relay/1?pulse=2500&who=Ann%20%22A%22%20%26%20Bo');
    assert.equal(req?.headers.authorization, 'Bearer t0ken');
    assert.deepEqual(JSON.parse(req?.body ?? ''), { event: 'unlock', name: 'Ann "A" & Bo', seconds: 2.5 });
  });

  it('retries 5xx with backoff and succeeds on a later attempt', async () => {
    relay.received.length = 0;
    relay.script = [503, 500, 200];
    const door = createDoor({ kind: 'http', ...HTTP, url: `${base}/open`, retries: 2, backoffMs: 20 });
    const result = await door.test();
    assert.deepEqual([result.ok, result.attempts], [true, 3]);
    assert.ok(result.durationMs >= 20 + 40, 'backoff waited between attempts');
    assert.equal(relay.received.length, 3);
  });

  const failures: {
    name: string;
    script: (number | 'hang')[];
    config: object;
    reason: RegExp;
    attempts: number;
  }[] = [
    {
      name: 'server error after all retries',
      script: [500, 500, 500],
      config: { retries: 2 },
      reason: /HTTP 500/,
      attempts: 3,
    },
    { name: '4xx is not retried', script: [404], config: { retries: 3 }, reason: /HTTP 404/, attempts: 1 },
    {
      name: 'timeout',
      script: ['hang', 'hang'],
      config: { retries: 1, timeoutMs: 150 },
      reason: /timed out after 150 ms/,
      attempts: 2,
    },
  ];
  for (const f of failures) {
    it(`reports failure, never success: ${f.name}`, async () => {
      relay.script = [...f.script];
      const door = createDoor({ kind: 'http', ...HTTP, url: `${base}/open`, backoffMs: 1, ...f.config });
      const result = await door.open({ personId: 'p', personName: 'P' });
      assert.equal(result.ok, false);
      assert.match(result.reason ?? '', f.reason);
      assert.equal(result.attempts, f.attempts);
      relay.script = [];
    });
  }

  it('reports a refused connection as failure', async () => {
    const closed = new RelayStandIn();
    const url = await closed.start();
    await closed.stop();
    const result = await createDoor({ kind: 'http', ...HTTP, url, retries: 1, backoffMs: 1 }).test();
    assert.equal(result.ok, false);
    assert.match(result.reason ?? '', /ECONNREFUSED|fetch failed/);
  });
});

describe('command door (a program from doors.json)', () => {
  const node = process.execPath;
  const withDoors = async (...programs: Omit<DoorProgram, 'timeoutMs'>[]) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-doors-'));
    await writeDoorsFile(dir, { version: 1, doors: programs.map((p) => ({ timeoutMs: 5000, ...p })) });
    return dir;
  };
  const argsDump = 'require("fs").writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))';

  it('runs the listed program with filled args, each one argument, no shell', async () => {
    const out = path.join(await mkdtemp(path.join(tmpdir(), 'tobira-door-')), 'args.json');
    const dir = await withDoors({
      id: 'relay',
      program: node,
      args: ['-e', argsDump, out, 'pulse', '{{holdMs}}', '{{personName}}', 'name={{personName}}'],
    });
    const door = createDoor({ kind: 'command', doorId: 'relay', holdMs: 1500 }, { doorsDir: dir });
    const name = '$(rm -rf /); `id` two\nlines';
    const result = await door.open({ personId: 'x', personName: name });
    assert.equal(result.ok, true, result.reason ?? '');
    assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), ['pulse', '1500', name, `name=${name}`]);
  });

  for (const name of ['-rf', '--config=/tmp/evil', '-']) {
    it(`never lets a placeholder make an option: a person named '${name}'`, async () => {
      const out = path.join(await mkdtemp(path.join(tmpdir(), 'tobira-door-')), 'args.json');
      const dir = await withDoors({
        id: 'relay',
        program: node,
        args: ['-e', argsDump, out, '{{personName}}'],
      });
      const result = await createDoor({ kind: 'command', doorId: 'relay' }, { doorsDir: dir }).open({
        personId: 'x',
        personName: name,
      });
      assert.equal(result.ok, false);
      assert.match(result.reason ?? '', /would start with '-'/);
      await assert.rejects(readFile(out), 'the program did not run');
    });
  }

  it('refuses an id that doors.json does not list, naming what it lists', async () => {
    const dir = await withDoors({ id: 'relay', program: node, args: [] });
    const result = await createDoor({ kind: 'command', doorId: 'gate' }, { doorsDir: dir }).test();
    assert.equal(result.ok, false);
    assert.match(result.reason ?? '', /'gate' is not in doors.json \(listed: relay\)/);
  });

  it('refuses to run without a doors.json folder', async () => {
    const result = await createDoor({ kind: 'command', doorId: 'relay' }).test();
    assert.equal(result.ok, false);
    assert.match(result.reason ?? '', /command doors are off/);
  });

  const failures: { name: string; program: Omit<DoorProgram, 'id'>; reason: RegExp }[] = [
    {
      name: 'non-zero exit, with stderr',
      program: {
        program: node,
        args: ['-e', 'console.error("relay busy"); process.exit(3)'],
        timeoutMs: 5000,
      },
      reason: /exited with 3: relay busy/,
    },
    {
      name: 'timeout',
      program: { program: node, args: ['-e', 'setTimeout(() => {}, 10000)'], timeoutMs: 300 },
      reason: /timed out after 300 ms/,
    },
    {
      name: 'missing program',
      program: { program: '/nonexistent/relay-tool', args: [], timeoutMs: 5000 },
      reason: /program not found/,
    },
    {
      name: 'unknown placeholder',
      program: { program: node, args: ['{{secret}}'], timeoutMs: 5000 },
      reason: /unknown placeholder/,
    },
  ];
  for (const f of failures) {
    it(`reports failure: ${f.name}`, async () => {
      const dir = await withDoors({ id: 'relay', ...f.program });
      const result = await createDoor({ kind: 'command', doorId: 'relay' }, { doorsDir: dir }).test();
      assert.equal(result.ok, false);
      assert.match(result.reason ?? '', f.reason);
    });
  }
});

describe('doors.json: bad files get a clear error', () => {
  const bad: [string, string, RegExp][] = [
    ['not JSON', '{"version": 1, "doors": [', /not valid JSON/],
    ['a wrong version', '{"version": 2, "doors": []}', /version/],
    [
      'a relative program',
      '{"version":1,"doors":[{"id":"r","program":"relay"}]}',
      /doors\.0\.program: must be an absolute path/,
    ],
    ['an id with a slash', '{"version":1,"doors":[{"id":"a/b","program":"/bin/true"}]}', /doors\.0\.id/],
    [
      'a duplicate id',
      '{"version":1,"doors":[{"id":"r","program":"/bin/true"},{"id":"r","program":"/bin/false"}]}',
      /duplicate id 'r'/,
    ],
    ['an unknown field', '{"version":1,"doors":[{"id":"r","program":"/bin/true","shell":true}]}', /shell/],
    [
      'args not strings',
      '{"version":1,"doors":[{"id":"r","program":"/bin/true","args":[1]}]}',
      /doors\.0\.args\.0/,
    ],
  ];
  for (const [name, text, message] of bad) {
    it(`refuses ${name}, naming the file and the field`, async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'tobira-doors-'));
      await writeFile(path.join(dir, 'doors.json'), text, { mode: 0o600 });
      assert.throws(
        () => readDoorsFile(dir),
        (e: Error) => e.message.includes(path.join(dir, 'doors.json')) && message.test(e.message),
      );
    });
  }

  it('refuses a doors.json that others may write (they would choose what runs)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-doors-'));
    await writeFile(path.join(dir, 'doors.json'), '{"version":1,"doors":[]}');
    await chmod(path.join(dir, 'doors.json'), 0o666);
    assert.throws(() => readDoorsFile(dir), /writable by group\/others/);
  });

  it('a missing file allows no program at all', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-doors-'));
    assert.deepEqual(readDoorsFile(dir), { version: 1, doors: [] });
  });
});

describe('door config', () => {
  it('defaults to log only', async () => {
    const result = await createDoor({ kind: 'none' }).open({ personId: 'a', personName: 'A' });
    assert.deepEqual(
      [result.ok, result.kind, result.reason, result.holdMs],
      [true, 'none', 'log only', 3000],
    );
  });

  const bad: [string, unknown, RegExp][] = [
    ['unknown kind', { kind: 'gpio' }, /kind/],
    ['not an object', 'http://x', /root|kind/],
    ['file: url', { kind: 'http', url: 'file:///etc/passwd' }, /url/],
    ['a program in settings', { kind: 'command', doorId: 'r', program: '/bin/sh' }, /program|Unrecognized/],
    ['a door id with a path', { kind: 'command', doorId: '../x' }, /doorId/],
    ['no HMAC key', { kind: 'http', url: 'https://127.0.0.1/' }, /hmacKey/],
    ['a short HMAC key', { kind: 'http', url: 'https://127.0.0.1/', hmacKey: 'short' }, /hmacKey/],
    [
      'a bad pin',
      { kind: 'http', url: 'https://127.0.0.1/', hmacKey: 'k'.repeat(16), pinSha256: ['abc'] },
      /pinSha256/,
    ],
    ['negative hold', { kind: 'none', holdMs: -1 }, /holdMs/],
    ['too many retries', { kind: 'http', ...HTTP, url: 'http://127.0.0.1/', retries: 50 }, /retries/],
    [
      'header not a string',
      { kind: 'http', ...HTTP, url: 'http://127.0.0.1/', headers: { a: 1 } },
      /headers/,
    ],
  ];
  for (const [name, config, field] of bad) {
    it(`rejects ${name}, naming the field`, () => {
      assert.throws(
        () => parseDoorConfig(config),
        (e: Error) => /door config is invalid/.test(e.message) && field.test(e.message),
      );
    });
  }
});

describe('concluding an attempt: door, then audit', () => {
  const relay = new RelayStandIn();
  let base = '';
  before(async () => (base = await relay.start()));
  after(() => relay.stop());

  const final = (outcome: 'unlocked' | 'rejected'): FinalDecision => ({
    time: new Date().toISOString(),
    mode: 'identify',
    outcome,
    reason: outcome === 'unlocked' ? 'match' : 'unknown_face',
    personId: outcome === 'unlocked' ? 'p1' : null,
    personName: outcome === 'unlocked' ? 'Ann' : null,
    score: 0.61,
    threshold: 0.28,
    recognizerId: 'sha256:7caa7fb0ad6c37b3',
    gates: [{ name: 'face_size', passed: true, value: 200 }],
    liveness: null,
  });

  it('an unlock calls the relay and the audit log records the door result', async () => {
    relay.received.length = 0;
    relay.script = [200];
    const audit = new AuditLog(await mkdtemp(path.join(tmpdir(), 'tobira-conclude-')));
    const door = createDoor({ kind: 'http', ...HTTP, url: `${base}/open?who={{personName}}` });
    const done = await concludeAttempt(final('unlocked'), { door, audit });
    assert.equal(done.door?.ok, true);
    assert.equal(relay.received[0]?.url, '/open?who=Ann');
    const [logged] = (await audit.read()).records;
    assert.deepEqual(logged?.door, { ok: true, kind: 'http', reason: null });
    assert.equal(logged?.personName, 'Ann');
  });

  it('a failed door is logged as failed; a rejection never calls the door', async () => {
    relay.received.length = 0;
    relay.script = [500];
    const audit = new AuditLog(await mkdtemp(path.join(tmpdir(), 'tobira-conclude-')));
    const door = createDoor({ kind: 'http', ...HTTP, url: `${base}/open`, retries: 0 });
    const failed = await concludeAttempt(final('unlocked'), { door, audit });
    assert.equal(failed.door?.ok, false);
    const rejected = await concludeAttempt(final('rejected'), { door, audit });
    assert.equal(rejected.door, null);
    assert.equal(relay.received.length, 1, 'only the unlock reached the relay');
    const records = (await audit.read()).records;
    assert.deepEqual(records[1]?.door, { ok: false, kind: 'http', reason: 'HTTP 500 Internal Server Error' });
    assert.equal(records[0]?.door, null);
  });
});
