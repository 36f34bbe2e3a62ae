// The decoded state of a replica: people and groups opened with the fleet key, the matcher's
// gallery, and the access decision. Built once from the whole replica, then moved forward by the
// rows each batch changed (Replica.changesSince): a change to one person costs that person's
// rows, not a pass over the 600,000 rows of a campus-sized fleet.
// Templates are not held: each is its replica slot, its recognizer and its length (a template's
// bytes stay in the replica's files, read when the packer or a 1:1 check asks). A row that fails
// to open (altered on disk, or sealed with another key) is left out and reported (`unreadable`,
// and the door's log through `report`): the door refuses that person, it does not stop.
import { lazyGalleryEntryOf, type GalleryEntry } from '../store/enrollment-store.js';
import { openDoc, openTemplateHead, type AdminDoc, type GroupDoc, type PersonDoc } from './entities.js';
import { FleetError } from './errors.js';
import type { EntityKind } from './entities.js';
import type { Replica } from './replica.js';
import { groupGrants } from './schedule.js';

/**
 * A template as the view holds it: where it is in the replica, not its values or bytes. 100,000
 * people × 5 float32 templates of 512 held here were 1 GB; their sealed bytes, 1 GB more. Its id
 * is read from the replica's index when asked (500,000 id strings were ~24 MB of heap).
 */
export class FleetTemplate {
  constructor(
    private readonly replica: Replica,
    private readonly key: Buffer,
    readonly slot: number,
    readonly recognizerId: string,
    readonly dimension: number,
  ) {}

  get id(): string {
    return this.replica.idAt(this.slot);
  }

  /**
   * Read from its row when asked (the admin's list of people): 500,000 creation times held as
   * strings were ~20 MB of heap for a field only that list shows.
   */
  get createdAt(): string {
    const sealed = this.replica.sealedAt(this.slot);
    if (!sealed) throw new FleetError('database_error', `template ${this.id} was deleted since this view was built`);
    return openTemplateHead(this.key, this.id, sealed).createdAt;
  }
}

export interface FleetPerson extends PersonDoc {
  id: string;
  version: number;
  /** Sorted by id. */
  templates: readonly FleetTemplate[];
}

/** A row the view could not open, left out. */
export interface Unreadable {
  kind: EntityKind;
  id: string;
  reason: string;
}

export const describeUnreadable = (u: Unreadable) =>
  `left out ${u.kind} ${u.id}: ${u.reason}; the door refuses it until the row is sent again`;

export type AccessResult =
  | { ok: true; group: string }
  | { ok: false; reason: 'not_permitted_now' | 'person_disabled' | 'unknown_person' };

/** One copy of each recognizer id and group id, shared by every template and person. */
const interned = new Map<string, string>();
const intern = (s: string): string => {
  const held = interned.get(s);
  if (held !== undefined) return held;
  interned.set(s, s);
  return s;
};

/** Only an expected failure to open a row is left out; a bug still throws. */
function isRowFailure(error: unknown): error is FleetError {
  return error instanceof FleetError && (error.code === 'wrong_key' || error.code === 'database_error');
}

export class FleetView {
  readonly people: Map<string, FleetPerson>;
  readonly groups: Map<string, GroupDoc & { id: string }>;
  /** The admin keys the door trusts besides the one bound at its join (verify.ts). */
  readonly admins: Map<string, AdminDoc & { id: string }>;
  readonly version: number;
  /** Rows this view left out because they did not open (also passed to `report`). */
  readonly unreadable: Unreadable[] = [];
  /** The caller's `report`, handed on to the next view (it must not hold this view). */
  private readonly sink: ((u: Unreadable) => void) | undefined;
  /**
   * Decodes a gallery entry's templates; shared by every entry of this view and the next ones
   * built from it. It holds the sink, not this view: an entry outlives its view (the next view
   * shares it), and must not keep the old view's maps alive with it.
   */
  private readonly decode: (templates: readonly FleetTemplate[]) => Float32Array[];
  /** Templates by person id, sorted by id once the constructor ends (a template may arrive before its person). */
  private readonly templatesOf: Map<string, FleetTemplate[]>;
  /** Gallery entries by recognizer and person, for the recognizers asked for so far. */
  private readonly galleryMaps: Map<string, Map<string, GalleryEntry>>;
  private readonly galleryLists = new Map<string, GalleryEntry[]>();

