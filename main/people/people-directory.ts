// Who the kiosk knows, wherever they are kept: the local encrypted store (a lone kiosk) or the
// fleet (a joined data folder: reads from the replica, writes through the door's login). The
// kiosk's flows and the people service use this interface only, so they never ask which one.
import type { EnrollmentStore, GalleryEntry, NewTemplate, PersonSummary } from '../store/enrollment-store.js';

export interface PeopleDirectory {
  /** 'local' for the kiosk's own store, 'fleet' for the building's people. */
  readonly kind: 'local' | 'fleet';
  listPeople(activeRecognizerId?: string): PersonSummary[];
  /** Throws a not-found error for an unknown id. */
  getPerson(personId: string, activeRecognizerId?: string): PersonSummary;
  thumbnail(personId: string): Buffer | null;
  /**
   * People's templates for one recognizer: what the matcher compares against. A fleet's disabled
   * people are in it too, and refused by the fleet's rule (fleet/door-rules.ts) as person_disabled.
   */
  gallery(recognizerId: string): GalleryEntry[];
  addPerson(name: string, options?: { pin?: string }): Promise<PersonSummary>;
  renamePerson(personId: string, name: string): Promise<unknown>;
  removePerson(personId: string): Promise<void>;
  setPersonPin(personId: string, pin: string | null): Promise<void>;
  findPersonByPin(pin: string): Promise<PersonSummary | null>;
  addTemplate(personId: string, template: NewTemplate): Promise<unknown>;
}

/** The lone kiosk: the local enrollment store, exactly as before. */
export function localDirectory(store: EnrollmentStore): PeopleDirectory {
  return {
    kind: 'local',
    listPeople: (r) => store.listPeople(r),
    getPerson: (id, r) => store.getPerson(id, r),
    thumbnail: (id) => store.thumbnail(id),
    gallery: (r) => store.gallery(r),
    addPerson: (name, options) => store.addPerson(name, options),
    renamePerson: (id, name) => store.renamePerson(id, name),
    removePerson: (id) => store.removePerson(id),
    setPersonPin: (id, pin) => store.setPersonPin(id, pin),
    findPersonByPin: (pin) => store.findPersonByPin(pin),
    addTemplate: (id, template) => store.addTemplate(id, template),
  };
}

/** The directory in use now (the store, or a joined folder's fleet), or why there is none. */
export interface PeopleSource {
  directory(): PeopleDirectory | null;
  /** Why `directory()` is null, as a sentence without its first capital. */
  problem(): string | null;
  /** Whether the data folder is a door of a fleet (then nobody falls back to the store). */
  joined(): boolean;
}

/** A joined folder's fleet as the kiosk's people see it (fleet/fleet-host.ts). */
export interface FleetPeople {
  readonly joined: boolean;
  /** Why the fleet could not be opened. */
  readonly problem: string | null;
  /** The fleet's people, or null while it is not open. */
  people(): PeopleDirectory | null;
}

/**
 * Who the kiosk knows: the fleet's replica on a joined folder, the local store otherwise. A joined
 * folder whose fleet cannot be opened never falls back to the store (the people from before joining).
 */
export function kioskPeople(
  store: EnrollmentStore | null,
  storeProblem: string | null,
  fleet: FleetPeople,
): PeopleSource {
  return {
    joined: () => fleet.joined,
    directory: () => (fleet.joined ? fleet.people() : store ? localDirectory(store) : null),
    problem: () =>
      fleet.joined
        ? fleet.people()
          ? null
          : `the fleet could not be opened: ${fleet.problem}`
        : store
          ? null
          : `the enrollment store could not be opened: ${storeProblem}`,
  };
}
