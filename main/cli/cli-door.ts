// The door a CLI command acts for, lone or fleet, behind one interface: whom it knows (the
// gallery), its rules (a fleet door's, door-rules.ts; none on a lone kiosk) and where its admin
// lines go. `--data-dir` naming a joined folder gives the fleet door; anything else the store.
import type { AdminInput } from '../audit/types.js';
import { fleetRefusal, graceLeftMs, type DoorRules } from '../fleet/door-rules.js';
import { openFleet, type FleetContext } from '../fleet/cli-context.js';
import type { GalleryEntry } from '../store/enrollment-store.js';
import type { CliIO } from './command.js';
import { cliPaths } from './data-dir.js';
import { auditFleetCli, joinedDir } from './fleet-commands.js';
import { auditCli, cliAuditDir, openCliStore } from './store-cli.js';

export interface CliDoor {
  readonly kind: 'lone' | 'fleet';
  /** The enrolled templates the matcher compares against. */
  gallery(recognizerId: string): GalleryEntry[];
  /** A fleet door's rule for a matched person; null on a lone kiosk. */
  readonly rules: Pick<DoorRules, 'refusal'> | null;
  /** What a JSON answer adds about the door (a fleet door: its replica version). */
  readonly facts: Record<string, number>;
  /** Writes one of the CLI's admin actions to the door's audit log. */
  audit(event: Omit<AdminInput, 'actor'>): Promise<void>;
}

/** The fleet door of a joined folder, caught up with the change feed (or answering from its replica, warned). */
export async function fleetCliDoor(dir: string, io: CliIO, ctx?: FleetContext): Promise<CliDoor> {
  const fleet = ctx ?? (await openFleet(dir, { catchUp: true }));
  if (fleet.syncError) io.err(`warning: answering from the local replica: ${fleet.syncError.message}`);
  const view = fleet.view();
  const door = fleet.config.door;
  return {
    kind: 'fleet',
    gallery: (recognizerId) => view.gallery(recognizerId),
    rules: {
      refusal: (personId, now) =>
        fleetRefusal(
          { view, door, graceLeftMs: graceLeftMs(fleet.replica.syncedAt, fleet.config.offlineGraceMs, now) },
          personId,
          now,
        ),
    },
    facts: { version: fleet.replica.version },
    audit: (event) => auditFleetCli(fleet, io, event),
  };
}

/** The door `--data-dir` (or `--store`) names. */
export async function openCliDoor(
  values: { store?: string | undefined; key?: string | undefined },
  io: CliIO,
): Promise<CliDoor> {
  const fleet = joinedDir(io.paths?.dataDir);
  if (fleet) return fleetCliDoor(fleet, io);
  const paths = cliPaths(io);
  const store = await openCliStore(values, false, paths);
  return {
    kind: 'lone',
    gallery: (recognizerId) => store.gallery(recognizerId),
    rules: null,
    facts: {},
    audit: (event) => auditCli(cliAuditDir(paths, io, values.store), store, event),
  };
}
