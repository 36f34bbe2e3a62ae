// The decoded state of a replica: people, templates and groups opened with the fleet key, the
// matcher's gallery, and the access decision. Rebuilt when the replica's version moves.
import type { GalleryEntry } from '../store/enrollment-store.js';
import { decodeEmbedding } from '../store/schema.js';
import { openDoc, type DocOf, type GroupDoc, type PersonDoc, type TemplateDoc } from './entities.js';
import type { EntityRow, Replica } from './replica.js';
import { groupGrants } from './schedule.js';

export interface FleetPerson extends PersonDoc {
  id: string;
  version: number;
  templates: (TemplateDoc & { id: string })[];
}

export type AccessResult =
  | { ok: true; group: string }
  | { ok: false; reason: 'not_permitted_now' | 'person_disabled' | 'unknown_person' };

/** Opened documents by row key, with the version they were opened at: reused by the next view. */
type DocCache = Map<string, { version: number; doc: unknown; embedding?: Float32Array }>;

export class FleetView {
  readonly people = new Map<string, FleetPerson>();
  readonly groups = new Map<string, GroupDoc & { id: string }>();
  private galleries = new Map<string, GalleryEntry[]>();
  private readonly cache: DocCache = new Map();

  /** `previous`: the view before the last batch; rows whose version did not change are not opened again. */
  constructor(
    replica: Replica,
    private readonly key: Buffer,
    previous?: FleetView,
  ) {
    this.version = replica.version;
    const old = previous?.cache;
    const opened = <K extends 'person' | 'template' | 'group'>(
      row: EntityRow & { kind: K; sealed: Buffer },
    ) => {
      const k = `${row.kind}:${row.id}`;
      const hit = old?.get(k);
      const entry =
        hit && hit.version === row.version
          ? hit
          : { version: row.version, doc: openDoc(this.key, row.kind, row.id, row.sealed) };
      this.cache.set(k, entry);
      return entry.doc as DocOf<K>;
    };
    for (const row of replica.rows('group')) {
      if (row.sealed)
        this.groups.set(row.id, { ...opened({ ...row, kind: 'group', sealed: row.sealed }), id: row.id });
    }
    for (const row of replica.rows('person')) {
      if (row.sealed) {
        const doc = opened({ ...row, kind: 'person', sealed: row.sealed });
        this.people.set(row.id, { ...doc, id: row.id, version: row.version, templates: [] });
      }
    }
    for (const row of replica.rows('template')) {
      if (!row.sealed) continue;
      const doc = opened({ ...row, kind: 'template', sealed: row.sealed });
      // A template whose person is gone (or tombstoned) is never matched.
      this.people.get(doc.personId)?.templates.push({ ...doc, id: row.id });
    }
    for (const p of this.people.values()) p.templates.sort((a, b) => a.id.localeCompare(b.id));
  }

  readonly version: number;

  private embedding(templateId: string, base64: string): Float32Array {
    const entry = this.cache.get(`template:${templateId}`);
    if (entry?.embedding) return entry.embedding;
    const e = decodeEmbedding(base64, `fleet template ${templateId}`);
    if (entry) entry.embedding = e;
    return e;
  }

  /** Enabled people with templates from `recognizerId`: what the matcher compares against. */
  gallery(recognizerId: string): GalleryEntry[] {
    let entries = this.galleries.get(recognizerId);
    if (!entries) {
      entries = [];
      for (const p of this.people.values()) {
        if (p.disabled) continue;
        const templates = p.templates
          .filter((t) => t.recognizerId === recognizerId)
          .map((t) => this.embedding(t.id, t.embedding));
        if (templates.length > 0) entries.push({ personId: p.id, name: p.name, templates });
      }
      this.galleries.set(recognizerId, entries);
    }
    return entries;
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
