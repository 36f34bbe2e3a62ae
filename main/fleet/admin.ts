// Fleet administration with the database owner's URL: create or migrate the schema, the doors'
// role, the writer login, and join tokens. Least privilege for doors (see grantDoorRole): they read
// people, groups and audit and append audit rows in their own name; they hold no write path at all
// (issue 17). Changes are made only with an admin key (admin-key.ts) on the fleet's writer login,
// whose password exists only inside admin key files.
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { KEY_BYTES, seal } from '../store/crypto.js';
import { AdminKey } from './admin-key.js';
import { withClient, inTransaction } from './db.js';
import { DEFAULT_GROUP_ID, KEY_CHECK_AAD, KEY_CHECK_TEXT, keyMatches } from './entities.js';
import { FleetError } from './errors.js';
import { scramVerifier } from './join.js';
import { assertKnownSchema, migrate, schemaVersion } from './migrate.js';
import { encodeToken } from './token.js';
import { FleetWriter } from './writer.js';

export interface InitResult {
  fleet: string;
  /** A join token; null when the fleet already existed (its key is not in the database to put in one). */
  join: string | null;
  /** The first admin key (not yet saved: the caller seals it with a passphrase); null when the fleet existed. */
  admin: AdminKey | null;
  migrated: number[];
}

/** The group role all of a fleet's door logins belong to (roles are cluster-wide, so it is per fleet). */
export const doorGroupRole = (fleetId: string) => `tobira_door_${fleetId.replaceAll('-', '').slice(0, 12)}`;
/** The fleet's one writer login (see admin-key.ts's header for why it is one, and where its password lives). */
export const writerRole = (fleetId: string) => `tobira_w_${fleetId.replaceAll('-', '').slice(0, 12)}`;

export async function initFleet(adminUrl: string, adminName = 'admin'): Promise<InitResult> {
  return withClient(adminUrl, async (client) => {
    assertKnownSchema(await schemaVersion(client));
    const migrated = await migrate(client);
    const existing = await client.query<{ id: string }>('SELECT id FROM fleet');
    if (existing.rows[0]) return { fleet: existing.rows[0].id, join: null, admin: null, migrated };
    const fleetId = randomUUID();
    const key = randomBytes(KEY_BYTES);
    const writer = { user: writerRole(fleetId), password: randomBytes(24).toString('base64url') };
    const admin = AdminKey.generate(fleetId, adminName, writer);
    await inTransaction(client, async () => {
      await client.query('INSERT INTO fleet (id, key_check) VALUES ($1, $2)', [
        fleetId,
        seal(key, KEY_CHECK_TEXT, KEY_CHECK_AAD),
      ]);
      await grantDoorRole(client, fleetId);
      await grantWriterRole(client, fleetId, scramVerifier(writer.password));
    });
    // The first admin's own row (so every admin key is listed and removed alike), then Everyone.
    const w = new FleetWriter(client, key, admin);
    await w.addAdmin(admin.name, admin.publicKey, admin.keyId);
    await w.putGroup(DEFAULT_GROUP_ID, {
      name: 'Everyone',
      doors: ['*'],
      timeZone: 'UTC',
      windows: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '24:00' }],
    });
    const join = await createTokenWith(client, fleetId, key, admin.publicKey);
    return { fleet: fleetId, join, admin, migrated };
  });
}

async function grantDoorRole(client: pg.ClientBase, fleetId: string): Promise<void> {
  const role = client.escapeIdentifier(doorGroupRole(fleetId));
  const db = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
  const statements = [
    `CREATE ROLE ${role} NOLOGIN`,
    `GRANT CONNECT ON DATABASE ${client.escapeIdentifier(db)} TO ${role}`,
    `GRANT USAGE ON SCHEMA public TO ${role}`,
    `GRANT SELECT ON tobira_schema, fleet, doors, entities, signed_changes, audit TO ${role}`,
    `GRANT INSERT ON audit TO ${role}`,
    `REVOKE ALL ON FUNCTION tobira_join(uuid, bytea, text) FROM PUBLIC`,
    // tobira_join (migration 1) stays callable for nobody: doors join with tobira_join_door.
    `GRANT EXECUTE ON FUNCTION tobira_join_door(uuid, bytea, text, text) TO ${role}`,
  ];
  for (const s of statements) await client.query(s);
}

