// Migration 6 on a fleet made before it (schema 5): `fleet init` on the existing database migrates
// it, and the fleet's roles made at schema 5 get what signed batches need: doors read manifests,
// the writer login calls tobira_put_manifest; doors still have no write path.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { doorGroupRole, initFleet, writerRole } from '../../../main/fleet/admin.js';
import { withClient } from '../../../main/fleet/db.js';
import { SCHEMA_VERSION } from '../../../main/fleet/migrate.js';
import { sql as m0001 } from '../../../main/fleet/migrations/0001-schema.js';
import { sql as m0002 } from '../../../main/fleet/migrations/0002-door-roles.js';
import { sql as m0003 } from '../../../main/fleet/migrations/0003-template-format.js';
import { sql as m0004 } from '../../../main/fleet/migrations/0004-signed-changes.js';
import { sql as m0005 } from '../../../main/fleet/migrations/0005-join-tokens.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { skipWithout } from '../../helpers/prerequisites.js';

const skip = skipWithout('postgresql');
const PUT_MANIFEST =
  'tobira_put_manifest(uuid, uuid, bytea, bytea, text, text[], uuid[], uuid[], bytea[], bigint[])';

describe('migration 6 on a fleet made at schema 5', { skip }, () => {
  let server: PostgresServer;
  let url: string;
  const fleet = randomUUID();

  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase('schema5');
    // The database as a schema-5 Tobira left it: migrations 1–5, a fleet, its door and writer roles.
    await withClient(url, async (c) => {
      await c.query(
        'CREATE TABLE tobira_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      for (const [i, sql] of [m0001, m0002, m0003, m0004, m0005].entries()) {
        await c.query(sql);
        await c.query('INSERT INTO tobira_schema (version) VALUES ($1)', [i + 1]);
      }
      await c.query('INSERT INTO fleet (id, key_check) VALUES ($1, $2)', [fleet, randomBytes(32)]);
      await c.query(`CREATE ROLE ${c.escapeIdentifier(doorGroupRole(fleet))} NOLOGIN`);
      await c.query(`CREATE ROLE ${c.escapeIdentifier(writerRole(fleet))} LOGIN`);
    });
  });

  after(async () => server?.close());

  it('fleet init migrates it; doors may read manifests, only the writer may write them', async () => {
    const init = await initFleet(url, null);
    assert.equal(init.fleet, fleet);
    assert.deepEqual(init.migrated, [6]);
    assert.equal(SCHEMA_VERSION, 6);
    await withClient(url, async (c) => {
      const r = await c.query<{
        door_reads: boolean;
        door_writes: boolean;
        door_calls: boolean;
        writer_calls: boolean;
        public_calls: boolean;
      }>(
        `SELECT has_table_privilege($1, 'manifests', 'SELECT') AS door_reads,
                has_table_privilege($1, 'manifests', 'INSERT') AS door_writes,
                has_function_privilege($1, $3, 'EXECUTE') AS door_calls,
                has_function_privilege($2, $3, 'EXECUTE') AS writer_calls,
                has_function_privilege('public', $3, 'EXECUTE') AS public_calls`,
        [doorGroupRole(fleet), writerRole(fleet), PUT_MANIFEST],
      );
      assert.deepEqual(r.rows[0], {
        door_reads: true,
        door_writes: false,
        door_calls: false,
        writer_calls: true,
        public_calls: false,
      });
    });
  });
});
