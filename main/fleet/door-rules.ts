// The one rule of a fleet door for a face the matcher recognised, shared by the Electron kiosk
// (kiosk-fleet.ts, through the unlock flow), the headless door runtime of `tobira fleet run`
// (door-runtime.ts) and `tobira identify --data-dir` (cli/commands/identify.ts). Pure: it reads
// the replica's view and the time since the replica was last confirmed current, nothing else.
import type { AuditRecord } from '../audit/types.js';
import type { FleetView } from './view.js';

/** Why a fleet door refuses a person the face matched. */
export type FleetRefusal = 'unknown_face' | 'not_permitted_now' | 'offline_too_long' | 'person_disabled';

/** What the rule reads: the door's replica, its name, and how much offline grace is left. */
export interface DoorRuleState {
  view: FleetView;
  door: string;
  /** ms of offline grace left; negative once the door refuses everyone (graceLeftMs). */
  graceLeftMs: number;
}

/**
 * ms of offline grace left at `now` for a replica last confirmed current at `syncedAt`
 * (0: never, so no grace at all).
 */
export function graceLeftMs(syncedAt: number, offlineGraceMs: number, now: number): number {
  return syncedAt === 0 ? -1 : offlineGraceMs - Math.max(0, now - syncedAt);
}

/**
 * The fleet's rules for a face matched to `personId`: the offline grace first (a door that
 * could not refresh its replica for too long refuses everyone), then the person (disabled, or
 * no longer in the fleet), then their access groups at this door now. Null: they may open.
 *
 * A person the replica no longer holds (deleted while the matcher still held their templates)
 * is refused as `unknown_face`, the answer the matcher gives once its gallery has caught up.
 */
export function fleetRefusal(state: DoorRuleState, personId: string, now: number): FleetRefusal | null {
  if (state.graceLeftMs < 0) return 'offline_too_long';
  const access = state.view.access(personId, state.door, now);
  if (access.ok) return null;
  return access.reason === 'unknown_person' ? 'unknown_face' : access.reason;
}

/** A fleet door's rules as the frame path and the CLI use them; absent on a lone kiosk. */
export interface DoorRules {
  /** Why the fleet refuses this matched person now; null: they may open. */
  refusal(personId: string, now: number): FleetRefusal | null;
  /** A concluded attempt's audit record: shipped to the fleet and announced on MQTT. */
  announce(record: AuditRecord): void;
}
