// Download → verify → extract → install against a loopback pack server, with real models.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isPackError } from '../../../main/packs/errors.js';
import { PackManager, type PackManagerOptions, type PackProgress } from '../../../main/packs/manager.js';
import {
  buildZip,
  catalogEntry,
  sha256,
  startPackServer,
  testPackFiles,
  type PackServer,
  type ZipEntrySpec,
} from '../../helpers/pack-server.js';

let server: PackServer;
let files: ZipEntrySpec[];
let zip: Buffer;
const temps: string[] = [];

before(async () => {
  server = await startPackServer();
  files = await testPackFiles();
  zip = await buildZip(files);
});
after(async () => {
  await server.close();
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function setup(
  packs: unknown[],
  opts: Partial<PackManagerOptions> = {},
): Promise<{ manager: PackManager; root: string; base: string }> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'tobira-packs-'));
  temps.push(base);
  const root = path.join(base, 'models');
  const catalogPath = path.join(base, 'catalog.json');
  await writeFile(catalogPath, JSON.stringify({ packs }));
  const manager = new PackManager({
    root,
    catalogPath,
    retries: 0,
    backoffMs: 10,
    timeoutMs: 2000,
    progressIntervalMs: 0,
    ...opts,
  });
  return { manager, root, base };
}

function serve(route: string, body: Buffer, extra: object = {}): string {
  server.routes.set(route, { body, ...extra });
  return server.url(route);
}

async function rejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isPackError(error, code as never), `expected ${code}, got ${String(error)}`);
    assert.match((error as Error).message, pattern);
    return error as Error;
  }
  assert.fail(`expected ${code}`);
}

async function leftovers(root: string): Promise<string[]> {
  const names = existsSync(root) ? await readdir(root) : [];
  const downloads = existsSync(path.join(root, '.downloads'))
    ? await readdir(path.join(root, '.downloads'))
    : [];
  return [...names.filter((n) => n.startsWith('.staging') || n.startsWith('.old')), ...downloads];
}