  /**
   * `previous`: the view before the last batches; when the replica still knows what changed since
   * it, only those rows are opened, and everything else is shared with it (never modified).
   * `report`: told of each row left out (default: the previous view's, else nothing more).
   */
  constructor(
    private readonly replica: Replica,
    private readonly key: Buffer,
    previous?: FleetView,
    report?: (u: Unreadable) => void,
  ) {
    this.version = replica.version;
    this.sink = report ?? previous?.sink;
    this.decode = previous && !report ? previous.decode : decoder(replica, key, this.sink);
    const changes = previous ? replica.changesSince(previous.version) : null;
    const touched = new Set<string>();
    const own = new Set<string>();
    if (previous && changes) {
      this.people = new Map(previous.people);
      this.groups = new Map(previous.groups);
      this.admins = new Map(previous.admins);
      this.templatesOf = new Map(previous.templatesOf);
      this.galleryMaps = new Map();
      for (const slot of changes) this.applySlot(slot, touched, own);
    } else {
      this.people = new Map();
      this.groups = new Map();
      this.admins = new Map();
      this.templatesOf = new Map();
      this.galleryMaps = new Map();
      for (let slot = 0; slot < replica.size; slot++) this.applySlot(slot, touched, own);
    }
    // People whose row or templates changed get a new object with their templates in id order.
    for (const id of touched) {
      let list = this.templatesOf.get(id);
      if (list && own.has(id)) {
        // slice(): an array of exactly its length (push leaves room for 17).
        list = list.sort((a, b) => replica.compareIds(a.slot, b.slot)).slice();
        this.templatesOf.set(id, list);
      }
      const p = this.people.get(id);
      if (p) this.people.set(id, { ...p, templates: list ?? [] });
    }
    // Then the galleries asked for so far: only the touched people's entries change.
    for (const [recognizer, old] of previous && changes ? previous.galleryMaps : []) {
      const map = new Map(old);
      for (const id of touched) this.setGalleryEntry(map, recognizer, id);
      this.galleryMaps.set(recognizer, map);
    }
  }

  /** The person's template list, copied on first write in this view (the previous view keeps its own). */
  private templatesFor(personId: string, own: Set<string>): FleetTemplate[] {
    let list = this.templatesOf.get(personId);
    if (!list || !own.has(personId)) {
      list = list ? [...list] : [];
      this.templatesOf.set(personId, list);
      own.add(personId);
    }
    return list;
  }

  private applySlot(slot: number, touched: Set<string>, own: Set<string>): void {
    const kind = this.replica.kindAt(slot);
    const id = this.replica.idAt(slot);
    try {
      this.openSlot(slot, kind, id, touched, own);
    } catch (error) {
      if (!isRowFailure(error)) throw error;
      // Whatever the row held before is gone too: an altered person is unknown, not stale.
      if (kind === 'person') {
        this.people.delete(id);
        touched.add(id);
      } else if (kind === 'group') this.groups.delete(id);
      else if (kind === 'admin') this.admins.delete(id);
      this.note({ kind, id, reason: error.message });
    }
  }

  private openSlot(slot: number, kind: EntityKind, id: string, touched: Set<string>, own: Set<string>): void {
    switch (kind) {
      case 'admin': {
        const sealed = this.replica.sealedAt(slot);
        if (sealed) this.admins.set(id, { ...openDoc(this.key, 'admin', id, sealed), id });
        else this.admins.delete(id);
        return;
      }
      case 'group': {
        const sealed = this.replica.sealedAt(slot);
        if (sealed) this.groups.set(id, { ...openDoc(this.key, 'group', id, sealed), id });
        else this.groups.delete(id);
        return;
      }
      case 'person': {
        touched.add(id);
        const sealed = this.replica.sealedAt(slot);
        if (sealed) {
          const doc = openDoc(this.key, 'person', id, sealed);
          this.people.set(id, {
            ...doc,
            groups: doc.groups.map(intern),
            id,
            version: this.replica.versionAt(slot),
            templates: [],
          });
        } else this.people.delete(id);
        return;
      }
      case 'template': {
        // Where the template sat before: its row's parent (tobira_put_signed keeps it on tombstones too).
        const before =
          this.replica.parentAt(slot) ??
          [...this.templatesOf].find(([, list]) => list.some((t) => t.slot === slot))?.[0];
        if (before && this.templatesOf.get(before)?.some((t) => t.slot === slot)) {
          const list = this.templatesFor(before, own);
          list.splice(
            list.findIndex((t) => t.slot === slot),
            1,
          );
          touched.add(before);
        }
        const sealed = this.replica.sealedAt(slot);
        if (!sealed) return;
        const head = openTemplateHead(this.key, id, sealed);
        // The person's own id string when held (entities.ts builds a new one per template).
        const personId = this.people.get(head.personId)?.id ?? head.personId;
        this.templatesFor(personId, own).push(
          new FleetTemplate(this.replica, this.key, slot, intern(head.recognizerId), head.dimension),
        );
        touched.add(personId);
        return;
      }
    }
  }

