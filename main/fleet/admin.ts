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
import { assertKnownSchema, migrate, schemaVersion } from './migrate.js';
import { scramVerifier, validateDoorName } from './join.js';
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

/**
 * Creates or migrates the fleet. A new fleet's join token is for the door `first` names; `first`
 * may be null only when the fleet already exists (a migration).
 */
export async function initFleet(
  adminUrl: string,
  first: TokenOptions | null,
  adminName = 'admin',
): Promise<InitResult> {
  if (first) validateDoorName(first.door);
  return withClient(adminUrl, async (client) => {
    assertKnownSchema(await schemaVersion(client));
    const migrated = await migrate(client);
    const existing = await client.query<{ id: string }>('SELECT id FROM fleet');
    if (existing.rows[0]) return { fleet: existing.rows[0].id, join: null, admin: null, migrated };
    if (!first)
      throw new FleetError(
        'invalid_input',
        'a new fleet needs the name of its first door (--door NAME): its join token is for that door',
      );
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
    const join = await createTokenWith(client, fleetId, key, admin.publicKey, first);
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
    `GRANT SELECT ON tobira_schema, fleet, doors, entities, signed_changes, manifests, audit TO ${role}`,
    `GRANT INSERT ON audit TO ${role}`,
    // Doors never join (each join token's own login may call tobira_redeem_join: createTokenWith)
    // and never write (tobira_put_signed is the writer login's alone: grantWriterRole).
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
    `GRANT SELECT ON tobira_schema, fleet, doors, entities, signed_changes, manifests TO ${role}`,
    // LOCK TABLE … IN EXCLUSIVE MODE needs UPDATE on the table: the writer's alone.
    `GRANT UPDATE ON writer_lock TO ${role}`,
    `GRANT EXECUTE ON FUNCTION tobira_put_signed(text, uuid, uuid, bytea, bigint, uuid, bytea, text) TO ${role}`,
    `GRANT EXECUTE ON FUNCTION tobira_put_manifest(uuid, uuid, bytea, bytea, text, text[], uuid[], uuid[], bytea[], bigint[]) TO ${role}`,
  ];
  for (const s of statements) await client.query(s);
}

/** How long a join token lives unless `--expires` says otherwise (issue 17: 24 h). */
export const DEFAULT_TOKEN_LIFETIME_MS = 24 * 3600_000;

export interface TokenOptions {
  /** The one door this token may join (or, with `replace`, re-key). */
  door: string;
  /** Lifetime in ms (default 24 h). */
  expiresInMs?: number;
  /** Made by an admin to replace (re-key) an existing door of that name. */
  replace?: boolean;
}

async function createTokenWith(
  client: pg.ClientBase,
  fleetId: string,
  key: Buffer,
  rootAdmin: string,
  options: TokenOptions,
): Promise<string> {
  const door = validateDoorName(options.door);
  const lifetime = options.expiresInMs ?? DEFAULT_TOKEN_LIFETIME_MS;
  if (!(lifetime > 0)) throw new FleetError('invalid_input', 'a join token must expire in the future');
  const exists = (await client.query('SELECT 1 FROM doors WHERE name = $1', [door])).rowCount === 1;
  if (exists && !options.replace)
    throw new FleetError(
      'door_exists',
      `door '${door}' is already in this fleet: to re-key or replace it, make the token with --replace ` +
        `(or retire it first: tobira fleet door remove '${door}')`,
    );
  if (!exists && options.replace)
    throw new FleetError('invalid_input', `there is no door '${door}' to replace: leave out --replace`);
  const token = randomUUID();
  const secret = randomBytes(32);
  const password = randomBytes(24).toString('base64url');
  const user = `tobira_j_${token.replaceAll('-', '').slice(0, 16)}`;
  const expires = new Date(Date.now() + lifetime);
  const role = client.escapeIdentifier(user);
  const db = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
  await inTransaction(client, async () => {
    // In no group: the token's login may redeem itself (migration 5) and do nothing else. The
    // server gets a SCRAM verifier, never the password; PostgreSQL refuses the login after expiry.
    await client.query(
      `CREATE ROLE ${role} LOGIN PASSWORD ${client.escapeLiteral(scramVerifier(password))} ` +
        `VALID UNTIL ${client.escapeLiteral(expires.toISOString())}`,
    );
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(db)} TO ${role}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await client.query(`GRANT EXECUTE ON FUNCTION tobira_redeem_join(uuid, bytea, text, text) TO ${role}`);
    await client.query(
      `INSERT INTO join_tokens (id, role_name, secret_sha256, door, expires_at, replace_door, created_by)
       VALUES ($1, $2, sha256($3), $4, $5, $6, current_user)`,
      [token, user, secret, door, expires, options.replace === true],
    );
  });
  return encodeToken({
    fleet: fleetId,
    token,
    secret: secret.toString('base64url'),
    key: key.toString('base64url'),
    user,
    password,
    admin: rootAdmin,
    door,
    expires: expires.toISOString(),
  });
}