/** The writer login: reads the entities and writes them only through tobira_put_signed, under the writers' lock. */
async function grantWriterRole(client: pg.ClientBase, fleetId: string, verifier: string): Promise<void> {
  const role = client.escapeIdentifier(writerRole(fleetId));
  const db = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
  const statements = [
    `CREATE ROLE ${role} LOGIN PASSWORD ${client.escapeLiteral(verifier)}`,
    `GRANT CONNECT ON DATABASE ${client.escapeIdentifier(db)} TO ${role}`,
    `GRANT USAGE ON SCHEMA public TO ${role}`,
    `GRANT SELECT ON tobira_schema, fleet, doors, entities, signed_changes TO ${role}`,
    // LOCK TABLE … IN EXCLUSIVE MODE needs UPDATE on the table: the writer's alone.
    `GRANT UPDATE ON writer_lock TO ${role}`,
    `GRANT EXECUTE ON FUNCTION tobira_put_signed(text, uuid, uuid, bytea, bigint, uuid, bytea, text) TO ${role}`,
  ];
  for (const s of statements) await client.query(s);
}

async function createTokenWith(
  client: pg.ClientBase,
  fleetId: string,
  key: Buffer,
  rootAdmin: string,
): Promise<string> {
  const token = randomUUID();
  const secret = randomBytes(32);
  const password = randomBytes(24).toString('base64url');
  const user = `tobira_j_${token.replaceAll('-', '').slice(0, 16)}`;
  await inTransaction(client, async () => {
    await client.query(
      `CREATE ROLE ${client.escapeIdentifier(user)} LOGIN PASSWORD ${client.escapeLiteral(password)} ` +
        `IN ROLE ${client.escapeIdentifier(doorGroupRole(fleetId))}`,
    );
    await client.query(`INSERT INTO join_tokens (id, role_name, secret_sha256) VALUES ($1, $2, sha256($3))`, [
      token,
      user,
      secret,
    ]);
  });
  return encodeToken({
    fleet: fleetId,
    token,
    secret: secret.toString('base64url'),
    key: key.toString('base64url'),
    user,
    password,
    admin: rootAdmin,
  });
}

/**
 * A new join token; the fleet key and the first admin's public key come from a joined door (the
 * database holds neither, so its operator cannot swap the key a new door will trust).
 */
export async function createToken(adminUrl: string, fleetKey: Buffer, rootAdmin: string): Promise<string> {
  return withClient(adminUrl, async (client) => {
    assertKnownSchema(await schemaVersion(client));
    const row = (await client.query<{ id: string; key_check: Buffer }>('SELECT id, key_check FROM fleet'))
      .rows[0];
    if (!row)
      throw new FleetError('not_initialised', 'this database has no fleet yet: run tobira fleet init');
    if (!keyMatches(fleetKey, row.key_check))
      throw new FleetError('wrong_key', 'that key is not this fleet’s key');
    return createTokenWith(client, row.id, fleetKey, rootAdmin);
  });
}

/** Revokes a token: it cannot join any more, and doors that joined with it can no longer log in. */
export async function revokeToken(adminUrl: string, tokenId: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const row = (
      await client.query<{ role_name: string }>(
        'UPDATE join_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING role_name',
        [tokenId],
      )
    ).rows[0];
    if (!row) throw new FleetError('token_invalid', `no join token ${tokenId} in this fleet`);
    // The token's own login and the login of every door that joined with it.
    const doors = await client.query<{ role_name: string }>(
      'SELECT role_name FROM doors WHERE token_id = $1 AND role_name IS NOT NULL',
      [tokenId],
    );
    const roles = [...new Set([row.role_name, ...doors.rows.map((d) => d.role_name)])];
    for (const role of roles) await client.query(`ALTER ROLE ${client.escapeIdentifier(role)} NOLOGIN`);
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY($1)', [
      roles,
    ]);
  });
}

export async function listTokens(
  adminUrl: string,
): Promise<{ id: string; created: string; revoked: string | null; doors: string[] }[]> {
  return withClient(adminUrl, async (client) => {
    const r = await client.query<{ id: string; created_at: Date; revoked_at: Date | null; doors: string[] }>(
      `SELECT t.id, t.created_at, t.revoked_at, coalesce(array_agg(d.name) FILTER (WHERE d.name IS NOT NULL), '{}') AS doors
       FROM join_tokens t LEFT JOIN doors d ON d.token_id = t.id GROUP BY t.id ORDER BY t.created_at`,
    );
    return r.rows.map((t) => ({
      id: t.id,
      created: t.created_at.toISOString(),
      revoked: t.revoked_at?.toISOString() ?? null,
      doors: t.doors,
    }));
  });
}
