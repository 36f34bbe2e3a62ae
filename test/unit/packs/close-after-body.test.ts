// A plain file server (Python's http.server, many others) writes the headers and
// the whole body at once, then closes the connection. undici 7 could then die
// with an uncatchable `assert(!this.paused)` in client-h1.js (undici issue 5360)
// instead of reporting the pack's checksum mismatch. The CLI runs in a child
// process here, as a user runs it, because that assertion kills the process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectRoot } from '../../helpers/fixtures.js';
import { buildZip, catalogEntry, testPackFiles } from '../../helpers/pack-server.js';
import { within } from '../../helpers/deadline.js';

/** Answers every request with `body` in one write, `Connection: close`, then ends the socket. */
async function closeAfterBodyServer(body: Buffer): Promise<{ url: string; close: () => Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      const head =
        'HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\n' +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      socket.end(Buffer.concat([Buffer.from(head), body]));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pack.zip`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function runCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'main/cli/tobira.ts'), ...args],
    { cwd: projectRoot, env: { ...process.env, NO_PROXY: '127.0.0.1' } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return within(
    `tobira ${args.join(' ')}`,
    new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err }))),
  );
}

describe('tobira models download from a server that closes after the body', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof closeAfterBodyServer>>;
  let common: string[];

  before(async () => {
    const files = await testPackFiles();
    const zip = await buildZip(files);
    server = await closeAfterBodyServer(zip);
    dir = await mkdtemp(path.join(os.tmpdir(), 'tobira-close-'));
    const entry = catalogEntry('sc', server.url, zip, files);
    // The catalog pins another zip: the download completes, then fails its checksum.
    const catalog = path.join(dir, 'catalog.json');
    await writeFile(catalog, JSON.stringify({ packs: [{ ...entry, sha256: 'a'.repeat(64) }] }));
    common = ['--root', path.join(dir, 'models'), '--catalog', catalog];
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the checksum mismatch every time, never a crash inside the HTTP client', async () => {
    // 2 runs in 6 crashed with undici 7; 6 runs all end in the same clear error.
    for (let run = 1; run <= 6; run++) {
      const { code, err } = await runCli(['models', 'download', 'sc', ...common]);
      assert.doesNotMatch(err, /AssertionError|client-h1/, `run ${run} crashed:\n${err}`);
      assert.equal(code, 1, `run ${run}: exit ${code}\n${err}`);
      assert.match(err, /CHECKSUM_MISMATCH|checksum/i, `run ${run}:\n${err}`);
    }
  });
});
