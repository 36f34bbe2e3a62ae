// `tobira enroll --store DIR` touches only DIR: it made DIR's parent owner-only (0700) and wrote
// `audit/` and `DIR.key` beside it; run with a store under /tmp, that made /tmp 0700 and
// PostgreSQL could no longer start (issue 17). The parent here is a fresh folder at 0755, never /tmp.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { AuditLog } from '../../../main/audit/audit-log.js';
import { main } from '../../../main/cli/tobira.js';
import { facePath, packCopy, TEST_PACK_FILES } from '../../helpers/fixtures.js';

describe('tobira enroll --store DIR', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tobira-store-parent-'));
  const parent = path.join(root, 'shared');
  const pack = packCopy(TEST_PACK_FILES);
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(pack, { recursive: true, force: true });
  });

  it('leaves the mode and contents of DIR’s parent alone, and keeps its key and audit inside DIR', async () => {
    mkdirSync(parent);
    chmodSync(parent, 0o755);
    const store = path.join(parent, 'store');
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(`ERR ${t}`) };
    const inStore = ['--store', store, '--models', pack];
    const code = await main(
      ['enroll', ...inStore, '--name', 'Biden', facePath('photos/face_recognition/biden.jpg')],
      io,
    );
    assert.equal(code, 0, lines.join('\n'));
    assert.equal(statSync(parent).mode & 0o777, 0o755, 'the parent keeps its mode');
    assert.deepEqual(readdirSync(parent), ['store'], 'nothing written beside the store');
    const entries = (await new AuditLog(path.join(store, 'audit')).readEntries()).records;
    assert.ok(
      entries.some((e) => e.kind === 'admin' && e.action === 'enroll'),
      'the enroll is audited inside DIR',
    );
    // And the store opens again from the key inside it.
    const again = await main(
      ['identify', ...inStore, '--json', facePath('photos/face_recognition/biden.jpg')],
      io,
    );
    assert.equal(again, 0, lines.join('\n'));
    assert.deepEqual(readdirSync(parent), ['store']);
  });
});
