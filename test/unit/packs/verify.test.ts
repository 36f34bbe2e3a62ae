// Load-time checks: a flipped byte or a missing file is named with the action; the hash cache
// skips unchanged files and re-hashes on a change of mtime.
import assert from 'node:assert/strict';
import { open, mkdtemp, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isPackError } from '../../../main/packs/errors.js';
import { sha256File, type Hasher } from '../../../main/packs/hash.js';
import { PackManager } from '../../../main/packs/manager.js';
import { buildZip, catalogEntry, testPackFiles, type ZipEntrySpec } from '../../helpers/pack-server.js';

let files: ZipEntrySpec[];
let zip: Buffer;
let base: string;
before(async () => {
  files = await testPackFiles();
  zip = await buildZip(files);
  base = await mkdtemp(path.join(os.tmpdir(), 'tobira-verify-'));
});
after(() => rm(base, { recursive: true, force: true }));

async function installed(pin: boolean) {
  const dir = await mkdtemp(path.join(base, 'case-'));
  await writeFile(path.join(dir, 'sc.zip'), zip);
  await writeFile(
    path.join(dir, 'catalog.json'),
    JSON.stringify({ packs: [catalogEntry('sc', 'https://example.invalid/sc.zip', zip, files, pin)] }),
  );
  const hashed: string[] = [];
  const hasher: Hasher = (file) => {
    hashed.push(path.basename(file));
    return sha256File(file);
  };
  const manager = new PackManager({
    root: path.join(dir, 'models'),
    catalogPath: path.join(dir, 'catalog.json'),
    hasher,
  });
  await manager.import(path.join(dir, 'sc.zip'));
  hashed.length = 0;
  return { manager, dir: path.join(dir, 'models', 'sc'), hashed };
}

async function flipByte(file: string, at: number): Promise<void> {
  const fh = await open(file, 'r+');
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, at);
  b[0]! ^= 0x01;
  await fh.write(b, 0, 1, at);
  await fh.close();
}

describe('verify', () => {
  for (const pin of [true, false]) {
    it(`catches a flipped byte and names the file (${pin ? 'pinned in the catalog' : 'recorded at install'})`, async () => {
      const { manager, dir } = await installed(pin);
      assert.equal((await manager.verify('sc')).ok, true);
      await flipByte(path.join(dir, 'w600k_mbf_int8_dynq.onnx'), 1000);
      const report = await manager.verify('sc');
      assert.equal(report.ok, false);
      assert.deepEqual(
        report.files.map((f) => [f.name, f.status]),
        [
          ['det_500m.onnx', 'ok'],
          ['w600k_mbf_int8_dynq.onnx', 'corrupt'],
        ],
      );
      assert.match(
        report.problems[0]!,
        /w600k_mbf_int8_dynq\.onnx of pack sc is corrupt.*re-download.*import/,
      );
      await assert.rejects(
        manager.resolveForLoad(),
        (e: unknown) => isPackError(e, 'CORRUPT_FILE') && /w600k_mbf_int8_dynq/.test(String(e)),
      );
    });
  }

  it('reports a missing file with its name and the action', async () => {
    const { manager, dir } = await installed(true);
    await unlink(path.join(dir, 'det_500m.onnx'));
    const report = await manager.verify('sc');
    assert.equal(report.files[0]!.status, 'missing');
    assert.match(report.problems[0]!, /det_500m\.onnx of pack sc is missing.*tobira models download sc/);
    await assert.rejects(manager.resolveForLoad(), (e: unknown) => isPackError(e, 'MISSING_FILE'));
  });

  it('does not re-hash unchanged files, and re-hashes a file whose mtime changed', async () => {
    const { manager, dir, hashed } = await installed(true);
    await manager.verify('sc');
    assert.deepEqual(hashed.sort(), ['det_500m.onnx', 'w600k_mbf_int8_dynq.onnx']);
    hashed.length = 0;
    // A fresh manager reads the cache from disk, as the next launch does.
    const again = new PackManager({
      root: path.dirname(dir),
      catalogPath: path.join(path.dirname(dir), '..', 'catalog.json'),
      hasher: (f) => (hashed.push(path.basename(f)), sha256File(f)),
    });
    assert.equal((await again.verify('sc')).ok, true);
    assert.deepEqual(hashed, []);
    const later = new Date(Date.now() + 5000);
    await utimes(path.join(dir, 'det_500m.onnx'), later, later);
    assert.equal((await again.verify('sc')).ok, true);
    assert.deepEqual(hashed, ['det_500m.onnx']);
  });
});
