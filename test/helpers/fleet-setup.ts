// Fleets for the tests as an admin makes them: `tobira fleet init`, `tobira fleet join` for each
// door (and `tobira fleet mqtt` when a broker is named), through the real CLI.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../main/cli/tobira.js';
import type { PostgresServer } from './postgres-server.js';

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

/** The kiosk PIN `joinDoor` leaves each folder with. */
export const DOOR_PIN = '135790';

/** `tobira fleet join` of door `name` into `dir` with the join token, its kiosk PIN from a file. */
export async function joinDoor(adminUrl: string, token: string, name: string, dir: string): Promise<void> {
  const joined = await cli(
    'fleet',
    'join',
    '--db',
    adminUrl,
    '--token-file',
    secretFile(token),
    '--pin-file',
    secretFile(DOOR_PIN),
    '--door',
    name,
    '--data-dir',
    dir,
  );
  assert.equal(joined.code, 0, joined.err);
}

/**
 * A fleet in database `db` with the doors `names` joined under `root` as `tobira fleet init|join`
 * make them, each given the broker when one is named (`tobira fleet mqtt`).
 */
export async function fleetOf(
  server: PostgresServer,
  db: string,
  root: string,
  names: string[],
  brokerUrl?: string,
): Promise<{ adminUrl: string; fleetId: string; dirs: Record<string, string> }> {
  const adminUrl = await server.createDatabase(db);
  const init = await cli('fleet', 'init', '--db', adminUrl, '--json');
  assert.equal(init.code, 0, init.err);
  const { join, fleet } = JSON.parse(init.out) as { fleet: string; join: string };
  const dirs: Record<string, string> = {};
  for (const name of names) {
    const dir = (dirs[name] = path.join(root, name));
    await joinDoor(adminUrl, join, name, dir);
    if (!brokerUrl) continue;
    const set = await cli('fleet', 'mqtt', '--data-dir', dir, '--url', brokerUrl);
    assert.equal(set.code, 0, set.err);
  }
  return { adminUrl, fleetId: fleet, dirs };
}