  /**
   * People with templates from the recognizer, disabled ones too: the door recognises them and
   * refuses them as person_disabled (door-rules.ts), so the audit never takes them for strangers.
   * A template whose person is gone is never matched.
   */
  private setGalleryEntry(map: Map<string, GalleryEntry>, recognizerId: string, personId: string): void {
    const p = this.people.get(personId);
    // The person's own list when every template is this recognizer's (the usual case): no copy.
    const templates =
      p && p.templates.every((t) => t.recognizerId === recognizerId)
        ? p.templates
        : (p?.templates.filter((t) => t.recognizerId === recognizerId) ?? []);
    if (p && templates.length > 0)
      map.set(personId, lazyGalleryEntryOf(personId, p.name, templates.length, this.decode, templates));
    else map.delete(personId);
  }

  private note(u: Unreadable): void {
    this.unreadable.push(u);
    this.sink?.(u);
  }

  /**
   * A template's values, read from the replica and opened (a fresh copy each time: nothing is
   * kept). Throws FleetError when its row no longer opens (altered on disk, or since deleted).
   */
  embedding(template: FleetTemplate): Float32Array {
    return openEmbedding(this.replica, this.key, template);
  }

  /** People with templates from `recognizerId` (disabled ones too): what the matcher compares against. */
  gallery(recognizerId: string): GalleryEntry[] {
    let list = this.galleryLists.get(recognizerId);
    if (!list) {
      let map = this.galleryMaps.get(recognizerId);
      if (!map) {
        map = new Map();
        for (const id of this.people.keys()) this.setGalleryEntry(map, recognizerId, id);
        this.galleryMaps.set(recognizerId, map);
      }
      list = [...map.values()];
      this.galleryLists.set(recognizerId, list);
    }
    return list;
  }

  /** Does one of the person's groups grant `door` at `now`? */
  access(personId: string, door: string, now: number): AccessResult {
    const person = this.people.get(personId);
    if (!person) return { ok: false, reason: 'unknown_person' };
    if (person.disabled) return { ok: false, reason: 'person_disabled' };
    for (const gid of person.groups) {
      const group = this.groups.get(gid);
      if (group && groupGrants(group, door, now)) return { ok: true, group: group.name };
    }
    return { ok: false, reason: 'not_permitted_now' };
  }

  findPeople(idOrName: string): FleetPerson[] {
    const byId = this.people.get(idOrName);
    if (byId) return [byId];
    return [...this.people.values()].filter((p) => p.name === idOrName);
  }
}

/** Decodes templates for gallery entries; one that no longer opens is left out and reported. */
function decoder(
  replica: Replica,
  key: Buffer,
  sink: ((u: Unreadable) => void) | undefined,
): (templates: readonly FleetTemplate[]) => Float32Array[] {
  return (templates) => {
    const out: Float32Array[] = [];
    for (const t of templates) {
      try {
        out.push(openEmbedding(replica, key, t));
      } catch (error) {
        if (!isRowFailure(error)) throw error;
        // A template deleted since this view was built is not an integrity failure: not reported.
        if (!replica.isTombstone(t.slot)) sink?.({ kind: 'template', id: t.id, reason: error.message });
      }
    }
    return out;
  };
}

/** A template's values, read from its replica slot and opened. */
function openEmbedding(replica: Replica, key: Buffer, template: FleetTemplate): Float32Array {
  const id = template.id;
  const sealed = replica.sealedAt(template.slot);
  if (!sealed) throw new FleetError('database_error', `template ${id} was deleted since this view was built`);
  return openDoc(key, 'template', id, sealed).embedding;
}
