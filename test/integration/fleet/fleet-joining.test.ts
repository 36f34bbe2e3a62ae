// Joining a fleet as an attacker would try it (issue 17), against a real PostgreSQL: a join token
// joins the one door it names, once, before it expires; its own login can do nothing but redeem
// itself; an existing door is re-keyed only with a token an admin made with --replace; revoking a
// token never locks out the doors that joined with it; `fleet door remove` retires one door.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createToken, doorGroupRole, initFleet, revokeToken } from '../../../main/fleet/admin.js';
import { KEY_CHECK_AAD, KEY_CHECK_TEXT } from '../../../main/fleet/entities.js';
import { SCHEMA_VERSION } from '../../../main/fleet/migrate.js';
import { sql as m0001 } from '../../../main/fleet/migrations/0001-schema.js';
import { sql as m0002 } from '../../../main/fleet/migrations/0002-door-roles.js';
import { sql as m0003 } from '../../../main/fleet/migrations/0003-template-format.js';
import { KEY_BYTES, seal } from '../../../main/store/crypto.js';
import { withClient } from '../../../main/fleet/db.js';
import { FleetError, type FleetErrorCode } from '../../../main/fleet/errors.js';
import { joinFleet, scramVerifier } from '../../../main/fleet/join.js';
import { cliKeyWrapper, readDoorConfig } from '../../../main/fleet/local.js';
import { decodeToken, encodeToken } from '../../../main/fleet/token.js';
import { cli, dbArgs, joinDoor } from '../../helpers/fleet-setup.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { skipWithout } from '../../helpers/prerequisites.js';

const skip = skipWithout('postgresql');

