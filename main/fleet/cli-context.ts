// What the CLI commands share in a joined data folder: open the door's config and replica with
// the CLI key store, catch up with the change feed (every change verified, verify.ts), and write
// with an admin key on the fleet's writer login. The folder's own login never writes (issue 17).
import { catchUpOnce } from './sync.js';
import { cliKeyWrapper, isJoined, readDoorConfig, type DoorConfig } from './local.js';
import { Replica } from './replica.js';
import { FleetView } from './view.js';
import { withClient } from './db.js';
import { FleetError } from './errors.js';
import { FleetWriter, writerUrl } from './writer.js';
import { AdminKey } from './admin-key.js';
import { doorTrust, VerifiedReplica, type Refusal } from './verify.js';
import type { FleetPeopleSource } from './fleet-directory.js';

export { isJoined };

/** Where the CLI finds the admin key for a write: a key file and its passphrase (never on the command line). */
export interface AdminKeySource {
  file: string | undefined;
  /** Reads the passphrase (from --passphrase-file, stdin or TOBIRA_ADMIN_PASSPHRASE). */
  passphrase: () => Promise<string | undefined>;
}

export interface FleetContext {
  config: DoorConfig;
  replica: Replica;
  /** The replica behind the change checks: what catch-ups apply to. */
  verified: VerifiedReplica;
  view: () => FleetView;
  /** Null when it caught up; the error when the database was unreachable (the replica still answers). */
  syncError: Error | null;
  /** Changes the catch-up refused (unsigned, wrongly signed, rolled back). */
  refusals: Refusal[];
  /** The admin key that signs this command's writes; opened on the first write. */
  admin: AdminKeySource | null;
}

/** Opens a joined folder. With `catchUp`, pulls new changes first; failure to reach the database is reported, not fatal. */
export async function openFleet(
  dataDir: string,
  options: { catchUp?: boolean; admin?: AdminKeySource } = {},
): Promise<FleetContext> {
  const config = await readDoorConfig(dataDir, await cliKeyWrapper(dataDir, false));
  const replica = await Replica.open(dataDir, config.localKey, config.fleet);
  const refusals: Refusal[] = [];
  const verified = new VerifiedReplica(replica, doorTrust(config), (r) => refusals.push(r));
  let syncError: Error | null = null;
  if (options.catchUp) {
    try {
      await catchUpOnce(config.databaseUrl, verified);
    } catch (error) {
      syncError = error as Error;
    }
  }
  return {
    config,
    replica,
    verified,
    view: () => new FleetView(replica, config.fleetKey),
    syncError,
    refusals,
    admin: options.admin ?? null,
  };
}

/** Opens the admin key `source` names, for this folder's fleet; says what is missing when it names none. */
export async function openAdminKey(source: AdminKeySource | null, fleet: string): Promise<AdminKey> {
  const file = source?.file ?? process.env['TOBIRA_ADMIN_KEY'];
  if (!file)
    throw new FleetError(
      'permission_denied',
      'changing the fleet needs an admin key: --admin-key FILE (or TOBIRA_ADMIN_KEY) and its passphrase ' +
        '(--passphrase-file FILE, - for standard input, or TOBIRA_ADMIN_PASSPHRASE)',
    );
  const passphrase = (await source?.passphrase()) ?? process.env['TOBIRA_ADMIN_PASSPHRASE'];
  if (!passphrase)
    throw new FleetError(
      'permission_denied',
      `admin key ${file}: give its passphrase with --passphrase-file FILE (- for standard input) or TOBIRA_ADMIN_PASSPHRASE`,
    );
  const key = await AdminKey.open(file, passphrase);
  if (key.fleet !== fleet)
    throw new FleetError(
      'wrong_key',
      `admin key ${file} is for fleet ${key.fleet}, this folder's is ${fleet}`,
    );
  return key;
}

/**
 * Runs `work` with a writer signing with the admin key, on a fresh connection as the fleet's
 * writer login, then catches the replica up (so it sees its own change).
 */
export async function writeFleet<T>(
  ctx: FleetContext,
  work: (writer: FleetWriter) => Promise<T>,
): Promise<T> {
  const admin = await openAdminKey(ctx.admin, ctx.config.fleet);
  ctx.verified.assertTrusted(admin);
  const result = await withClient(writerUrl(ctx.config.databaseUrl, admin), (client) =>
    work(new FleetWriter(client, ctx.config.fleetKey, admin)),
  );
  await catchUpOnce(ctx.config.databaseUrl, ctx.verified);
  return result;
}

/** The joined folder's people for fleetDirectory: the view moves forward after each write. */
export function fleetPeopleSource(ctx: FleetContext): FleetPeopleSource {
  let view = ctx.view();
  return {
    get view() {
      return view;
    },
    async write(work) {
      const result = await writeFleet(ctx, work);
      view = new FleetView(ctx.replica, ctx.config.fleetKey, view);
      return result;
    },
  };
}
