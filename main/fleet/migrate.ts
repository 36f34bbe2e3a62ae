// Schema migrations: numbered SQL files (migrations/NNNN-*.ts) and a version table. The pending
// migrations run in one transaction with their version rows, so a failure leaves the schema as it
// was. A database whose version is newer than this build knows is refused.
import type pg from 'pg';
import { FleetError } from './errors.js';
import { sql as m0001 } from './migrations/0001-schema.js';
import { sql as m0002 } from './migrations/0002-door-roles.js';
import { sql as m0003 } from './migrations/0003-template-format.js';
import { sql as m0004 } from './migrations/0004-signed-changes.js';
import { sql as m0005 } from './migrations/0005-join-tokens.js';
import { sql as m0006 } from './migrations/0006-signed-manifests.js';

/** In order; the index + 1 is the version. Append only: never edit a shipped migration. */
const MIGRATIONS: readonly string[] = [m0001, m0002, m0003, m0004, m0005, m0006];
export const SCHEMA_VERSION = MIGRATIONS.length;

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS tobira_schema (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** The schema version of the database; 0 when Tobira's schema is not there. */
export async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('tobira_schema')::text AS t`);
  if (!exists.rows[0]?.t) return 0;
  const r = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM tobira_schema');
  return r.rows[0]?.v ?? 0;
}

/** Refuses a database whose schema is newer than this build (an older Tobira must not write to it). */
export function assertKnownSchema(version: number): void {
  if (version > SCHEMA_VERSION) {
    throw new FleetError(
      'schema_too_new',
      `the fleet database has schema version ${version}, but this Tobira knows only up to ` +
        `${SCHEMA_VERSION}: update Tobira on this machine`,
    );
  }
}

/** Brings the schema up to SCHEMA_VERSION; returns the versions applied. */
export async function migrate(client: pg.ClientBase): Promise<number[]> {
  await client.query(VERSION_TABLE);
  // Two inits at once: the second waits here, then finds the work done.
  await client.query('BEGIN');
  try {
    await client.query('LOCK TABLE tobira_schema IN EXCLUSIVE MODE');
    const current = await schemaVersion(client);
    assertKnownSchema(current);
    const applied: number[] = [];
    for (let v = current + 1; v <= SCHEMA_VERSION; v++) {
      await client.query(MIGRATIONS[v - 1]!);
      await client.query('INSERT INTO tobira_schema (version) VALUES ($1)', [v]);
      applied.push(v);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
