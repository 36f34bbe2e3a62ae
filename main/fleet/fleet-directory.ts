// The people of a fleet, as the kiosk's flows and admin screen see them: read from the door's
// replica (kept in step by the change feed), written through the door's login with the fleet
// writer (main/fleet/writer.ts). Personal codes (1:1 mode) and thumbnails stay local features:
// the fleet database holds neither, so they are refused here with a sentence saying so.
import type { FleetPerson, FleetView } from './view.js';
import type { FleetWriter } from './writer.js';
import type { GalleryEntry, NewTemplate, PersonSummary } from '../store/enrollment-store.js';
import { StoreError } from '../store/errors.js';
import type { PeopleDirectory } from '../people/people-directory.js';

function summary(p: FleetPerson, activeRecognizerId?: string): PersonSummary {
  const templates = p.templates.map((t) => ({
    id: t.id,
    recognizerId: t.recognizerId,
    createdAt: t.createdAt,
    dimension: t.dimension,
    hasThumbnail: false,
    hasPhoto: false,
  }));
  return {
    id: p.id,
    name: p.name,
    createdAt: p.createdAt,
    hasPin: false,
    templates,
    needsReenrollment:
      activeRecognizerId !== undefined &&
      templates.length > 0 &&
      !templates.some((t) => t.recognizerId === activeRecognizerId),
  };
}

/** A fleet door's people as a directory reads and writes them: the kiosk's (kiosk-fleet.ts) or the CLI's (cli-context.ts). */
export interface FleetPeopleSource {
  /** The replica's current view. */
  readonly view: FleetView;
  /** A change through this door's login; resolves once the replica holds it (or after a wait). */
  write<T>(work: (writer: FleetWriter) => Promise<T>, versionOf: (result: T) => number): Promise<T>;
}

export function fleetDirectory(fleet: FleetPeopleSource): PeopleDirectory {
  const find = (id: string): FleetPerson => {
    const p = fleet.view.people.get(id);
    if (!p) throw new StoreError('not_found', `no person ${id} in the fleet`);
    return p;
  };
  const noCodes = () =>
    new StoreError(
      'invalid_input',
      'personal codes are kept on a lone kiosk only: this door is part of a fleet, whose people have no codes',
    );
  return {
    kind: 'fleet',
    listPeople: (r) =>
      [...fleet.view.people.values()]
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
        .map((p) => summary(p, r)),
    getPerson: (id, r) => summary(find(id), r),
    thumbnail: () => null,
    gallery: (r): GalleryEntry[] => fleet.view.gallery(r),
    addPerson: async (name, options) => {
      if (options?.pin) throw noCodes();
      const added = await fleet.write(
        (w) => w.addPerson(name),
        (r) => r.version,
      );
      return summary(find(added.id));
    },
    renamePerson: (id, name) =>
      fleet.write(
        (w) => w.renamePerson(find(id).id, name),
        (v) => v,
      ),
    removePerson: async (id) => {
      await fleet.write(
        (w) => w.removePerson(find(id).id),
        (v) => v,
      );
    },
    setPersonPin: (id, pin) => {
      find(id);
      return pin === null ? Promise.resolve() : Promise.reject(noCodes());
    },
    findPersonByPin: () => Promise.resolve(null),
    addTemplate: (id, template: NewTemplate) =>
      fleet.write(
        (w) => w.addTemplate(find(id).id, template.recognizerId, template.embedding),
        (r) => r.version,
      ),
  };
}