describe('joining a fleet', { skip }, () => {
  let server: PostgresServer;
  let adminUrl: string;
  let root: string;
  let fleetKey: Buffer;

  const dirOf = (name: string) => path.join(root, `${name}-${randomBytes(3).toString('hex')}`);
  const join = async (token: string, door: string, dir = dirOf(door)) => {
    await joinFleet({
      databaseUrl: adminUrl,
      token,
      door,
      dataDir: dir,
      wrapper: await cliKeyWrapper(dir, true),
    });
    return dir;
  };
  const refused = (code: FleetErrorCode, message: RegExp) => (e: unknown) => {
    assert.ok(e instanceof FleetError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  };
  /** What the door's own login may still do: read the people and append audit in its name. */
  const doorCanWork = async (dir: string) => {
    const config = await readDoorConfig(dir, await cliKeyWrapper(dir, false));
    return withClient(config.databaseUrl, async (c) => {
      await c.query('SELECT count(*) FROM entities');
      await c.query(
        `INSERT INTO audit (id, door, time, outcome, reason, record) VALUES (gen_random_uuid(), $1, now(), 'rejected', 'unknown_face', '{}')`,
        [config.door],
      );
      return true;
    });
  };
  const adminQuery = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    withClient(adminUrl, async (c) => (await c.query<R>(sql, params)).rows);

  let lobbyDir: string;
  let lobbyToken: string;

  before(async () => {
    server = await startPostgres();
    adminUrl = await server.createDatabase('joining');
    root = await mkdtemp(path.join(tmpdir(), 'tobira-fleet-joining-'));
    lobbyToken = (await initFleet(adminUrl, { door: 'Lobby' })).join!;
    fleetKey = decodeToken(lobbyToken).keyBytes;
    lobbyDir = await join(lobbyToken, 'Lobby');
  });

  after(async () => {
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a second redemption of a token is refused, and the door that joined with it keeps its login', async () => {
    await assert.rejects(
      join(lobbyToken, 'Lobby'),
      refused('token_used', /already used.*joins one door once/),
    );
    await assert.rejects(join(lobbyToken, 'Annex'), /./, 'nor under another name');
    assert.equal(await doorCanWork(lobbyDir), true);
    const doors = await adminQuery<{ name: string }>('SELECT name FROM doors ORDER BY name');
    assert.deepEqual(
      doors.map((d) => d.name),
      ['Lobby'],
    );
  });

  it('a token joins only the door it names: checked by the door and by the database', async () => {
    const token = await createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, { door: 'Garage' });
    await assert.rejects(join(token, 'Lobby'), refused('token_wrong_door', /for door 'Garage', not 'Lobby'/));
    // The same token with another door written into its text: the database holds the binding.
    const { keyBytes: _k, secretBytes: _s, ...rest } = decodeToken(token);
    await assert.rejects(
      join(encodeToken({ ...rest, door: 'Cellar' }), 'Cellar'),
      refused('token_wrong_door', /'Garage', not 'Cellar'/),
    );
    // Not used up by the refusals; `fleet join` without --door joins the door the token names.
    const dir = dirOf('Garage');
    assert.equal((await joinDoor(adminUrl, token, null, dir)).door, 'Garage');
  });

  it('a token expires (default 24 h, --expires shorter), and an expired one joins nothing', async () => {
    const token = await createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, {
      door: 'Late',
      expiresInMs: 1000,
    });
    const rows = await adminQuery<{ d: number }>(
      `SELECT extract(epoch FROM expires_at - created_at)::float AS d FROM join_tokens WHERE door = 'Late'`,
    );
    assert.ok(Math.abs(rows[0]!.d - 1) < 1, `expires one second after it was made (${rows[0]!.d} s)`);
    const daily = decodeToken(
      await createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, { door: 'Daily' }),
    );
    assert.equal(Date.parse(daily.expires!) - Date.now() > 23.9 * 3600_000, true, 'default: 24 h');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await assert.rejects(join(token, 'Late'), refused('token_expired', /expired at/));
    // With the expiry cut out of its text, PostgreSQL itself refuses the login (VALID UNTIL).
    const { keyBytes: _k, secretBytes: _s, expires: _e, ...rest } = decodeToken(token);
    await assert.rejects(join(encodeToken(rest), 'Late'), (e) => e instanceof FleetError);
    assert.equal((await adminQuery(`SELECT 1 FROM doors WHERE name = 'Late'`)).length, 0);
  });

  it('the token’s own login can do nothing but redeem itself', async () => {
    const token = decodeToken(
      await createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, { door: 'Side' }),
    );
    const other = decodeToken(
      await createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, { door: 'Other' }),
    );
    const url = new URL(adminUrl);
    url.username = token.user;
    url.password = token.password;
    await withClient(url.toString(), async (c) => {
      for (const sql of [
        'SELECT * FROM entities',
        'SELECT * FROM doors',
        'SELECT * FROM audit',
        'SELECT * FROM join_tokens',
        `SELECT tobira_put_signed('person', gen_random_uuid(), NULL, '\\x00', 1, gen_random_uuid(), '\\x00', 'token')`,
        `INSERT INTO audit (id, door, time, outcome, reason, record) VALUES (gen_random_uuid(), 'Side', now(), 'unlocked', 'match', '{}')`,
      ])
        await assert.rejects(c.query(sql), /permission denied/, sql);
      // Another token's secret redeemed through this login: refused, and that token stays unused.
      await assert.rejects(
        c.query('SELECT * FROM tobira_redeem_join($1, $2, $3, $4)', [
          other.token,
          other.secretBytes,
          'Other',
          'SCRAM-SHA-256$4096:AA==$AA==:AA==',
        ]),
        /not valid for this fleet/,
      );
    });
    await join(encodeToken({ ...other, door: 'Other' }), 'Other');
  });

  it('re-keying an existing door needs a token an admin made for it with --replace', async () => {
    const first = await createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, { door: 'Back' });
    const spare = await createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, { door: 'Back' });
    const backDir = await join(first, 'Back');
    // The attacker with a second token for the same name: refused, the real door keeps its login.
    await assert.rejects(join(spare, 'Back'), refused('door_exists', /already in this fleet.*--replace/));
    assert.equal(await doorCanWork(backDir), true);
    await assert.rejects(
      createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, { door: 'Back' }),
      refused('door_exists', /already in this fleet: .*--replace/),
    );
    await assert.rejects(
      createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, { door: 'Nowhere', replace: true }),
      refused('invalid_input', /no door 'Nowhere' to replace/),
    );
    // The admin replaces the door's PC: the new one takes the name, the old login is gone.
    const replacement = await createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, {
      door: 'Back',
      replace: true,
    });
    const newDir = await join(replacement, 'Back');
    assert.equal(await doorCanWork(newDir), true);
    await assert.rejects(doorCanWork(backDir), refused('auth_failed', /password authentication failed/));
  });

  it('revoking a token never locks out the doors that joined with it', async () => {
    const id = decodeToken(lobbyToken).token;
    assert.equal((await cli('fleet', 'token', 'revoke', ...dbArgs(adminUrl), id)).code, 0);
    assert.equal(await doorCanWork(lobbyDir), true);
    const unused = await createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, { door: 'Never' });
    await revokeToken(adminUrl, decodeToken(unused).token);
    await assert.rejects(join(unused, 'Never'), refused('token_revoked', /revoked/));
  });

  it('fleet door remove retires one door: its login goes, its audit rows stay, the others keep working', async () => {
    const token = await createToken(adminUrl, fleetKey, decodeToken(lobbyToken).admin!, { door: 'Retired' });
    const dir = await join(token, 'Retired');
    assert.equal(await doorCanWork(dir), true);
    const removed = await cli('fleet', 'door', 'remove', ...dbArgs(adminUrl), 'Retired');
    assert.equal(removed.code, 0, removed.err);
    await assert.rejects(
      doorCanWork(dir),
      refused('auth_failed', /password authentication failed|does not exist/),
    );
    const kept = await adminQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit WHERE door = 'Retired'`,
    );
    assert.equal(kept[0]!.n, 1, 'its audit row stays');
    assert.equal(await doorCanWork(lobbyDir), true);
    const list = await cli('fleet', 'door', 'list', ...dbArgs(adminUrl), '--json');
    const names = (JSON.parse(list.out) as { doors: { name: string }[] }).doors.map((d) => d.name);
    assert.ok(names.includes('Lobby') && !names.includes('Retired'), names.join(', '));
    const again = await cli('fleet', 'door', 'remove', ...dbArgs(adminUrl), 'Retired');
    assert.equal(again.code, 1);
    assert.match(again.err, /no door 'Retired' in this fleet/);
  });
});

describe('a fleet from before migration 5', { skip }, () => {
  let server: PostgresServer;
  after(async () => server?.close());

  it('its reusable token expires and leaves the doors’ group; the doors that joined with it keep working', async () => {
    server = await startPostgres();
    const url = await server.createDatabase('upgrade');
    const key = randomBytes(KEY_BYTES);
    const fleet = randomUUID();
    const group = doorGroupRole(fleet);
    const token = {
      id: randomUUID(),
      role: `tobira_j_old${randomBytes(4).toString('hex')}`,
      secret: randomBytes(32),
    };
    // Schema 3 as the migrations and `fleet init` of that time made it, with one token.
    await withClient(url, async (c) => {
      await c.query(
        'CREATE TABLE tobira_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      for (const [i, sql] of [m0001, m0002, m0003].entries()) {
        await c.query(sql);
        await c.query('INSERT INTO tobira_schema (version) VALUES ($1)', [i + 1]);
      }
      await c.query('INSERT INTO fleet (id, key_check) VALUES ($1, $2)', [
        fleet,
        seal(key, KEY_CHECK_TEXT, KEY_CHECK_AAD),
      ]);
      for (const sql of [
        `CREATE ROLE ${group} NOLOGIN`,
        `GRANT USAGE ON SCHEMA public TO ${group}`,
        `GRANT SELECT ON tobira_schema, fleet, doors, entities, audit TO ${group}`,
        `GRANT INSERT ON audit TO ${group}`,
        `GRANT EXECUTE ON FUNCTION tobira_put(text, uuid, uuid, bytea, text), tobira_join_door(uuid, bytea, text, text) TO ${group}`,
        `CREATE ROLE ${token.role} LOGIN PASSWORD 'old-token-password' IN ROLE ${group}`,
      ])
        await c.query(sql);
      await c.query('INSERT INTO join_tokens (id, role_name, secret_sha256) VALUES ($1, $2, sha256($3))', [
        token.id,
        token.role,
        token.secret,
      ]);
    });
    // Two doors joined with it, as `fleet join` did then.
    const tokenUrl = new URL(url);
    tokenUrl.username = token.role;
    tokenUrl.password = 'old-token-password';
    const doorUrls: string[] = [];
    for (const door of ['A', 'B']) {
      const password = randomBytes(18).toString('base64url');
      const role = await withClient(
        tokenUrl.toString(),
        async (c) =>
          (
            await c.query<{ r: string }>('SELECT tobira_join_door($1, $2, $3, $4) AS r', [
              token.id,
              token.secret,
              door,
              scramVerifier(password),
            ])
          ).rows[0]!.r,
      );
      const u = new URL(url);
      u.username = role;
      u.password = password;
      doorUrls.push(u.toString());
    }

    const migrated = await initFleet(url, null);
    assert.equal(migrated.migrated.at(-1), SCHEMA_VERSION, 'migrated to this build’s schema');
    for (const doorUrl of doorUrls)
      await withClient(doorUrl, (c) => c.query('SELECT count(*) FROM entities'));
    await assert.rejects(
      withClient(tokenUrl.toString(), (c) => c.query('SELECT 1')),
      /not permitted to log in/,
    );
    const [row] = await withClient(
      url,
      async (c) =>
        (
          await c.query<{ expired: boolean; member: boolean }>(
            `SELECT expires_at <= now() AS expired, pg_has_role($2, $3, 'MEMBER') AS member FROM join_tokens WHERE id = $1`,
            [token.id, token.role, group],
          )
        ).rows,
    );
    assert.deepEqual(row, { expired: true, member: false });
    // Its text, kept somewhere, joins nothing, with a sentence that says why.
    const old = encodeToken({
      fleet,
      token: token.id,
      secret: token.secret.toString('base64url'),
      key: key.toString('base64url'),
      user: token.role,
      password: 'old-token-password',
    });
    const dir = path.join(tmpdir(), `tobira-old-token-${randomBytes(3).toString('hex')}`);
    await assert.rejects(
      joinFleet({
        databaseUrl: url,
        token: old,
        door: 'C',
        dataDir: dir,
        wrapper: await cliKeyWrapper(dir, true),
      }),
      (e) =>
        e instanceof FleetError &&
        e.code === 'token_expired' &&
        /made before tokens named their door/.test(e.message),
    );
    await rm(dir, { recursive: true, force: true });
  });
});
