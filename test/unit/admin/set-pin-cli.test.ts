// `tobira admin set-pin`: the PIN set on the PC, for an installer or a kiosk in
// use whose PIN file was lost (the screen may not set it there: first-pin.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../main/cli/tobira.js';
import { AdminPin } from '../../../main/admin/pin.js';
import { createNodeServices } from '../../helpers/node-services.js';
import { nextEvent } from '../../helpers/deadline.js';

const projectRoot = path.resolve(import.meta.dirname, '../../..');

async function run(argv: string[], lines: (string | null)[]) {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const code = await main(['admin', ...argv], {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    readLine: async (prompt) => {
      prompts.push(prompt);
      return lines.shift() ?? null;
    },
  });
  return { code, out: out.join('\n'), err: err.join('\n'), prompts };
}

const freshDir = () => mkdtemp(path.join(tmpdir(), 'tobira-setpin-'));

describe('tobira admin set-pin', () => {
  test('sets the PIN of a kiosk in use, which the kiosk then accepts at its next start', async () => {
    const node = await createNodeServices();
    await node.services.store!.addPerson('Aiko');
    await node.services.close();
    const result = await run(['set-pin', '--data-dir', node.dataDir], ['482913', '482913']);
    assert.equal(result.code, 0, result.err);
    assert.equal(result.prompts.length, 2, 'typed twice');
    const restarted = await createNodeServices({ dataDir: node.dataDir });
    try {
      assert.equal(restarted.services.pin.isSet(), true);
      assert.deepEqual(await restarted.services.pin.verify('482913'), { ok: true });
      // Logged as an admin action from the PC, in the same chained log as the app's.
      const entries = await restarted.services.audit.readEntries({ offset: 0, limit: 10 });
      assert.ok(
        entries.records.some((e) => e.kind === 'admin' && e.action === 'pin_change' && e.actor === 'cli'),
        JSON.stringify(entries.records),
      );
    } finally {
      await restarted.services.close();
    }
  });

  test('two different PINs, a short one or none change nothing', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'admin-pin.json');
    const cases: [string[], (string | null)[], RegExp][] = [
      [[], ['482913', '482914'], /differ/],
      [[], ['1234', '1234'], /at least 6 digits/],
      [[], ['12ab56', '12ab56'], /digits only/],
      [[], [null], /no PIN/],
    ];
    for (const [flags, lines, message] of cases) {
      const result = await run(['set-pin', '--data-dir', dir, ...flags], lines);
      assert.equal(result.code, 1, String(lines));
      assert.match(result.err, message);
      await assert.rejects(readFile(file), { code: 'ENOENT' });
    }
    const weak = await run(['set-pin', '--data-dir', dir, '--allow-weak-4-digit'], ['1234', '1234']);
    assert.equal(weak.code, 0, weak.err);
    assert.deepEqual(await (await AdminPin.open(file)).verify('1234'), { ok: true });
  });

  test('clears a lockout, and needs no old PIN', async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'admin-pin.json');
    const pin = await AdminPin.open(file, { cost: { N: 2 ** 10, r: 8, p: 1 } });
    await pin.setPin('111111');
    for (let i = 0; i < 5; i++) await pin.verify('000000');
    assert.ok(pin.retryAfterMs() > 0);
    assert.equal((await run(['set-pin', '--data-dir', dir], ['222222', '222222'])).code, 0);
    const reopened = await AdminPin.open(file);
    assert.equal(reopened.retryAfterMs(), 0);
    assert.deepEqual(await reopened.verify('222222'), { ok: true });
  });

  test('bad usage exits 2 with the usage', async () => {
    const result = await run(['reset'], []);
    assert.equal(result.code, 2);
    assert.match(result.err, /expected 'set-pin', got 'reset'\nusage: tobira admin set-pin/);
  });

  test('an installer pipes the PIN twice on standard input', async () => {
    const dir = await freshDir();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(projectRoot, 'main/cli/tobira.ts'),
        'admin',
        'set-pin',
        '--data-dir',
        dir,
      ],
      { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end('735195\n735195\n');
    const code = await nextEvent<number | null>(child, 'close', 'tobira admin set-pin to finish');
    assert.equal(code, 0, stderr);
    assert.deepEqual(await (await AdminPin.open(path.join(dir, 'admin-pin.json'))).verify('735195'), {
      ok: true,
    });
  });
});
