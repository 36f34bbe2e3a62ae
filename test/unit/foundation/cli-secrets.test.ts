// No secret is accepted as a command-line argument (issue 17): any local user reads another's
// argv in `ps`. `--token` and `--password` are refused with where to put them instead, and the
// file form is read (its first line), so nothing of the secret reaches argv.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { main } from '../../../main/cli/tobira.js';
import { readSecret } from '../../../main/cli/secret-input.js';

const run = async (...argv: string[]) => {
  const lines: string[] = [];
  const code = await main(argv, { out: (t) => lines.push(t), err: (t) => lines.push(t) });
  return { code, text: lines.join('\n') };
};

describe('secrets on the CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tobira-cli-secret-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const refused: Array<[string, string[]]> = [
    [
      'fleet join --token',
      [
        'fleet',
        'join',
        '--db',
        'postgres://127.0.0.1:1/x',
        '--token',
        'tok',
        '--door',
        'A',
        '--data-dir',
        dir,
      ],
    ],
    [
      'fleet init --db with a password in the URL',
      ['fleet', 'init', '--db', 'postgres://admin:hunter2@127.0.0.1:1/x', '--door', 'A'],
    ],
    [
      'fleet join --db with a password in the URL',
      ['fleet', 'join', '--db', 'postgres://admin:hunter2@127.0.0.1:1/x', '--door', 'A', '--data-dir', dir],
    ],
    [
      'fleet mqtt --password',
      ['fleet', 'mqtt', '--data-dir', dir, '--url', 'mqtt://127.0.0.1:1883', '--password', 'pw'],
    ],
    [
      'fleet init --passphrase (the admin key’s)',
      [
        'fleet',
        'init',
        '--db',
        'postgres://127.0.0.1:1/x',
        '--admin-key',
        path.join(dir, 'admin.key'),
        '--passphrase',
        'a passphrase',
      ],
    ],
  ];
  for (const [name, argv] of refused) {
    it(`refuses ${name} and names the file and environment forms`, async () => {
      const r = await run(...argv);
      assert.notEqual(r.code, 0, r.text);
      assert.match(r.text, /refused: a secret on the command line/);
      assert.match(r.text, /-file FILE/);
      if (!name.includes('join --db'))
        assert.match(r.text, /TOBIRA_(JOIN_TOKEN|MQTT_PASSWORD|ADMIN_PASSPHRASE|DB_PASSWORD)/);
      assert.ok(!r.text.includes('hunter2'), 'the password is not printed back');
    });
  }

  it('reads the first line of --token-file, else the environment, else nothing', async () => {
    const file = path.join(dir, 'token');
    writeFileSync(file, 'tobira-join-abc\nignored\n', { mode: 0o600 });
    const source = { flag: 'token', given: undefined, file, envName: 'TOBIRA_JOIN_TOKEN' };
    assert.equal(await readSecret(source, {}), 'tobira-join-abc');
    assert.equal(
      await readSecret({ ...source, file: undefined }, { TOBIRA_JOIN_TOKEN: 'from-env' }),
      'from-env',
    );
    assert.equal(await readSecret({ ...source, file: undefined }, {}), undefined);
    writeFileSync(file, '\n');
    await assert.rejects(readSecret(source, {}), /empty/);
    await assert.rejects(
      readSecret({ ...source, file: path.join(dir, 'missing') }, {}),
      /cannot read it \(ENOENT\)/,
    );
  });
});
