// The decoded state of a replica: people, templates and groups opened with the fleet key, the
// matcher's gallery, and the access decision. Built once from the whole replica, then moved
// forward by the rows each batch changed (Replica.changesSince): a change to one person costs
// that person's rows, not a pass over the 60,000 rows of a building-sized fleet.
import { lazyGalleryEntry, type GalleryEntry } from '../store/enrollment-store.js';
import {
  openDoc,
  openTemplateHead,
  type AdminDoc,
  type GroupDoc,
  type PersonDoc,
  type TemplateHead,
} from './entities.js';
import type { EntityRow, Replica } from './replica.js';
import { groupGrants } from './schedule.js';

/**
 * A template as the view holds it: what it is, not its values. The embedding stays in the
 * replica's sealed row (`sealed`, a reference, not a copy) and is opened when read
 * (FleetView.embedding); the door's one decoded copy is the matcher's packed matrix. 100,000
 * people × 5 float32 templates of 512 held here were 1 GB.
 */
export type FleetTemplate = TemplateHead & { id: string; sealed: Uint8Array };

export interface FleetPerson extends PersonDoc {
  id: string;
  version: number;
  /** Sorted by id. */
  templates: FleetTemplate[];
}

export type AccessResult =
  | { ok: true; group: string }
  | { ok: false; reason: 'not_permitted_now' | 'person_disabled' | 'unknown_person' };

export class FleetView {
  readonly people: Map<string, FleetPerson>;
  readonly groups: Map<string, GroupDoc & { id: string }>;
  /** The admin keys the door trusts besides the one bound at its join (verify.ts). */
  readonly admins: Map<string, AdminDoc & { id: string }>;
  readonly version: number;
  /** Templates by person id (a template may arrive before its person, or outlive it as an orphan). */
  private readonly templatesOf: Map<string, Map<string, FleetTemplate>>;
  /** Gallery entries by recognizer and person, for the recognizers asked for so far. */
  private readonly galleryMaps: Map<string, Map<string, GalleryEntry>>;
  private readonly galleryLists = new Map<string, GalleryEntry[]>();

  /**
   * `previous`: the view before the last batches; when the replica still knows what changed since
   * it, only those rows are opened, and everything else is shared with it (never modified).
   */
  constructor(
    replica: Replica,
    private readonly key: Buffer,
    previous?: FleetView,
  ) {
    this.version = replica.version;
    const changes = previous ? replica.changesSince(previous.version) : null;
    const touched = new Set<string>();
    const ownMaps = new Set<string>();
    if (previous && changes) {
      this.people = new Map(previous.people);
      this.groups = new Map(previous.groups);
      this.admins = new Map(previous.admins);
      this.templatesOf = new Map(previous.templatesOf);
      this.galleryMaps = new Map();
      for (const row of changes) this.applyRow(row, touched, ownMaps);
    } else {
      this.people = new Map();
      this.groups = new Map();
      this.admins = new Map();
      this.templatesOf = new Map();
      this.galleryMaps = new Map();
      for (const row of replica.rows()) this.applyRow(row, touched, ownMaps);
    }
    // People whose row or templates changed get a new object with their templates in id order.
    for (const id of touched) {
      const p = this.people.get(id);
      if (!p) continue;
      const templates = [...(this.templatesOf.get(id)?.values() ?? [])];
      templates.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.people.set(id, { ...p, templates });
    }
    // Then the galleries asked for so far: only the touched people's entries change.
    for (const [recognizer, old] of previous && changes ? previous.galleryMaps : []) {
      const map = new Map(old);
      for (const id of touched) this.setGalleryEntry(map, recognizer, id);
      this.galleryMaps.set(recognizer, map);
    }
  }

  private templatesFor(personId: string, ownMaps: Set<string>): Map<string, FleetTemplate> {
    let map = this.templatesOf.get(personId);
    if (!map || !ownMaps.has(personId)) {
      map = new Map(map ?? []); // copy on first write: the previous view keeps its own
      this.templatesOf.set(personId, map);
      ownMaps.add(personId);
    }
    return map;
  }

  private applyRow(row: EntityRow, touched: Set<string>, ownMaps: Set<string>): void {
    switch (row.kind) {
      case 'admin':
        if (row.sealed)
          this.admins.set(row.id, { ...openDoc(this.key, 'admin', row.id, row.sealed), id: row.id });
        else this.admins.delete(row.id);
        return;
      case 'group':
        if (row.sealed)
          this.groups.set(row.id, { ...openDoc(this.key, 'group', row.id, row.sealed), id: row.id });
        else this.groups.delete(row.id);
        return;
      case 'person':
        touched.add(row.id);
        if (row.sealed) {
          const doc = openDoc(this.key, 'person', row.id, row.sealed);
          this.people.set(row.id, { ...doc, id: row.id, version: row.version, templates: [] });
        } else this.people.delete(row.id);
        return;
      case 'template': {
        // Where the template sat before: its row's parent (tobira_put_signed keeps it on tombstones too).
        const before = row.parent ?? [...this.templatesOf].find(([, m]) => m.has(row.id))?.[0];
        if (before && this.templatesOf.get(before)?.has(row.id)) {
          this.templatesFor(before, ownMaps).delete(row.id);
          touched.add(before);
        }
        if (!row.sealed) return;
        const head = openTemplateHead(this.key, row.id, row.sealed);
        this.templatesFor(head.personId, ownMaps).set(row.id, { ...head, id: row.id, sealed: row.sealed });
        touched.add(head.personId);
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
    const key = this.key;
    const templates = p ? p.templates.filter((t) => t.recognizerId === recognizerId) : [];
    if (p && templates.length > 0)
      map.set(
        personId,
        // The closure holds the key, not this view: an entry outlives its view (the next view
        // shares it), and must not keep the old view's maps alive with it.
        lazyGalleryEntry(personId, p.name, templates.length, () =>
          templates.map((t) => openEmbedding(key, t)),
        ),
      );
    else map.delete(personId);
  }

  /** A template's values, opened from its sealed row (a fresh copy each time: nothing is kept). */
  embedding(template: FleetTemplate): Float32Array {
    return openEmbedding(this.key, template);
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

/** A template's values, opened from its sealed row. */
function openEmbedding(key: Buffer, template: FleetTemplate): Float32Array {
  return openDoc(key, 'template', template.id, template.sealed).embedding;
}
