// `tobira models ...` end to end through the CLI dispatcher, against a loopback pack server.
import assert from 'node:assert/strict';
import { open, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../main/cli/tobira.js';
import { defaultModelsRoot } from '../../../main/packs/paths.js';
import {
  buildZip,
  catalogEntry,
  startPackServer,
  testPackFiles,
  type PackServer,
} from '../../helpers/pack-server.js';

let server: PackServer;
let dir: string;
let common: string[];

before(async () => {
  // Loopback never goes through a proxy, whatever the environment says.
  process.env.NO_PROXY = [process.env.NO_PROXY, '127.0.0.1'].filter(Boolean).join(',');
  server = await startPackServer();
  const files = await testPackFiles();
  const zip = await buildZip(files);
  server.routes.set('/sc.zip', { body: zip });
  dir = await mkdtemp(path.join(os.tmpdir(), 'tobira-cli-'));
  const catalog = path.join(dir, 'catalog.json');
  await writeFile(
    catalog,
    JSON.stringify({
      packs: [{ ...catalogEntry('sc', server.url('/sc.zip'), zip, files), licenseAck: 'insightface' }],
    }),
  );
  common = ['--root', path.join(dir, 'models'), '--catalog', catalog];
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['models', ...argv, ...common], {
    out: (t) => void (out += `${t}\n`),
    err: (t) => void (err += `${t}\n`),
  });
  return { code, out, err };
}

describe('tobira models', () => {
  it('lists, downloads (after the licence), verifies, catches corruption, and removes', async () => {
    assert.deepEqual(JSON.parse((await cli('list', '--json')).out), {
      packs: [
        {
          name: 'sc',
          installed: false,
          active: false,
          size: server.routes.get('/sc.zip')!.body.length,
          license: 'test licence',
        },
      ],
    });
    const refused = await cli('download', 'sc');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /LICENSE_NOT_ACKNOWLEDGED.*--accept-license/);

    const done = await cli('download', 'sc', '--accept-license');
    assert.equal(done.code, 0, done.err);
    assert.match(done.err, /sc: download \d+%/);
    assert.match(done.err, /sc: done 100%/);
    const listed = JSON.parse((await cli('list', '--json')).out) as {
      packs: { installed: boolean; active: boolean }[];
    };
    assert.deepEqual([listed.packs[0]!.installed, listed.packs[0]!.active], [true, true]);

    assert.equal((await cli('verify', 'sc')).code, 0);
    const fh = await open(path.join(dir, 'models', 'sc', 'det_500m.onnx'), 'r+');
    await fh.write(Buffer.from([0x42]), 0, 1, 4096);
    await fh.close();
    const bad = await cli('verify', 'sc');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /det_500m\.onnx of pack sc is corrupt/);

    assert.equal((await cli('remove', 'sc')).code, 0);
    assert.equal(
      (JSON.parse((await cli('list', '--json')).out) as { packs: { installed: boolean }[] }).packs[0]!
        .installed,
      false,
    );
  });

  it('imports a zip and reports usage errors with exit 2', async () => {
    const zipFile = path.join(dir, 'door.zip');
    await writeFile(zipFile, await buildZip(await testPackFiles()));
    const imported = await cli('import', zipFile, '--name', 'door');
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /installed door/);
    assert.equal((await cli('frobnicate')).code, 2);
    assert.equal((await cli('verify')).code, 2);
    const missing = await cli('download', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /NOT_FOUND: pack nope is not in the catalog/);
  });

  it('defaults the root to the per-OS userData folder, or TOBIRA_MODELS_DIR', () => {
    assert.equal(defaultModelsRoot({ TOBIRA_MODELS_DIR: '/srv/m' }, 'linux'), '/srv/m');
    assert.equal(defaultModelsRoot({ XDG_CONFIG_HOME: '/x' }, 'linux'), '/x/Tobira/models');
    assert.equal(defaultModelsRoot({}, 'linux'), path.join(os.homedir(), '.config/Tobira/models'));
    assert.equal(
      defaultModelsRoot({}, 'darwin'),
      path.join(os.homedir(), 'Library/Application Support/Tobira/models'),
    );
    assert.equal(defaultModelsRoot({ APPDATA: '/appdata' }, 'win32'), path.resolve('/appdata/Tobira/models'));
  });
});