describe('PackManager.download', () => {
  it('installs a good pack, verifies it, makes it active, and reports monotonic progress ending at 100%', async () => {
    const url = serve('/good/pack.zip', zip);
    const { manager, root } = await setup([catalogEntry('sc', url, zip, files)]);
    const events: PackProgress[] = [];
    const info = await manager.download('sc', { onProgress: (p) => events.push(structuredClone(p)) });
    assert.equal(info.installed, true);
    assert.equal(info.active, true);
    for (const f of files) assert.deepEqual(await readFile(path.join(root, 'sc', f.name)), f.data);
    const report = await manager.verify('sc');
    assert.equal(report.ok, true, report.problems.join('\n'));
    assert.deepEqual(
      report.files.map((f) => f.status),
      ['ok', 'ok'],
    );
    assert.ok(events.length >= 3, `only ${events.length} events`);
    const percents = events.map((e) => e.percent ?? 0);
    for (let i = 1; i < percents.length; i++)
      assert.ok(percents[i]! >= percents[i - 1]!, `percent went back: ${percents}`);
    const bytes = events.filter((e) => e.phase === 'download').map((e) => e.bytes);
    for (let i = 1; i < bytes.length; i++) assert.ok(bytes[i]! >= bytes[i - 1]!);
    assert.equal(events.at(-1)!.phase, 'done');
    assert.equal(events.at(-1)!.percent, 100);
    assert.ok(events.some((e) => e.phase === 'download' && e.total === zip.length));
    assert.deepEqual(await leftovers(root), []);
    const loadable = await manager.resolveForLoad();
    assert.equal(loadable.name, 'sc');
    assert.equal(loadable.recognizer, 'w600k_mbf_int8_dynq.onnx');
  });

  it('a cut halfway leaves nothing installed; the next try resumes with Range and completes', async () => {
    const url = serve('/cut/pack.zip', zip, { cuts: 1 });
    const { manager, root } = await setup([catalogEntry('sc', url, zip, files)]);
    await rejectsWith(manager.download('sc'), 'INTERRUPTED', /cut\/pack\.zip.*resume/);
    assert.equal(existsSync(path.join(root, 'sc')), false, 'no half-installed pack');
    assert.equal((await manager.list())[0]!.installed, false);
    const partial = path.join(root, '.downloads', 'sc.zip.part');
    const kept = (await readFile(partial)).length;
    assert.ok(kept > 0 && kept < zip.length, `partial holds ${kept} bytes`);

    const before = server.requests.length;
    await manager.download('sc');
    const resumed = server.requests.slice(before).find((r) => r.path === '/cut/pack.zip');
    assert.equal(resumed?.range, `bytes=${kept}-`);
    assert.equal((await manager.verify('sc')).ok, true);
    assert.deepEqual(await leftovers(root), []);
  });

  it('starts over cleanly when the server ignores Range, keeping progress monotonic', async () => {
    const url = serve('/norange/pack.zip', zip, { cuts: 1, ignoreRange: true });
    const { manager } = await setup([catalogEntry('sc', url, zip, files)], { retries: 1 });
    const events: PackProgress[] = [];
    await manager.download('sc', { onProgress: (p) => events.push(p) });
    const bytes = events.filter((e) => e.phase === 'download').map((e) => e.bytes);
    for (let i = 1; i < bytes.length; i++) assert.ok(bytes[i]! >= bytes[i - 1]!, `bytes went back: ${bytes}`);
    assert.equal((await manager.verify('sc')).ok, true);
  });

  it('restores the previous pack when a crash struck between the two renames of an install', async () => {
    const url = serve('/crash/pack.zip', zip);
    const { manager, root } = await setup([catalogEntry('sc', url, zip, files)]);
    await manager.download('sc');
    const { rename } = await import('node:fs/promises');
    await rename(path.join(root, 'sc'), path.join(root, '.old-sc-0123abcd'));
    await mkdir(path.join(root, '.staging-sc-xyz'));
    const next = new PackManager({ root, catalogPath: manager.catalogPath });
    assert.equal((await next.resolveForLoad()).name, 'sc');
    assert.deepEqual(await leftovers(root), []);
  });

  it('retries within one call after a cut, resuming where it stopped', async () => {
    const url = serve('/retry/pack.zip', zip, { cuts: 1 });
    const { manager } = await setup([catalogEntry('sc', url, zip, files)], { retries: 2 });
    const before = server.requests.length;
    await manager.download('sc');
    const ranges = server.requests.slice(before).map((r) => r.range);
    assert.equal(ranges.length, 2);
    assert.equal(ranges[0], null);
    assert.match(ranges[1]!, /^bytes=\d+-$/);
  });

  it('refuses a zip whose sha256 differs, naming both checksums, and keeps the earlier pack working', async () => {
    const url = serve('/v1/pack.zip', zip);
    const { manager, root, base } = await setup([catalogEntry('sc', url, zip, files)]);
    await manager.download('sc');
    const tampered = Buffer.from(zip);
    tampered[Math.floor(tampered.length / 2)]! ^= 0xff;
    serve('/v1/pack.zip', tampered);
    await manager.acknowledgeLicense('sc');
    // Force a re-download of the same pack over the installed one.
    const error = await rejectsWith(manager.download('sc'), 'CHECKSUM_MISMATCH', new RegExp(sha256(zip)));
    assert.match(error.message, new RegExp(sha256(tampered)));
    assert.equal((await manager.verify('sc')).ok, true, 'the earlier pack still verifies');
    assert.equal((await manager.resolveForLoad()).name, 'sc');
    assert.deepEqual(await leftovers(root), []);
    void base;
  });

  it('refuses a file whose per-file sha256 differs from the catalog', async () => {
    const url = serve('/perfile/pack.zip', zip);
    const entry = catalogEntry('sc', url, zip, files);
    entry.files[0]!.sha256 = 'a'.repeat(64);
    delete (entry as { sha256?: string }).sha256;
    const { manager, root } = await setup([entry]);
    await rejectsWith(manager.download('sc'), 'CHECKSUM_MISMATCH', /det_500m\.onnx.*a{64}/);
    assert.equal(existsSync(path.join(root, 'sc')), false);
  });

  it('records per-file hashes at install when the catalog pins none, and verifies against them', async () => {
    const url = serve('/unpinned/pack.zip', zip);
    const { manager, root } = await setup([catalogEntry('sc', url, zip, files, false)]);
    await manager.download('sc');
    const manifest = JSON.parse(await readFile(path.join(root, 'sc', '.tobira-pack.json'), 'utf8')) as {
      zipSha256: string;
      files: { name: string; sha256: string }[];
    };
    assert.equal(manifest.zipSha256, sha256(zip));
    assert.deepEqual(
      manifest.files.map((f) => [f.name, f.sha256]),
      files.map((f) => [f.name, sha256(f.data)]),
    );
  });

  it('gives clear errors for a 404, a stalled server and a full disk', async () => {
    const { manager: m404 } = await setup([catalogEntry('sc', server.url('/missing.zip'), zip, files)]);
    await rejectsWith(m404.download('sc'), 'HTTP_404', /missing\.zip.*404/);

    const stallUrl = serve('/stall/pack.zip', zip, { stall: true });
    const { manager: slow, root } = await setup([catalogEntry('sc', stallUrl, zip, files)], {
      timeoutMs: 300,
    });
    await rejectsWith(slow.download('sc'), 'TIMEOUT', /stall\/pack\.zip/);
    assert.equal(existsSync(path.join(root, 'sc')), false);

    const fullUrl = serve('/full/pack.zip', zip);
    const before = server.requests.length;
    const { manager: full } = await setup([catalogEntry('sc', fullUrl, zip, files)], {
      freeSpace: async () => 1000,
    });
    await rejectsWith(full.download('sc'), 'DISK_FULL', /need .*MiB, 1000 B free/);
    assert.equal(server.requests.length, before, 'no request is made when the disk is too full');
  });

  it('says it is offline when nothing answers, and offers an import', async () => {
    const { manager } = await setup([catalogEntry('sc', 'http://127.0.0.1:9/pack.zip', zip, files)]);
    await rejectsWith(manager.download('sc'), 'OFFLINE', /127\.0\.0\.1:9.*import/);
  });

  it('shares one transfer between two concurrent downloads of the same pack', async () => {
    const url = serve('/shared/pack.zip', zip);
    const { manager } = await setup([catalogEntry('sc', url, zip, files)]);
    const before = server.requests.length;
    const [a, b] = await Promise.all([manager.download('sc'), manager.download('sc')]);
    assert.equal(a.installed && b.installed, true);
    assert.equal(server.requests.slice(before).filter((r) => r.path === '/shared/pack.zip').length, 1);
  });

  it('cancel stops the transfer and leaves nothing behind', async () => {
    const url = serve('/slow/pack.zip', zip, { chunkDelayMs: 5 });
    const { manager, root } = await setup([catalogEntry('sc', url, zip, files)]);
    const controller = new AbortController();
    const download = manager.download('sc', {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes > 256 * 1024) controller.abort();
      },
    });
    await rejectsWith(download, 'CANCELLED', /sc/);
    // The shared transfer winds down after its last caller left.
    for (let i = 0; i < 50 && (await manager.list())[0]!.downloading; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(existsSync(path.join(root, 'sc')), false);
    assert.deepEqual(await leftovers(root), []);
  });

  it('refuses an InsightFace-licensed pack until the licence is acknowledged', async () => {
    const url = serve('/lic/pack.zip', zip);
    const { manager } = await setup([{ ...catalogEntry('sc', url, zip, files), licenseAck: 'insightface' }]);
    await rejectsWith(manager.download('sc'), 'LICENSE_NOT_ACKNOWLEDGED', /test licence/);
    assert.equal((await manager.list())[0]!.licenseAcknowledged, false);
    await manager.acknowledgeLicense('insightface');
    assert.equal((await manager.list())[0]!.licenseAcknowledged, true);
    await manager.download('sc');
  });

  it('downloads an add-on pack file by file, checking each pinned hash', async () => {
    const live = ['2.7_80x80_MiniFASNetV2.onnx', '4_0_0_80x80_MiniFASNetV1SE.onnx'];
    const { modelPath } = await import('../../helpers/fixtures.js');
    const bodies = await Promise.all(live.map((n) => readFile(modelPath(n))));
    const entry = {
      name: 'liveness',
      kind: 'addon',
      files: live.map((n, i) => ({
        name: n,
        role: 'liveness',
        sha256: sha256(bodies[i]!),
        size: bodies[i]!.length,
        url: serve(`/live/${n}`, bodies[i]!),
      })),
    };
    const { manager, root } = await setup([entry]);
    const info = await manager.download('liveness');
    assert.equal(info.installed, true);
    assert.equal(info.active, false, 'an add-on never becomes the active face pack');
    assert.equal((await manager.verify('liveness')).ok, true);
    assert.deepEqual(await readFile(path.join(root, 'liveness', live[1]!)), bodies[1]);
  });
});
