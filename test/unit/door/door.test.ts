import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuditLog } from '../../../main/audit/audit-log.js';
import { createDoor, parseDoorConfig } from '../../../main/door/door.js';
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

describe('http door against a relay stand-in', () => {
  const relay = new RelayStandIn();
  let base = '';
  before(async () => (base = await relay.start()));
  after(() => relay.stop());

  it('sends the configured request with placeholders filled and reports success', async () => {
    relay.received.length = 0;
    const door = createDoor({
      kind: 'http',
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
    const door = createDoor({ kind: 'http', url: `${base}/open`, retries: 2, backoffMs: 20 });
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
      const door = createDoor({ kind: 'http', url: `${base}/open`, backoffMs: 1, ...f.config });
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
    const result = await createDoor({ kind: 'http', url, retries: 1, backoffMs: 1 }).test();
    assert.equal(result.ok, false);
    assert.match(result.reason ?? '', /ECONNREFUSED|fetch failed/);
  });
});

describe('command door', () => {
  const node = process.execPath;

  it('runs the program with filled args and no shell', async () => {
    const out = path.join(await mkdtemp(path.join(tmpdir(), 'tobira-door-')), 'args.json');
    const script = 'require("fs").writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))';
    const door = createDoor({
      kind: 'command',
      program: node,
      args: ['-e', script, out, 'pulse', '{{holdMs}}', '{{personName}}'],
      holdMs: 1500,
    });
    const result = await door.open({ personId: 'x', personName: '$(rm -rf /); `id`' });
    assert.equal(result.ok, true, result.reason ?? '');
    assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), ['pulse', '1500', '$(rm -rf /); `id`']);
  });

  const failures: { name: string; config: object; reason: RegExp }[] = [
    {
      name: 'non-zero exit, with stderr',
      config: { program: node, args: ['-e', 'console.error("relay busy"); process.exit(3)'] },
      reason: /exited with 3: relay busy/,
    },
    {
      name: 'timeout',
      config: { program: node, args: ['-e', 'setTimeout(() => {}, 10000)'], timeoutMs: 300 },
      reason: /timed out after 300 ms/,
    },
    { name: 'missing program', config: { program: '/nonexistent/relay-tool' }, reason: /program not found/ },
    {
      name: 'unknown placeholder',
      config: { program: node, args: ['{{secret}}'] },
      reason: /unknown placeholder/,
    },
  ];
  for (const f of failures) {
    it(`reports failure: ${f.name}`, async () => {
      const result = await createDoor({ kind: 'command', ...f.config }).test();
      assert.equal(result.ok, false);
      assert.match(result.reason ?? '', f.reason);
    });
  }
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
    ['empty program', { kind: 'command', program: '' }, /program/],
    ['negative hold', { kind: 'none', holdMs: -1 }, /holdMs/],
    ['too many retries', { kind: 'http', url: 'http://127.0.0.1/', retries: 50 }, /retries/],
    ['header not a string', { kind: 'http', url: 'http://127.0.0.1/', headers: { a: 1 } }, /headers/],
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
    const door = createDoor({ kind: 'http', url: `${base}/open?who={{personName}}` });
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
    const door = createDoor({ kind: 'http', url: `${base}/open`, retries: 0 });
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
