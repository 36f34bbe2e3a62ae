import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AuditLog } from '../../../main/audit/audit-log.js';
import { main } from '../../../main/cli/tobira.js';
import { EnrollmentStore } from '../../../main/store/enrollment-store.js';
import { FileKeyWrapper } from '../../../main/store/key-file.js';
import { csvCell } from '../../../main/audit/csv.js';
import type { AuditInput } from '../../../main/audit/types.js';

const tempDir = () => mkdtemp(path.join(tmpdir(), 'tobira-audit-'));

function decision(n: number, overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    mode: 'identify',
    outcome: 'rejected',
    reason: 'unknown_face',
    personId: null,
    personName: null,
    score: 0.1 + n / 1000,
    threshold: 0.4,
    recognizerId: 'w600k_mbf_int8_dynq',
    gates: [
      { name: 'face_size', passed: true, value: 180 },
      { name: 'blur', passed: n % 2 === 0, value: 55.5 },
    ],
    liveness: null,
    door: null,
    ...overrides,
  };
}

describe('AuditLog', () => {
  it('appends every field and reads back newest first with paging', async () => {
    const log = new AuditLog(await tempDir());
    for (let n = 0; n < 25; n++) await log.append(decision(n));
    const first = await log.read({ offset: 0, limit: 10 });
    assert.equal(first.total, 25);
    assert.equal(first.records.length, 10);
    assert.equal(first.records[0]?.score, 0.1 + 24 / 1000);
    const last = await log.read({ offset: 20, limit: 10 });
    assert.equal(last.records.length, 5);
    assert.equal(last.records[4]?.score, 0.1);
    const record = last.records[4]!;
    assert.ok(
      'liveness' in record && record.liveness === null,
      'the liveness field is present even when off',
    );
    assert.match(record.time, /^\d{4}-\d\d-\d\dT/);
    assert.equal(record.gates.length, 2);
  });

  it('rotates by size, keeps maxFiles, and still reads across files', async () => {
    const dir = await tempDir();
    const log = new AuditLog(dir, { maxFileBytes: 2000, maxFiles: 3 });
    for (let n = 0; n < 60; n++) await log.append(decision(n));
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, ['audit.1.jsonl', 'audit.2.jsonl', 'audit.jsonl']);
    for (const f of files) assert.ok((await readFile(path.join(dir, f))).length <= 2000, f);
    const page = await log.read({ limit: 1000 });
    assert.ok(page.total < 60 && page.total > 10, `dropped the oldest: ${page.total}`);
    assert.equal(page.records[0]?.score, 0.1 + 59 / 1000, 'the newest record survives rotation');
  });

  it('skips a torn last line (crash mid-append) without losing the others', async () => {
    const dir = await tempDir();
    const log = new AuditLog(dir);
    await log.append(decision(1));
    await log.append(decision(2));
    await writeFile(path.join(dir, 'audit.jsonl'), '{"id":"torn', { flag: 'a' });
    const page = await log.read();
    assert.equal(page.total, 2);
    assert.equal(page.skipped, 1);
  });

  it('keeps snapshots of failed attempts only when opted in', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
    const off = new AuditLog(await tempDir());
    assert.equal((await off.append(decision(1), jpeg)).snapshot, null);
    const on = new AuditLog(await tempDir(), { snapshots: true, maxSnapshots: 2 });
    const failed = await on.append(decision(1), jpeg);
    assert.ok(failed.snapshot);
    assert.deepEqual(await readFile(path.join(on.snapshotDir, failed.snapshot)), jpeg);
    const unlocked = await on.append(
      decision(2, { outcome: 'unlocked', personName: 'A', personId: 'a' }),
      jpeg,
    );
    assert.equal(unlocked.snapshot, null, 'successful unlocks never keep a photo');
    await on.append(decision(3), jpeg);
    await on.append(decision(4), jpeg);
    assert.equal((await readdir(on.snapshotDir)).length, 2, 'snapshots are capped');
  });

  it('seals snapshots with the store key when asked, and reads them back by name only', async () => {
    const dir = await tempDir();
    const store = await EnrollmentStore.open(
      path.join(dir, 'store'),
      await FileKeyWrapper.open(path.join(dir, 'key'), { create: true }),
    );
    const log = new AuditLog(path.join(dir, 'audit'), {
      snapshots: true,
      sealSnapshot: (b) => store.sealAttachment(b),
    });
    const jpeg = Buffer.from([0xff, 0xd8, 0x01, 0x02, 0xff, 0xd9]);
    const record = await log.append(decision(1), jpeg);
    assert.match(record.snapshot ?? '', /\.jpg\.sealed$/);
    const stored = await log.readSnapshot(record.snapshot!);
    assert.ok(!stored.includes(jpeg), 'not readable on disk');
    assert.deepEqual(store.openAttachment(stored), jpeg);
    await assert.rejects(log.readSnapshot('../store/store.json'), /not a snapshot name/);
  });

  it('exports CSV with quoting, and defuses spreadsheet formulas', async () => {
    const log = new AuditLog(await tempDir());
    await log.append(
      decision(1, {
        outcome: 'unlocked',
        personId: 'p1',
        personName: 'O\'Brien, "Ted"\nline2',
        liveness: { live: true, score: 0.93 },
        door: { ok: false, kind: 'http', reason: 'HTTP 500' },
      }),
    );
    await log.append(decision(2, { personName: '=HYPERLINK("x")', personId: 'p2' }));
    const csv = await log.exportCsv();
    const lines = csv.split('\r\n');
    assert.equal(lines[0]?.split(',')[0], 'time');
    assert.ok(csv.includes('"O\'Brien, ""Ted""\nline2"'));
    assert.ok(csv.includes(`"'=HYPERLINK(""x"")"`));
    assert.ok(csv.includes(',true,0.93,false,http,HTTP 500,'));
    assert.ok(csv.includes(',face_size blur,,') || csv.includes(',face_size,blur,'));
    assert.equal(csvCell(-0.25), '-0.25', 'numbers are not treated as formulas');
    assert.equal(csvCell(null), '');
  });
});

describe('tobira audit export', () => {
  it('writes the log as CSV to a file or stdout', async () => {
    const dir = await tempDir();
    const log = new AuditLog(dir);
    await log.append(decision(1));
    await log.append(decision(2, { outcome: 'unlocked', personName: 'Ann', personId: 'a' }));
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    assert.equal(await main(['audit', 'export', '--audit', dir], io), 0);
    const rows = lines.join('\n').split('\r\n');
    assert.equal(rows.length, 3);
    assert.match(rows[2]!, /,identify,unlocked,unknown_face,Ann,a,/);
    const out = path.join(dir, 'export.csv');
    assert.equal(await main(['audit', 'export', '--audit', dir, '--out', out], io), 0);
    assert.equal(await readFile(out, 'utf8'), await log.exportCsv());
    assert.equal(await main(['audit', 'import'], io), 2, 'unknown action is a usage error');
  });
});