/**
 * A new join token; the fleet key and the first admin's public key come from a joined door (the
 * database holds neither, so its operator cannot swap the key a new door will trust).
 */
export async function createToken(
  adminUrl: string,
  fleetKey: Buffer,
  rootAdmin: string,
  options: TokenOptions,
): Promise<string> {
  return withClient(adminUrl, async (client) => {
    assertKnownSchema(await schemaVersion(client));
    const row = (await client.query<{ id: string; key_check: Buffer }>('SELECT id, key_check FROM fleet'))
      .rows[0];
    if (!row)
      throw new FleetError('not_initialised', 'this database has no fleet yet: run tobira fleet init');
    if (!keyMatches(fleetKey, row.key_check))
      throw new FleetError('wrong_key', 'that key is not this fleet’s key');
    return createTokenWith(client, row.id, fleetKey, rootAdmin, options);
  });
}

/** Ends the sessions of `roles` (after their LOGIN is taken away or they are dropped). */
async function endSessions(client: pg.ClientBase, roles: string[]): Promise<void> {
  await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY($1)', [
    roles,
  ]);
}

/**
 * Revokes a token: it cannot join any more. Doors that joined with it keep their own logins
 * (migration 2); only a door from before migration 2 that still logs in as the token loses it.
 */
export async function revokeToken(adminUrl: string, tokenId: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const row = (
      await client.query<{ role_name: string }>(
        'UPDATE join_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING role_name',
        [tokenId],
      )
    ).rows[0];
    if (!row) throw new FleetError('token_invalid', `no join token ${tokenId} in this fleet`);
    await client.query(`ALTER ROLE ${client.escapeIdentifier(row.role_name)} NOLOGIN`);
    await endSessions(client, [row.role_name]);
  });
}

/**
 * Retires one door: its login role is dropped (it can no longer read anything or append audit)
 * and it leaves the doors table; its audit rows stay. Other doors are not touched.
 */
export async function removeDoor(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const row = (
      await client.query<{ role_name: string | null; token_role: string }>(
        `SELECT d.role_name, t.role_name AS token_role FROM doors d JOIN join_tokens t ON t.id = d.token_id
         WHERE d.name = $1`,
        [name],
      )
    ).rows[0];
    if (!row) throw new FleetError('invalid_input', `there is no door '${name}' in this fleet`);
    // A door from before migration 2 logs in as its token: that login goes, not a shared one.
    const role = row.role_name ?? row.token_role;
    await inTransaction(client, async () => {
      await client.query('DELETE FROM doors WHERE name = $1', [name]);
      const shared = await client.query('SELECT 1 FROM doors WHERE role_name = $1', [role]);
      if (shared.rowCount === 0) {
        await client.query(`ALTER ROLE ${client.escapeIdentifier(role)} NOLOGIN`);
        await endSessions(client, [role]);
        await client.query(`DROP ROLE ${client.escapeIdentifier(role)}`);
      }
    });
  });
}

export async function listDoors(
  adminUrl: string,
): Promise<{ name: string; joined: string; token: string; login: string | null }[]> {
  return withClient(adminUrl, async (client) => {
    const r = await client.query<{
      name: string;
      joined_at: Date;
      token_id: string;
      role_name: string | null;
    }>('SELECT name, joined_at, token_id, role_name FROM doors ORDER BY name');
    return r.rows.map((d) => ({
      name: d.name,
      joined: d.joined_at.toISOString(),
      token: d.token_id,
      login: d.role_name,
    }));
  });
}

export interface TokenRow {
  id: string;
  /** The door it is for (null: made before tokens were bound to a door). */
  door: string | null;
  created: string;
  expires: string;
  used: string | null;
  revoked: string | null;
  replace: boolean;
  doors: string[];
}

export async function listTokens(adminUrl: string): Promise<TokenRow[]> {
  return withClient(adminUrl, async (client) => {
    const r = await client.query<{
      id: string;
      door: string | null;
      created_at: Date;
      expires_at: Date;
      used_at: Date | null;
      revoked_at: Date | null;
      replace_door: boolean;
      doors: string[];
    }>(
      `SELECT t.id, t.door, t.created_at, t.expires_at, t.used_at, t.revoked_at, t.replace_door,
              coalesce(array_agg(d.name) FILTER (WHERE d.name IS NOT NULL), '{}') AS doors
       FROM join_tokens t LEFT JOIN doors d ON d.token_id = t.id GROUP BY t.id ORDER BY t.created_at`,
    );
    return r.rows.map((t) => ({
      id: t.id,
      door: t.door,
      created: t.created_at.toISOString(),
      expires: t.expires_at.toISOString(),
      used: t.used_at?.toISOString() ?? null,
      revoked: t.revoked_at?.toISOString() ?? null,
      replace: t.replace_door,
      doors: t.doors,
    }));
  });
}
