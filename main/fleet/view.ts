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
 * What the view knows of each template row, by replica slot: its recognizer and length. Shared by
 * a view and the views built from it (a slot's entry changes only when its row is applied again).
 * 500,000 FleetTemplate objects held here were 32 MB at 100,000 people; now a template is a slot
 * number in its person's list, and an object only when asked (FleetPerson.templates).
 */
class TemplateSlots {
  /** Index + 1 into `recognizers` (0: not a template the view opened). */
  private recognizer = new Uint16Array(0);
  private dims = new Uint32Array(0);
  private readonly recognizers: string[] = [];

  constructor(
    readonly replica: Replica,
    readonly key: Buffer,
  ) {}

  set(slot: number, recognizerId: string, dimension: number): void {
    if (slot >= this.recognizer.length) {
      const size = Math.max(slot + 1, Math.ceil(this.replica.size * 1.25), 1024);
      const r = new Uint16Array(size);
      r.set(this.recognizer);
      this.recognizer = r;
      const d = new Uint32Array(size);
      d.set(this.dims);
      this.dims = d;
    }
    let i = this.recognizers.indexOf(recognizerId);
    if (i < 0) {
      if (this.recognizers.length === 0xfffe) throw new Error('the view: more than 65,534 recognizers');
      i = this.recognizers.push(recognizerId) - 1;
    }
    this.recognizer[slot] = i + 1;
    this.dims[slot] = dimension;
  }

  recognizerOf(slot: number): string {
    return this.recognizers[(this.recognizer[slot] ?? 0) - 1] ?? '';
  }

  dimensionOf(slot: number): number {
    return this.dims[slot] ?? 0;
  }
}

/**
 * A template as the view hands it out: where it is in the replica, not its values or bytes (the
 * row's bytes stay in the replica's files; 100,000 people × 5 float32 templates of 512 held here
 * were 1 GB, their sealed bytes 1 GB more). Made when asked, from its slot.
 */
export class FleetTemplate {
  constructor(
    private readonly slots: TemplateSlots,
    readonly slot: number,
  ) {}

  get id(): string {
    return this.slots.replica.idAt(this.slot);
  }

  get recognizerId(): string {
    return this.slots.recognizerOf(this.slot);
  }

  get dimension(): number {
    return this.slots.dimensionOf(this.slot);
  }

  /** Read from its row when asked (the admin's list of people shows it; nothing else does). */
  get createdAt(): string {
    const { replica, key } = this.slots;
    const sealed = replica.sealedAt(this.slot, true);
    if (!sealed)
      throw new FleetError('database_error', `template ${this.id} was deleted since this view was built`);
    return openTemplateHead(key, this.id, sealed).createdAt;
  }
}

export interface FleetPerson extends PersonDoc {
  readonly id: string;
  readonly version: number;
  /** Sorted by id; new objects on each read (made from templateSlots). */
  readonly templates: readonly FleetTemplate[];
  /** The templates' replica slots, sorted by template id. */
  readonly templateSlots: readonly number[];
}

class Person implements FleetPerson {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly createdAt: string,
    readonly disabled: boolean,
    readonly groups: string[],
    readonly version: number,
    readonly templateSlots: readonly number[],
    private readonly slots: TemplateSlots,
  ) {}

  get templates(): FleetTemplate[] {
    return this.templateSlots.map((s) => new FleetTemplate(this.slots, s));
  }

  withTemplates(templateSlots: readonly number[]): Person {
    const { id, name, createdAt, disabled, groups, version, slots } = this;
    return new Person(id, name, createdAt, disabled, groups, version, templateSlots, slots);
  }
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

/**
 * One frozen array per distinct list of groups: most people share one (the default group), and
 * 100,000 arrays of one id were ~5 MB. Frozen: a caller that changes a person's groups makes a
 * new list (writer.ts opens its own copy of the row).
 */
const groupLists = new Map<string, string[]>();
const internGroups = (groups: readonly string[]): string[] => {
  const key = groups.join(',');
  let list = groupLists.get(key);
  if (!list) {
    list = Object.freeze(groups.map(intern)) as string[];
    groupLists.set(key, list);
  }
  return list;
};

/** Only an expected failure to open a row is left out; a bug still throws. */
function isRowFailure(error: unknown): error is FleetError {
  return error instanceof FleetError && (error.code === 'wrong_key' || error.code === 'database_error');
}

export class FleetView {
  readonly people: Map<string, Person>;
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
  private readonly decode: (templates: readonly number[]) => Float32Array[];
  /** Template slots by person id, sorted by id once the constructor ends (a template may arrive before its person). */
  private readonly templatesOf: Map<string, number[]>;
  private readonly slots: TemplateSlots;
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
    // A view from another Replica object (the same files reopened) has other slot numbers: not shared.
    const same = previous?.replica === replica ? previous : undefined;
    this.slots = same?.slots ?? new TemplateSlots(replica, key);
    this.decode = same && !report ? same.decode : decoder(this.slots, this.sink);
    const changes = same ? replica.changesSince(same.version) : null;
    const touched = new Set<string>();
    const own = new Set<string>();
    if (same && changes) {
      this.people = new Map(same.people);
      this.groups = new Map(same.groups);
      this.admins = new Map(same.admins);
      this.templatesOf = new Map(same.templatesOf);
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
        list = list.sort((a, b) => replica.compareIds(a, b)).slice();
        this.templatesOf.set(id, list);
      }
      const p = this.people.get(id);
      if (p) this.people.set(id, p.withTemplates(list ?? []));
    }
    // Then the galleries asked for so far: only the touched people's entries change.
    for (const [recognizer, old] of same && changes ? same.galleryMaps : []) {
      const map = new Map(old);
      for (const id of touched) this.setGalleryEntry(map, recognizer, id);
      this.galleryMaps.set(recognizer, map);
    }
  }

  /** The person's template list, copied on first write in this view (the previous view keeps its own). */
  private templatesFor(personId: string, own: Set<string>): number[] {
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
        const sealed = this.replica.sealedAt(slot, true);
        if (sealed) this.admins.set(id, { ...openDoc(this.key, 'admin', id, sealed), id });
        else this.admins.delete(id);
        return;
      }
      case 'group': {
        const sealed = this.replica.sealedAt(slot, true);
        if (sealed) this.groups.set(id, { ...openDoc(this.key, 'group', id, sealed), id });
        else this.groups.delete(id);
        return;
      }
      case 'person': {
        touched.add(id);
        const sealed = this.replica.sealedAt(slot, true);
        if (sealed) {
          const doc = openDoc(this.key, 'person', id, sealed);
          const version = this.replica.versionAt(slot);
          const groups = internGroups(doc.groups);
          this.people.set(
            id,
            new Person(id, doc.name, doc.createdAt, doc.disabled, groups, version, [], this.slots),
          );
        } else this.people.delete(id);
        return;
      }
      case 'template': {
        // Where the template sat before: its row's parent (tobira_put_signed keeps it on tombstones too).
        const before =
          this.replica.parentAt(slot) ?? [...this.templatesOf].find(([, list]) => list.includes(slot))?.[0];
        if (before && this.templatesOf.get(before)?.includes(slot)) {
          const list = this.templatesFor(before, own);
          list.splice(list.indexOf(slot), 1);
          touched.add(before);
        }
        const sealed = this.replica.sealedAt(slot, true);
        if (!sealed) return;
        const head = openTemplateHead(this.key, id, sealed);
        // The person's own id string when held (entities.ts builds a new one per template).
        const personId = this.people.get(head.personId)?.id ?? head.personId;
        this.slots.set(slot, head.recognizerId, head.dimension);
        this.templatesFor(personId, own).push(slot);
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
    const mine = (s: number) => this.slots.recognizerOf(s) === recognizerId;
    const templates = p?.templateSlots.every(mine) ? p.templateSlots : (p?.templateSlots.filter(mine) ?? []);
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
    return openEmbedding(this.slots, template.slot);
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
  slots: TemplateSlots,
  sink: ((u: Unreadable) => void) | undefined,
): (templates: readonly number[]) => Float32Array[] {
  return (templates) => {
    const out: Float32Array[] = [];
    for (const slot of templates) {
      try {
        out.push(openEmbedding(slots, slot));
      } catch (error) {
        if (!isRowFailure(error)) throw error;
        // A template deleted since this view was built is not an integrity failure: not reported.
        if (!slots.replica.isTombstone(slot))
          sink?.({ kind: 'template', id: slots.replica.idAt(slot), reason: error.message });
      }
    }
    return out;
  };
}

/** A template's values, read from its replica slot and opened. */
function openEmbedding(slots: TemplateSlots, slot: number): Float32Array {
  const id = slots.replica.idAt(slot);
  const sealed = slots.replica.sealedAt(slot, true);
  if (!sealed) throw new FleetError('database_error', `template ${id} was deleted since this view was built`);
  return openDoc(slots.key, 'template', id, sealed).embedding;
}
