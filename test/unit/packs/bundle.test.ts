// The default setup as one step: the default face pack and the liveness add-on, one
// progress figure, against a loopback pack server with the real models.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultSetupPacks, downloadBundle, type BundleProgress } from '../../../main/packs/bundle.js';
import { PackManager } from '../../../main/packs/manager.js';
import { isPackError } from '../../../main/packs/errors.js';
import {
  buildZip,
  catalogEntry,
  serveLivenessAddon,
  startPackServer,
  testPackFiles,
  type PackServer,
} from '../../helpers/pack-server.js';

let server: PackServer;
let catalog: unknown[];
const temps: string[] = [];

before(async () => {
  server = await startPackServer();
  const files = await testPackFiles();
  const zip = await buildZip(files);
  server.routes.set('/face.zip', { body: zip });
  catalog = [
    { ...catalogEntry('face', server.url('/face.zip'), zip, files), default: true },
    { ...catalogEntry('other', server.url('/missing.zip'), zip, files) },
    await serveLivenessAddon(server, 'live'),
  ];
});
after(async () => {
  await server.close();
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function manager(packs: unknown[] = catalog): Promise<PackManager> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'tobira-bundle-'));
  temps.push(base);
  const catalogPath = path.join(base, 'catalog.json');
  await writeFile(catalogPath, JSON.stringify({ packs }));
  return new PackManager({ root: path.join(base, 'models'), catalogPath, retries: 0, progressIntervalMs: 0 });
}

describe('default setup bundle', () => {
  it('picks the default face pack and the add-on, and nothing already installed', async () => {
    const m = await manager();
    assert.deepEqual(
      defaultSetupPacks(await m.list(), 'live').map((p) => p.name),
      ['face', 'live'],
    );
    await m.download('live');
    assert.deepEqual(
      defaultSetupPacks(await m.list(), 'live').map((p) => p.name),
      ['face'],
    );
    await m.download('face');
    assert.deepEqual(defaultSetupPacks(await m.list(), 'live'), []);
  });

  it('installs both with one progress figure that only rises and ends at 100', async () => {
    const m = await manager();
    const seen: BundleProgress[] = [];
    await downloadBundle(m, defaultSetupPacks(await m.list(), 'live'), { onProgress: (p) => seen.push(p) });
    const installed = (await m.list()).filter((p) => p.installed).map((p) => p.name);
    assert.deepEqual(installed.sort(), ['face', 'live']);
    assert.equal(await m.getActive(), 'face', 'the face pack becomes the active one, never the add-on');
    const percents = seen.map((p) => p.percent);
    for (let i = 1; i < percents.length; i++)
      assert.ok(percents[i]! >= percents[i - 1]!, `went back: ${percents}`);
    assert.equal(percents.at(-1), 100);
    // The bar is shared by size: the face pack ends at its share of the bytes, then the add-on moves it on.
    const sizes = (await m.list()).filter((p) => p.name !== 'other').map((p) => p.size!);
    const share = (100 * sizes[0]!) / (sizes[0]! + sizes[1]!);
    const faceDone = Math.max(...seen.filter((p) => p.pack === 'face').map((p) => p.percent));
    assert.ok(
      Math.abs(faceDone - share) < 0.01,
      `the face pack ended at ${faceDone}%, its share is ${share}%`,
    );
    assert.ok(seen.some((p) => p.pack === 'live' && p.percent > faceDone && p.percent < 100));
  });

  it('stops at the first failure and keeps what was installed whole', async () => {
    const m = await manager([{ ...(catalog[0] as object), url: server.url('/gone.zip') }, catalog[2]]);
    const todo = defaultSetupPacks(await m.list(), 'live');
    await assert.rejects(downloadBundle(m, todo), (e: unknown) => isPackError(e));
    assert.deepEqual(
      (await m.list()).filter((p) => p.installed),
      [],
    );
  });
});
