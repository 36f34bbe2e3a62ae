import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { defaultAuditDir, defaultKeyFile, defaultStoreDir } from '../../../main/cli/app-dirs.js';
import { writeFileAtomic } from '../../../main/util/atomic-write.js';

describe('writeFileAtomic', () => {
  it('replaces the file whole, owner-only by default, leaving no temp files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-atomic-'));
    const file = path.join(dir, 'state.json');
    await writeFile(file, 'old');
    await writeFileAtomic(file, '{"new":true}');
    assert.equal(await readFile(file, 'utf8'), '{"new":true}');
    assert.deepEqual(await readdir(dir), ['state.json']);
    if (process.platform !== 'win32') assert.equal((await stat(file)).mode & 0o777, 0o600);
    await writeFileAtomic(file, Buffer.from([1, 2, 3]), { mode: 0o644 });
    assert.deepEqual(await readFile(file), Buffer.from([1, 2, 3]));
  });

  it('fails without touching the old file when the folder is missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-atomic-'));
    await assert.rejects(writeFileAtomic(path.join(dir, 'missing', 'x.json'), 'data'), /ENOENT/);
  });
});

describe('app folders', () => {
  it('follows each OS’s userData for "Tobira", with environment overrides', () => {
    const home = process.env.HOME ?? '';
    assert.equal(defaultStoreDir({}, 'linux'), path.resolve(home, '.config/Tobira/store'));
    assert.equal(defaultStoreDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux'), path.resolve('/cfg/Tobira/store'));
    assert.equal(
      defaultStoreDir({}, 'darwin'),
      path.resolve(home, 'Library/Application Support/Tobira/store'),
    );
    assert.equal(defaultStoreDir({ APPDATA: '/appdata' }, 'win32'), path.resolve('/appdata/Tobira/store'));
    assert.equal(defaultStoreDir({ TOBIRA_STORE_DIR: '/s' }, 'linux'), path.resolve('/s'));
    assert.equal(defaultStoreDir({ TOBIRA_DATA_DIR: '/d' }, 'linux'), path.resolve('/d/store'));
    assert.equal(defaultAuditDir({ TOBIRA_DATA_DIR: '/d' }, 'linux'), path.resolve('/d/audit'));
    assert.equal(defaultKeyFile('/d/store', {}), path.resolve('/d/store.key'));
  });
});
