// What the CLI commands share in a joined data folder: open the door's config and replica with
// the CLI key store, catch up with the change feed, and write through the door's login.
import { catchUpOnce } from './sync.js';
import { cliKeyWrapper, isJoined, readDoorConfig, type DoorConfig } from './local.js';
import { Replica } from './replica.js';
import { FleetView } from './view.js';
import { withClient } from './db.js';
import { FleetWriter } from './writer.js';
import type { FleetPeopleSource } from './fleet-directory.js';

export { isJoined };

export interface FleetContext {
  config: DoorConfig;
  replica: Replica;
  view: () => FleetView;
  /** Null when it caught up; the error when the database was unreachable (the replica still answers). */
  syncError: Error | null;
}

/** Opens a joined folder. With `catchUp`, pulls new changes first; failure to reach the database is reported, not fatal. */
export async function openFleet(dataDir: string, options: { catchUp?: boolean } = {}): Promise<FleetContext> {
  const config = await readDoorConfig(dataDir, await cliKeyWrapper(dataDir, false));
  const replica = await Replica.open(dataDir, config.localKey, config.fleet);
  let syncError: Error | null = null;
  if (options.catchUp) {
    try {
      await catchUpOnce(config.databaseUrl, replica);
    } catch (error) {
      syncError = error as Error;
    }
  }
  return { config, replica, view: () => new FleetView(replica, config.fleetKey), syncError };
}

/** Runs `work` with a writer on a fresh connection, then catches the replica up (so it sees its own change). */
export async function writeFleet<T>(
  ctx: FleetContext,
  work: (writer: FleetWriter) => Promise<T>,
): Promise<T> {
  const result = await withClient(ctx.config.databaseUrl, (client) =>
    work(new FleetWriter(client, ctx.config.fleetKey, ctx.config.door)),
  );
  await catchUpOnce(ctx.config.databaseUrl, ctx.replica);
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
