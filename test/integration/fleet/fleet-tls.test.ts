// TLS to the fleet database: a real PostgreSQL with ssl=on and a server certificate for
// "localhost" from a throwaway CA, both made with openssl at test time. sslmode=verify-full with
// that CA works for fleet init, join and the door's own login; a wrong CA, a host name the
// certificate does not hold, and a missing CA file each fail with an error naming the problem.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initFleet } from '../../../main/fleet/admin.js';
import { connect } from '../../../main/fleet/db.js';
import { FleetError } from '../../../main/fleet/errors.js';
import { joinFleet } from '../../../main/fleet/join.js';
import { cliKeyWrapper, readDoorConfig } from '../../../main/fleet/local.js';
import { makeTlsFiles, startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { skipWithout } from '../../helpers/prerequisites.js';

const skip = skipWithout('postgresql', 'openssl');

describe('TLS to the fleet database (sslmode=verify-full)', { skip }, () => {
  let server: PostgresServer;
  let root: string;
  let good: { ca: string };
  let other: { ca: string };
  /** The admin URL for database `tls` on `host`, with `query` appended. */
  let url: (host: string, query: string) => string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'tobira-fleet-tls-'));
    const files = await makeTlsFiles(root, 'good', 'localhost');
    good = files;
    other = await makeTlsFiles(root, 'other');
    server = await startPostgres({ tls: { certFile: files.cert, keyFile: files.key } });
    const plain = new URL(await server.createDatabase('tls'));
    url = (host, query) => {
      const u = new URL(plain);
      u.hostname = host;
      u.search = query;
      return u.toString();
    };
  });

  after(async () => {
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('verify-full with the CA: init, join and the door’s own login all run over verified TLS', async () => {
    const tls = url('localhost', `?sslmode=verify-full&sslrootcert=${encodeURIComponent(good.ca)}`);
    const init = await initFleet(tls, { door: 'Front' });
    const dir = path.join(root, 'door');
    const joined = await joinFleet({
      databaseUrl: tls,
      token: init.join!,
      door: 'Front',
      dataDir: dir,
      wrapper: await cliKeyWrapper(dir, true),
    });
    const saved = await readDoorConfig(dir, await cliKeyWrapper(dir, false));
    const u = new URL(saved.databaseUrl);
    assert.equal(u.searchParams.get('sslmode'), 'verify-full', 'the door keeps the TLS options');
    assert.equal(u.searchParams.get('sslrootcert'), good.ca);
    assert.notEqual(u.username, 'tobira_admin', 'and logs in as itself');
    const client = await connect(joined.databaseUrl);
    try {
      const r = await client.query<{ ssl: boolean; who: string }>(
        'SELECT ssl, current_user AS who FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      assert.deepEqual(r.rows[0], { ssl: true, who: u.username });
    } finally {
      await client.end();
    }
  });

  it('bad TLS settings: each a clear error naming the problem', async () => {
    const missing = path.join(root, 'no-such-ca.pem');
    const table: [string, string, FleetError['code'], RegExp][] = [
      [
        'a CA that did not sign the server’s certificate',
        url('localhost', `?sslmode=verify-full&sslrootcert=${encodeURIComponent(other.ca)}`),
        'tls_failed',
        /TLS certificate that the CA in sslrootcert did not sign/,
      ],
      [
        'a host name the certificate does not hold',
        url('127.0.0.1', `?sslmode=verify-full&sslrootcert=${encodeURIComponent(good.ca)}`),
        'tls_failed',
        /certificate does not name the host '127\.0\.0\.1'/,
      ],
      [
        'a CA file that is not there',
        url('localhost', `?sslmode=verify-full&sslrootcert=${encodeURIComponent(missing)}`),
        'bad_url',
        new RegExp(`cannot read ${missing.replaceAll('.', '\\.')} named in the database URL`),
      ],
    ];
    for (const [what, bad, code, message] of table) {
      await assert.rejects(
        connect(bad),
        (e: unknown) => e instanceof FleetError && e.code === code && message.test(e.message),
        what,
      );
    }
  });
});
