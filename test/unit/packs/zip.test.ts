// Unsafe zips are refused before anything is written; InsightFace's two zip layouts both install.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import yazl from 'yazl';
import { isPackError } from '../../../main/packs/errors.js';
import { PackManager } from '../../../main/packs/manager.js';
import { extractZip, MAX_PACK_BYTES } from '../../../main/packs/zip.js';
import { projectRoot } from '../../helpers/fixtures.js';
import {
  buildZip,
  catalogEntry,
  patchName,
  testPackFiles,
  type ZipEntrySpec,
} from '../../helpers/pack-server.js';

let files: ZipEntrySpec[];
let base: string;

before(async () => {
  files = await testPackFiles();
  base = await mkdtemp(path.join(os.tmpdir(), 'tobira-zip-'));
});
after(() => rm(base, { recursive: true, force: true }));

const evil = Buffer.from('not a model');

// Each builds a zip with a real detector plus one bad entry; yazl refuses unsafe names, so they
// are written under a placeholder of the same length and patched in the bytes.
const UNSAFE: { label: string; make: () => Promise<Buffer>; pattern: RegExp }[] = [
  {
    label: '../ entry',
    make: async () =>
      patchName(
        await buildZip([...files, { name: 'xx/evil.onnx', data: evil }]),
        'xx/evil.onnx',
        '../evil.onnx',
      ),
    pattern: /\.\.\/evil\.onnx/,
  },
  {
    label: 'nested ../ entry',
    make: async () =>
      patchName(
        await buildZip([...files, { name: 'a/xx/xx/evil.onnx', data: evil }]),
        'a/xx/xx/evil',
        'a/../../evil',
      ),
    pattern: /a\/\.\.\/\.\.\/evil/,
  },
  {
    label: 'absolute path',
    make: async () =>
      patchName(
        await buildZip([...files, { name: 'xtmp/evil.onnx', data: evil }]),
        'xtmp/evil.onnx',
        '/tmp/evil.onnx',
      ),
    pattern: /absolute path/,
  },
  {
    label: 'drive letter',
    make: async () =>
      patchName(
        await buildZip([...files, { name: 'Cx/evil.onnx', data: evil }]),
        'Cx/evil.onnx',
        'C:/evil.onnx',
      ),
    pattern: /absolute path/,
  },
  {
    label: 'symbolic link',
    make: () => buildZip([...files, { name: 'link.onnx', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]),
    pattern: /link\.onnx.*symbolic link/,
  },
];

describe('zip safety', () => {
  for (const { label, make, pattern } of UNSAFE) {
    it(`refuses a zip with a ${label} and writes nothing outside the root`, async () => {
      const dir = await mkdtemp(path.join(base, 'case-'));
      const root = path.join(dir, 'models');
      const zipFile = path.join(dir, 'custom.zip');
      await writeFile(zipFile, await make());
      const manager = new PackManager({ root, catalogPath: path.join(dir, 'catalog.json') });
      await writeFile(path.join(dir, 'catalog.json'), JSON.stringify({ packs: [] }));
      await assert.rejects(manager.import(zipFile), (error: unknown) => {
        assert.ok(isPackError(error, 'UNSAFE_ZIP'), String(error));
        assert.match((error as Error).message, pattern);
        return true;
      });
      assert.deepEqual((await readdir(dir)).sort(), ['catalog.json', 'custom.zip', 'models']);
      assert.equal(existsSync('/tmp/evil.onnx'), false);
      assert.deepEqual(
        (await readdir(root)).filter((n) => n !== '.downloads'),
        [],
      );
    });
  }

  it('installs a catalog zip that holds its files inside a top folder (antelopev2 layout)', async () => {
    const dir = await mkdtemp(path.join(base, 'nested-'));
    const zip = await buildZip(files.map((f) => ({ name: `antelopev2/${f.name}`, data: f.data })));
    const zipFile = path.join(dir, 'antelopev2.zip');
    await writeFile(zipFile, zip);
    await writeFile(
      path.join(dir, 'catalog.json'),
      JSON.stringify({ packs: [catalogEntry('antelopev2', 'https://example.invalid/a.zip', zip, files)] }),
    );
    const manager = new PackManager({
      root: path.join(dir, 'models'),
      catalogPath: path.join(dir, 'catalog.json'),
    });
    const info = await manager.import(zipFile);
    assert.equal(info.name, 'antelopev2');
    assert.deepEqual(
      (await readdir(path.join(dir, 'models', 'antelopev2'))).sort(),
      ['.tobira-pack.json', ...files.map((f) => f.name)].sort(),
    );
    assert.equal((await manager.verify('antelopev2')).ok, true);
  });

  it('refuses a file that is not a zip with a clear error', async () => {
    const dir = await mkdtemp(path.join(base, 'notzip-'));
    await writeFile(path.join(dir, 'catalog.json'), JSON.stringify({ packs: [] }));
    await writeFile(path.join(dir, 'broken.zip'), 'PK but not really');
    const manager = new PackManager({
      root: path.join(dir, 'models'),
      catalogPath: path.join(dir, 'catalog.json'),
    });
    await assert.rejects(
      manager.import(path.join(dir, 'broken.zip')),
      /BAD_ZIP|broken\.zip is not a readable zip/,
    );
  });

  it('the size limit is what the largest catalog pack needs, with headroom', () => {
    const catalog = JSON.parse(readFileSync(path.join(projectRoot, 'models/catalog.json'), 'utf8')) as {
      packs: { name: string; size: number; files?: { name: string; size?: number }[] }[];
    };
    // Some entries leave a shared file's size out (buffalo_m's 2d106det.onnx): take it from another pack.
    const known = new Map<string, number>();
    for (const pack of catalog.packs)
      for (const file of pack.files ?? []) if (file.size) known.set(file.name, file.size);
    const expanded = catalog.packs.map((pack) => {
      const files = pack.files ?? [];
      const sum = files.reduce((total, f) => total + (f.size ?? known.get(f.name) ?? pack.size), 0);
      return { name: pack.name, bytes: Math.max(sum, pack.size) };
    });
    const largest = expanded.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    assert.equal(largest.name, 'antelopev2');
    const headroom = MAX_PACK_BYTES / largest.bytes;
    assert.ok(headroom >= 2 && headroom <= 3, `limit is ${headroom.toFixed(2)}× the largest pack`);
  });

  it('refuses, before writing anything, a zip that says it expands past the limit', async () => {
    const dir = await mkdtemp(path.join(base, 'bomb-'));
    // A deflated entry whose central directory record (the 46-byte header before the name;
    // the uncompressed size at offset 24) says 1.125 GiB: under the old 4 GiB limit, over the new.
    const yazlZip = new yazl.ZipFile();
    yazlZip.addBuffer(Buffer.alloc(64 * 1024), 'bomb.bin', { compress: true });
    yazlZip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of yazlZip.outputStream) chunks.push(chunk as Buffer);
    const zip = Buffer.concat(chunks);
    const name = zip.lastIndexOf(Buffer.from('bomb.bin'));
    zip.writeUInt32LE(MAX_PACK_BYTES + 128 * 1024 ** 2, name - 46 + 24);
    const zipFile = path.join(dir, 'bomb.zip');
    await writeFile(zipFile, zip);
    const out = await mkdtemp(path.join(dir, 'out-'));
    await assert.rejects(extractZip(zipFile, out), (error: unknown) => {
      assert.ok(isPackError(error, 'UNSAFE_ZIP'), String(error));
      assert.match((error as Error).message, /over the 1073741824-byte limit/);
      return true;
    });
    assert.deepEqual(await readdir(out), []);
  });
});
