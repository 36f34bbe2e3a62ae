// The duplicate check at enrollment: a face that already matches someone else enrolled is flagged
// before it is saved; the admin decides (--allow-lookalike), and the audit line records both.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuditLog } from '../../../main/audit/audit-log.js';
import type { AdminRecord } from '../../../main/audit/types.js';
import { findLookalike } from '../../../main/recognition/enroll-check.js';
import { cliDataDir, type CliDataDir } from '../../helpers/cli-data-dir.js';
import { facePath } from '../../helpers/fixtures.js';
import { referenceFaces } from '../../helpers/reference-faces.js';

const photo = (name: string): string => facePath(`photos/face_recognition/${name}`);

describe('duplicate check at enrollment', () => {
  let cli: CliDataDir;
  let dataDir = '';
  before(async () => {
    cli = await cliDataDir('tobira-dup-');
    dataDir = cli.dataDir;
  });
  after(() => cli.remove());
  const run = (...argv: string[]) => cli.run(...argv);
  const enrollLines = async () =>
    (await new AuditLog(path.join(dataDir, 'audit')).readEntries()).records.filter(
      (e): e is AdminRecord => e.kind === 'admin' && e.action === 'enroll',
    );

  it('flags the same person enrolled under two names; the admin decides; the audit says so', async () => {
    const first = await run('enroll', '--data-dir', dataDir, '--name', 'Obama', photo('obama.jpg'));
    assert.equal(first.code, 0, first.text);
    // Biden is somebody else: not flagged.
    const other = await run('enroll', '--data-dir', dataDir, '--name', 'Biden', photo('biden.jpg'));
    assert.equal(other.code, 0, other.text);

    const twice = await run('enroll', '--data-dir', dataDir, '--name', 'Barack', photo('obama2.jpg'));
    assert.equal(twice.code, 1, twice.text);
    assert.match(
      twice.text,
      /refused: looks like Obama \(score 0\.\d\d\): the same person twice, or a twin\?/,
    );
    const people = await run('people', 'list', '--data-dir', dataDir);
    assert.doesNotMatch(people.text, /Barack/, 'nothing saved before the admin decides');

    const decided = await run(
      'enroll',
      '--data-dir',
      dataDir,
      '--name',
      'Barack',
      '--allow-lookalike',
      photo('obama2.jpg'),
    );
    assert.equal(decided.code, 0, decided.text);
    const lines = await enrollLines();
    // readEntries gives the newest first.
    const flagged = lines.reverse().map((l) => l.detail.lookalikes as { name: string; kept: boolean }[]);
    assert.deepEqual(
      flagged.map((f) => f.map((x) => [x.name, x.kept])),
      [[], [], [['Obama', false]], [['Obama', true]]],
    );
    // More photos of Obama himself are not flagged against him.
    const more = await run('enroll', '--data-dir', dataDir, '--name', 'Obama', photo('obama3.jpg'));
    assert.match(more.text, /Barack \(score/, 'but against the second name, which is him too');
  });

  it('findLookalike leaves out the person being enrolled and anyone below the threshold', () => {
    const e = (f: string) => referenceFaces(`photos/face_recognition/${f}`)[0]!.normedEmbedding!;
    const gallery = [
      { personId: 'o', name: 'Obama', templates: [e('obama.jpg')] },
      { personId: 'b', name: 'Biden', templates: [e('biden.jpg')] },
    ];
    assert.equal(findLookalike(e('obama2.jpg'), gallery, null, 0.28)?.name, 'Obama');
    assert.equal(findLookalike(e('obama2.jpg'), gallery, 'o', 0.28), null);
    assert.equal(findLookalike(e('obama2.jpg'), gallery, null, 0.99), null);
  });
});
