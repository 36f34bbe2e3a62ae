// Fleets for the tests as an admin makes them: `tobira fleet init` (with the first admin key and
// its passphrase file), `tobira fleet join` for each door (and `tobira fleet mqtt` when a broker is
// named), through the real CLI; and writes signed with an admin key, as an admin's session makes them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../main/cli/tobira.js';
import type { AdminKey } from '../../main/fleet/admin-key.js';
import { createToken, initFleet } from '../../main/fleet/admin.js';
import { openFleet } from '../../main/fleet/cli-context.js';
import { withClient } from '../../main/fleet/db.js';
import { joinFleet } from '../../main/fleet/join.js';
import { cliKeyWrapper, type DoorConfig } from '../../main/fleet/local.js';
import { decodeToken } from '../../main/fleet/token.js';
import { FleetWriter, writerUrl } from '../../main/fleet/writer.js';
import type { PostgresServer } from './postgres-server.js';

/** The test fleets' admin key passphrase. */
export const ADMIN_PASSPHRASE = 'correct horse battery';

/** A change signed with `admin`, on the fleet's writer login, reaching the database `door` knows. */
export function adminWrite<T>(
  door: Pick<DoorConfig, 'databaseUrl' | 'fleetKey'>,
  admin: AdminKey,
  work: (writer: FleetWriter) => Promise<T>,
): Promise<T> {
  return withClient(writerUrl(door.databaseUrl, admin), (client) =>
    work(new FleetWriter(client, door.fleetKey, admin)),
  );
}

/**
 * Door `door` joined into `dir` in process (the CLI's key store), with a join token of its own:
 * a token joins one named door once, so it is made from the fleet key and first admin that
 * `token` (another door's) carries.
 */
export async function joinWithOwnToken(adminUrl: string, token: string, door: string, dir: string) {
  const { keyBytes, admin } = decodeToken(token);
  return joinFleet({
    databaseUrl: adminUrl,
    token: await createToken(adminUrl, keyBytes, admin!, { door }),
    door,
    dataDir: dir,
    wrapper: await cliKeyWrapper(dir, true),
  });
}

/**
 * A fleet made in process in database `db` (Ayumi its first admin), with doors Front (init's
 * token) and Back (a token of its own) joined under a new temporary folder `tobira-<db>-…`.
 */
export async function frontAndBack(server: PostgresServer, db: string) {
  const adminUrl = await server.createDatabase(db);
  const root = await mkdtemp(path.join(tmpdir(), `tobira-${db}-`));
  const init = await initFleet(adminUrl, { door: 'Front' }, 'Ayumi');
  const frontDir = path.join(root, 'front');
  const backDir = path.join(root, 'back');
  await joinFleet({
    databaseUrl: adminUrl,
    token: init.join!,
    door: 'Front',
    dataDir: frontDir,
    wrapper: await cliKeyWrapper(frontDir, true),
  });
  await joinWithOwnToken(adminUrl, init.join!, 'Back', backDir);
  const front = (await openFleet(frontDir)).config;
  return { adminUrl, root, admin: init.admin!, frontDir, backDir, front };
}

/** Runs the CLI in process; its exit code and what it printed. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') });
  return { code, out, err };
}

/** A private file holding `secret`, for `--token-file` and `--password-file` (no secret goes in argv). */
export function secretFile(secret: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tobira-secret-')), 'secret');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return file;
}

/** `url` without its password: what `--db` takes (a secret never goes on the command line). */
export function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/** `--db URL --db-password-file FILE` for an admin's URL: its password goes through a file. */
export function dbArgs(url: string): string[] {
  const password = decodeURIComponent(new URL(url).password);
  return ['--db', withoutPassword(url), ...(password ? ['--db-password-file', secretFile(password)] : [])];
}

/** The kiosk PIN `joinDoor` leaves each folder with. */
export const DOOR_PIN = '135790';

/**
 * `tobira fleet join` of door `name` into `dir` with the join token, its kiosk PIN from a file;
 * with `name` null, the door the token names (no --door). What `--json` printed.
 */
export async function joinDoor(
  adminUrl: string,
  token: string,
  name: string | null,
  dir: string,
): Promise<{ door: string }> {
  const joined = await cli(
    'fleet',
    'join',
    '--db',
    withoutPassword(adminUrl),
    '--token-file',
    secretFile(token),
    '--pin-file',
    secretFile(DOOR_PIN),
    ...(name === null ? [] : ['--door', name]),
    '--data-dir',
    dir,
    '--json',
  );
  assert.equal(joined.code, 0, joined.err);
  return JSON.parse(joined.out) as { door: string };
}

/**
 * A fleet in database `db` with the doors `names` joined under `root` as `tobira fleet init|join`
 * make them, each given the broker when one is named (`tobira fleet mqtt`). A join token joins one
 * door once: init makes the first door's, `fleet token create` (from the first door) the others'.
 */
export async function fleetOf(
  server: PostgresServer,
  db: string,
  root: string,
  names: string[],
  brokerUrl?: string,
): Promise<{
  adminUrl: string;
  fleetId: string;
  dirs: Record<string, string>;
  /** The first admin key's file (its passphrase: ADMIN_PASSPHRASE). */
  adminKey: string;
  /** `--admin-key FILE --passphrase-file FILE` of the first admin key, for the CLI's writes. */
  adminArgs: string[];
}> {
  const adminUrl = await server.createDatabase(db);
  mkdirSync(root, { recursive: true });
  const adminKey = path.join(root, 'admin.key');
  const adminArgs = ['--admin-key', adminKey, '--passphrase-file', secretFile(ADMIN_PASSPHRASE)];
  const init = await cli('fleet', 'init', ...dbArgs(adminUrl), '--door', names[0]!, ...adminArgs, '--json');
  assert.equal(init.code, 0, init.err);
  const { join, fleet } = JSON.parse(init.out) as { fleet: string; join: string };
  const dirs: Record<string, string> = {};
  for (const name of names) {
    const dir = (dirs[name] = path.join(root, name));
    let token = join;
    if (name !== names[0]) {
      const made = await cli(
        'fleet',
        'token',
        'create',
        ...dbArgs(adminUrl),
        '--data-dir',
        dirs[names[0]!]!,
        '--door',
        name,
        '--json',
      );
      assert.equal(made.code, 0, made.err);
      token = (JSON.parse(made.out) as { join: string }).join;
    }
    await joinDoor(adminUrl, token, name, dir);
    if (!brokerUrl) continue;
    const set = await cli('fleet', 'mqtt', '--data-dir', dir, '--url', brokerUrl);
    assert.equal(set.code, 0, set.err);
  }
  return { adminUrl, fleetId: fleet, dirs, adminKey, adminArgs };
}
