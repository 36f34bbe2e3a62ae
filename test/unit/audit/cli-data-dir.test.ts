// `--data-dir DIR` on the CLI means the app's layout: the store (and its key file)
// in DIR/store, the audit log in DIR/audit, the models in DIR/models. Enroll and
// identify find each other there, and enroll is audited in the same chained log.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuditLog } from '../../../main/audit/audit-log.js';
import type { AdminRecord } from '../../../main/audit/types.js';
import { main } from '../../../main/cli/tobira.js';
import { PackManager } from '../../../main/packs/manager.js';
import { facePath, modelPath, TEST_PACK_FILES } from '../../helpers/fixtures.js';

describe('the CLI with --data-dir', () => {
  let dataDir = '';
  let folder = '';
  before(async () => {
    dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'tobira-cli-data-')), 'data');
    // The test pack, imported as the admin screen imports a folder: DIR/models/<pack>, made active.
    const packs = new PackManager({ root: path.join(dataDir, 'models') });
    folder = mkdtempSync(path.join(tmpdir(), 'tobira-pack-copy-'));
    for (const file of TEST_PACK_FILES) copyFileSync(modelPath(file), path.join(folder, file));
    const info = await packs.import(folder, { name: 'test-pack' });
    await packs.setActive(info.name);
  });
  after(() => {
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
  });

  const run = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await main(argv, { out: (t) => lines.push(t), err: (t) => lines.push(`ERR ${t}`) });
    return { code, text: lines.join('\n') };
  };

  it('enrolls into DIR/store with DIR/models, identifies from there, and logs enroll in DIR/audit', async () => {
    const enrolled = await run(
      'enroll',
      '--data-dir',
      dataDir,
      '--name',
      'Obama',
      facePath('photos/face_recognition/obama.jpg'),
    );
    assert.equal(enrolled.code, 0, enrolled.text);
    assert.ok(readdirSync(path.join(dataDir, 'store')).includes('store.json'));
    const identified = await run(
      'identify',
      '--json',
      '--data-dir',
      dataDir,
      facePath('photos/face_recognition/obama3.jpg'),
    );
    assert.equal(identified.code, 0, identified.text);
    assert.equal((JSON.parse(identified.text) as { match: { name: string } | null }).match?.name, 'Obama');

    const entries = (await new AuditLog(path.join(dataDir, 'audit')).readEntries()).records;
    const enroll = entries.find((e): e is AdminRecord => e.kind === 'admin' && e.action === 'enroll');
    assert.deepEqual([enroll?.actor, enroll?.ok, enroll?.detail.enrolled], ['cli', true, 1]);
    const verified = await run('audit', 'verify', '--data-dir', dataDir);
    assert.equal(verified.code, 0, verified.text);
    assert.doesNotMatch(verified.text, /MACs not checked/);
  });

  it('an unknown folder is a clear error, and --data-dir without a folder a usage error', async () => {
    const missing = await run('people', 'list', '--data-dir', path.join(dataDir, 'nope'));
    assert.equal(missing.code, 1);
    assert.match(missing.text, /no enrollment store here/);
    const bare = await run('people', 'list', '--data-dir');
    assert.equal(bare.code, 2);
    assert.match(bare.text, /--data-dir needs a folder/);
  });
});
