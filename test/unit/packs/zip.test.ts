// Unsafe zips are refused before anything is written; InsightFace's two zip layouts both install.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isPackError } from '../../../main/packs/errors.js';
import { PackManager } from '../../../main/packs/manager.js';
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
});
