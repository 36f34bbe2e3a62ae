// The catalog: the bundled one is valid and pins what it should; bad catalogs are refused with
// an error naming the file and the field.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isPackError } from '../../../main/packs/errors.js';
import { loadCatalog, parseCatalog } from '../../../main/packs/catalog.js';
import { modelsDir } from '../../helpers/fixtures.js';
import { readFile } from 'node:fs/promises';

const H = 'a'.repeat(64);
const ok = { name: 'p', url: 'https://example.com/p.zip' };

const BAD: [string, unknown, RegExp][] = [
  ['not an object', [], /\(root\)/],
  ['no packs', {}, /packs/],
  ['pack without url or file urls', { packs: [{ name: 'p' }] }, /packs\.0\.url: needs "url"/],
  ['bad name (path)', { packs: [{ ...ok, name: '../p' }] }, /packs\.0\.name/],
  ['bad name (dot first)', { packs: [{ ...ok, name: '.hidden' }] }, /packs\.0\.name/],
  ['ftp url', { packs: [{ ...ok, url: 'ftp://x/p.zip' }] }, /packs\.0\.url: must be an http/],
  ['short sha256', { packs: [{ ...ok, sha256: 'abc' }] }, /packs\.0\.sha256: must be 64/],
  ['uppercase sha256', { packs: [{ ...ok, sha256: H.toUpperCase() }] }, /packs\.0\.sha256/],
  ['negative size', { packs: [{ ...ok, size: -1 }] }, /packs\.0\.size/],
  [
    'unknown role',
    { packs: [{ ...ok, files: [{ name: 'a.onnx', role: 'magic' }] }] },
    /packs\.0\.files\.0\.role/,
  ],
  [
    'file in a folder',
    { packs: [{ ...ok, files: [{ name: 'x/a.onnx', role: 'detection' }] }] },
    /files\.0\.name/,
  ],
  [
    'face pack without detector',
    { packs: [{ ...ok, files: [{ name: 'r.onnx', role: 'recognition' }] }] },
    /must list a detection file/,
  ],
  [
    'duplicate file',
    {
      packs: [
        {
          ...ok,
          files: [
            { name: 'a.onnx', role: 'detection' },
            { name: 'a.onnx', role: 'detection' },
          ],
        },
      ],
    },
    /duplicate file a\.onnx/,
  ],
  ['duplicate pack', { packs: [ok, ok] }, /duplicate pack p/],
  [
    'per-file download without hash',
    {
      packs: [
        { name: 'p', kind: 'addon', files: [{ name: 'a.onnx', role: 'liveness', url: 'https://x/a.onnx' }] },
      ],
    },
    /need their "sha256"/,
  ],
  ['unknown field (typo)', { packs: [{ ...ok, sha265: H }] }, /sha265|Unrecognized/],
];

describe('catalog', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tobira-catalog-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [label, json, pattern] of BAD) {
    it(`refuses a catalog with ${label}`, () => {
      assert.throws(
        () => parseCatalog(json, 'test.json'),
        (e: unknown) =>
          isPackError(e, 'BAD_CATALOG') &&
          /catalog test\.json is invalid/.test(String(e)) &&
          pattern.test(String(e)),
      );
    });
  }

  it('names the file when it is missing or not JSON', async () => {
    await assert.rejects(loadCatalog(path.join(dir, 'none.json')), /cannot read catalog .*none\.json/);
    await writeFile(path.join(dir, 'bad.json'), '{"packs": [');
    await assert.rejects(loadCatalog(path.join(dir, 'bad.json')), /catalog .*bad\.json is not JSON/);
  });

  it('accepts the minimal shape of the issue', () => {
    const c = parseCatalog({ packs: [ok] }, 'min.json');
    assert.equal(c.packs[0]!.kind, 'face');
  });

  it('the bundled catalog is valid: buffalo_l is the default, and the pins match the real test models', async () => {
    const catalog = await loadCatalog();
    assert.deepEqual(
      catalog.packs.map((p) => p.name),
      ['buffalo_l', 'buffalo_m', 'buffalo_s', 'buffalo_sc', 'antelopev2', 'minifasnet'],
    );
    assert.deepEqual(
      catalog.packs.filter((p) => p.default).map((p) => p.name),
      ['buffalo_l'],
    );
    for (const p of catalog.packs.filter((p) => p.kind === 'face')) {
      assert.match(
        p.url!,
        new RegExp(`^https://github\\.com/deepinsight/insightface/releases/download/v0\\.7/${p.name}\\.zip$`),
      );
      assert.match(p.sha256!, /^[0-9a-f]{64}$/);
      assert.equal(p.licenseAck, 'insightface');
      assert.match(p.license!, /non-commercial research/);
    }
    // The files that exist on this machine have exactly the hashes the catalog pins.
    const manifest = JSON.parse(await readFile(path.join(modelsDir(), 'manifest.json'), 'utf8')) as {
      file: string;
      sha256: string;
      bytes: number;
    }[];
    const byFile = new Map(manifest.map((m) => [m.file, m]));
    let checked = 0;
    for (const p of catalog.packs) {
      for (const f of p.files ?? []) {
        const real = byFile.get(f.name);
        if (!real) continue;
        assert.equal(f.sha256, real.sha256, `${p.name}/${f.name}`);
        assert.equal(f.size, real.bytes, `${p.name}/${f.name}`);
        checked++;
      }
    }
    assert.ok(checked >= 5, `only ${checked} pins checked`);
  });
});
