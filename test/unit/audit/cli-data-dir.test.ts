// `--data-dir DIR` on the CLI means the app's layout: the store (and its key file)
// in DIR/store, the audit log in DIR/audit, the models in DIR/models. Enroll and
// identify find each other there, and enroll is audited in the same chained log.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuditLog } from '../../../main/audit/audit-log.js';
import type { AdminRecord } from '../../../main/audit/types.js';
import { cliDataDir, type CliDataDir } from '../../helpers/cli-data-dir.js';
import { facePath } from '../../helpers/fixtures.js';

describe('the CLI with --data-dir', () => {
  let cli: CliDataDir;
  let dataDir = '';
  before(async () => {
    cli = await cliDataDir('tobira-cli-data-');
    dataDir = cli.dataDir;
  });
  after(() => cli.remove());
  const run = (...argv: string[]) => cli.run(...argv);

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
