// Offline import from a zip or a folder: custom packs are routed by ONNX signature (real models)
// and must hold a detector; a catalog name is checked against the catalog's hashes.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isPackError } from '../../../main/packs/errors.js';
import { PackManager } from '../../../main/packs/manager.js';
import { onnxRouter } from '../../../main/packs/signature.js';
import { modelPath } from '../../helpers/fixtures.js';
import { buildZip, catalogEntry, testPackFiles, type ZipEntrySpec } from '../../helpers/pack-server.js';

let files: ZipEntrySpec[];
let base: string;
before(async () => {
  files = await testPackFiles();
  base = await mkdtemp(path.join(os.tmpdir(), 'tobira-import-'));
});
after(() => rm(base, { recursive: true, force: true }));

async function fresh(packs: unknown[] = []) {
  const dir = await mkdtemp(path.join(base, 'case-'));
  await writeFile(path.join(dir, 'catalog.json'), JSON.stringify({ packs }));
  return {
    dir,
    manager: new PackManager({ root: path.join(dir, 'models'), catalogPath: path.join(dir, 'catalog.json') }),
  };
}

describe('signature routing of real models', () => {
  const table: [string, string | null][] = [
    ['det_500m.onnx', 'detection'],
    ['det_2.5g.onnx', 'detection'],
    ['scrfd_500m_bnkps_named640.onnx', 'detection'],
    ['w600k_mbf_int8_dynq.onnx', 'recognition'],
    ['mobilefacenet_128d.onnx', 'recognition'],
    ['2.7_80x80_MiniFASNetV2.onnx', 'liveness'],
    ['4_0_0_80x80_MiniFASNetV1SE.onnx', 'liveness'],
  ];
  for (const [file, role] of table) {
    it(`${file} → ${role}`, async () => {
      assert.equal((await onnxRouter(modelPath(file))).role, role);
    });
  }
  it('a file that is not ONNX is reported, not fatal', async () => {
    const junk = path.join(base, 'junk.onnx');
    await writeFile(junk, 'not a model');
    const route = await onnxRouter(junk);
    assert.equal(route.role, null);
    assert.match(route.role === null ? route.reason : '', /onnxruntime cannot load it/);
  });
});

describe('PackManager.import', () => {
  it('imports a custom pack from a zip, routing its models by signature', async () => {
    const { dir, manager } = await fresh();
    const zipFile = path.join(dir, 'my-door.zip');
    await writeFile(zipFile, await buildZip([...files, { name: 'README.txt', data: Buffer.from('hello') }]));
    const info = await manager.import(zipFile);
    assert.equal(info.name, 'my-door');
    assert.equal(info.source, 'import');
    assert.equal(info.installed, true);
    assert.equal(info.active, true, 'the first face pack becomes active');
    assert.equal(info.recognizer, 'w600k_mbf_int8_dynq.onnx');
    const loadable = await manager.resolveForLoad();
    assert.deepEqual(
      loadable.files.map((f) => [f.name, f.role]),
      [
        ['det_500m.onnx', 'detection'],
        ['w600k_mbf_int8_dynq.onnx', 'recognition'],
      ],
    );
  });

  it('imports a custom pack from a folder under a given name', async () => {
    const { dir, manager } = await fresh();
    const src = path.join(dir, 'src');
    await mkdir(src);
    for (const f of files) await copyFile(modelPath(f.name), path.join(src, f.name));
    await copyFile(modelPath('2.7_80x80_MiniFASNetV2.onnx'), path.join(src, 'live.onnx'));
    const info = await manager.import(src, { name: 'lobby' });
    assert.equal(info.name, 'lobby');
    const loadable = await manager.resolveForLoad('lobby');
    assert.deepEqual(loadable.files.map((f) => f.role).sort(), ['detection', 'liveness', 'recognition']);
    assert.equal((await manager.verify('lobby')).ok, true);
  });

  it('refuses a folder with no detector, and installs nothing', async () => {
    const { dir, manager } = await fresh();
    const src = path.join(dir, 'nodet');
    await mkdir(src);
    await copyFile(modelPath('w600k_mbf_int8_dynq.onnx'), path.join(src, 'rec.onnx'));
    await assert.rejects(manager.import(src), (e: unknown) => {
      assert.ok(isPackError(e, 'NO_DETECTOR'), String(e));
      assert.match((e as Error).message, /nodet holds no face detector \(found: rec\.onnx \(recognition\)\)/);
      return true;
    });
    assert.deepEqual(
      (await readdir(path.join(dir, 'models'))).filter((n) => !n.startsWith('.')),
      [],
    );
  });

  it('imports a catalog pack offline from its zip, checking the catalog hash', async () => {
    const zip = await buildZip(files);
    const { dir, manager } = await fresh([
      {
        ...catalogEntry('buffalo_sc', 'https://example.invalid/b.zip', zip, files),
        licenseAck: 'insightface',
      },
    ]);
    const good = path.join(dir, 'buffalo_sc.zip');
    await writeFile(good, zip);
    const info = await manager.import(good);
    assert.equal(info.source, 'catalog');
    assert.equal(info.installed, true);

    const bad = path.join(dir, 'other.zip');
    await writeFile(bad, await buildZip([...files, { name: 'extra.txt', data: Buffer.from('x') }]));
    await assert.rejects(manager.import(bad, { name: 'buffalo_sc' }), (e: unknown) =>
      isPackError(e, 'CHECKSUM_MISMATCH'),
    );
    assert.equal((await manager.verify('buffalo_sc')).ok, true, 'the installed pack is untouched');
  });

  it('rejects bad names and sources with clear errors', async () => {
    const { dir, manager } = await fresh();
    await assert.rejects(manager.import(path.join(dir, 'nope.zip')), /nope\.zip does not exist/);
    await mkdir(path.join(dir, 'x'));
    await assert.rejects(manager.import(path.join(dir, 'x'), { name: '../escape' }), /not a valid pack name/);
  });

  it('removes a pack and clears it as the active one', async () => {
    const { dir, manager } = await fresh();
    await writeFile(path.join(dir, 'p.zip'), await buildZip(files));
    await manager.import(path.join(dir, 'p.zip'));
    assert.equal(await manager.getActive(), 'p');
    await manager.remove('p');
    assert.equal(await manager.getActive(), null);
    assert.deepEqual(await manager.list(), []);
    await assert.rejects(manager.remove('p'), (e: unknown) => isPackError(e, 'NOT_FOUND'));
    await assert.rejects(manager.resolveForLoad(), (e: unknown) => isPackError(e, 'NOT_FOUND'));
  });
});
