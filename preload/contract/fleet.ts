// Fleet mode on the kiosk (issue 11): join a fleet from the admin screen, see this door's
// status, and edit access groups (weekly schedules) and their members. Admin session only.
import { z } from 'zod';
import { channel, pinAgainField } from './define.js';
import { NoArgs } from './app.js';
import type { AuditView } from './audit.js';

/** What the admin panel shows about this door; `joined: false` on a lone kiosk. */
export interface FleetStatusView {
  joined: boolean;
  door: string | null;
  fleet: string | null;
  connected: boolean;
  /** The replica's change-feed version. */
  version: number;
  /** ms since the replica was last confirmed current; -1 when never. */
  lagMs: number;
  /** ms of offline grace left; negative once the door refuses everyone; null on a lone kiosk. */
  graceLeftMs: number | null;
  graceWarning: boolean;
  /** Why the joined folder could not be opened (the door then refuses everyone). */
  problem: string | null;
  /** What waits to leave this door; null on a lone kiosk. */
  backlog: FleetBacklogView | null;
  /** The admin key brought to this session, which signs its changes; null: changes are refused. */
  adminKey: FleetAdminKeyView | null;
}

/** An admin key opened for this admin session (issue 17): kept in memory, never on the door. */
export interface FleetAdminKeyView {
  id: string;
  name: string;
}

/** Audit not yet in the fleet database, and events not yet on MQTT (issue 22). */
export interface FleetBacklogView {
  /** Decisions written here and not yet confirmed in the fleet database. */
  pending: number;
  /** ms since the oldest of them was written; null when none wait. */
  oldestMs: number | null;
  /** Why the last try to ship them failed; null once a try succeeds. */
  shipError: string | null;
  /** The MQTT link; null when this door has no broker set. */
  mqtt: { connected: boolean; queued: number; dropped: number } | null;
}

/** Pushed to the door screen: the offline-grace warning and refusal (no admin session needed to see it). */
export interface DoorFleetNotice {
  joined: boolean;
  graceWarning: boolean;
  offlineTooLong: boolean;
  /** ms of offline grace left (null on a lone kiosk). */
  graceLeftMs: number | null;
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00 to 24:00)');

export const FleetWindowSchema = z
  .object({
    /** 0 = Sunday … 6 = Saturday. */
    days: z.array(z.int().min(0).max(6)).min(1).max(7),
    start: hhmm,
    end: hhmm,
  })
  .strict()
  .refine((w) => w.start < w.end, 'a window must end after it starts');
export type FleetWindow = z.infer<typeof FleetWindowSchema>;

export interface FleetGroupView {
  id: string;
  name: string;
  /** Door names, or ['*'] for every door. */
  doors: string[];
  timeZone: string;
  windows: FleetWindow[];
  /** People in this group. */
  members: string[];
}

export interface FleetPersonRef {
  id: string;
  name: string;
  disabled: boolean;
}

export interface FleetGroups {
  groups: FleetGroupView[];
  people: FleetPersonRef[];
}

/** One decision from the building's audit (the database), with the door that made it. */
export type FleetAuditView = AuditView & { doorName: string };

const uuid = z.uuid();

export const fleetChannels = {
  getFleetStatus: channel<FleetStatusView>()(NoArgs, 'admin'),
  /**
   * Makes this kiosk's data folder a door of a fleet (like `tobira fleet join`). This and the
   * group edits below take the admin PIN typed again: the fleet then decides who gets in.
   */
  joinFleet: channel<FleetStatusView>()(
    z
      .object({
        databaseUrl: z.string().min(1).max(2000),
        token: z.string().min(1).max(4000),
        door: z.string().min(1).max(64),
        ...pinAgainField,
      })
      .strict(),
    'admin',
    null,
    'pin-again',
  ),
  /**
   * Opens an admin key file (its text) with its passphrase for this admin session: the Fleet
   * panel's and camera enrollment's changes are signed with it until the session ends.
   */
  openFleetAdminKey: channel<FleetAdminKeyView>()(
    z.object({ keyFile: z.string().min(1).max(20_000), passphrase: z.string().min(1).max(1000) }).strict(),
    'admin',
  ),
  listFleetGroups: channel<FleetGroups>()(NoArgs, 'admin'),
  /** Creates (id null) or replaces a group. */
  saveFleetGroup: channel<FleetGroups>()(
    z
      .object({
        id: uuid.nullable(),
        name: z.string().trim().min(1).max(100),
        doors: z.array(z.string().trim().min(1).max(64)).min(1).max(200),
        timeZone: z.string().min(1).max(64),
        windows: z.array(FleetWindowSchema).max(50),
        ...pinAgainField,
      })
      .strict(),
    'admin',
    null,
    'pin-again',
  ),
  removeFleetGroup: channel<FleetGroups>()(
    z.object({ id: uuid, ...pinAgainField }).strict(),
    'admin',
    null,
    'pin-again',
  ),
  /** The whole building's audit, newest first, filtered by door, person (id or name) and time. */
  listFleetAudit: channel<{ records: FleetAuditView[]; total: number }>()(
    z
      .object({
        offset: z.int().min(0).max(1_000_000),
        limit: z.int().min(1).max(500),
        door: z.string().trim().min(1).max(64).optional(),
        person: z.string().trim().min(1).max(200).optional(),
        since: z.iso.datetime({ offset: true }).optional(),
        until: z.iso.datetime({ offset: true }).optional(),
      })
      .strict(),
    'admin',
  ),
  /** The group's members become exactly `personIds`. */
  setFleetGroupMembers: channel<FleetGroups>()(
    z.object({ id: uuid, personIds: z.array(uuid).max(10_000), ...pinAgainField }).strict(),
    'admin',
    null,
    'pin-again',
  ),
};
