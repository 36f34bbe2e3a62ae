// Changes to the fleet's people, groups and admin keys, made with an admin key (admin-key.ts) on
// the fleet's writer login, from an admin's session at a door or the CLI. Every change is signed
// and goes through tobira_put_signed inside a transaction that first takes the fleet's writer
// lock, so two admins changing the same person are serialised: the second reads the first's
// result (and revision) before writing its own. Templates are rows of their own, so concurrent
// enrolments of one person never overwrite each other's templates.
// Several changes made at once (a person's templates, a removal with its templates, an import)
// are signed as one manifest (migration 6) through tobira_put_manifest: one signature for all.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { normaliseEmbedding, validateName } from '../store/validate.js';
import type { AdminKey } from './admin-key.js';
import { inTransaction } from './db.js';
import {
  DEFAULT_GROUP_ID,
  groupSchema,
  openDoc,
  sealDoc,
  type DocOf,
  type EntityKind,
  type GroupDoc,
  type PersonDoc,
} from './entities.js';
import { FleetError, parseDatabaseUrl } from './errors.js';
import { schemaVersion } from './migrate.js';
import { isValidTimeZone } from './schedule.js';

/** The fleet's writers' lock (migration 4): only the writer login may take it. */
const WRITER_LOCK = 'LOCK TABLE writer_lock IN EXCLUSIVE MODE';

/** `url` (a door's, or the admin's) with the fleet's writer login from the admin key instead of its own. */
export function writerUrl(url: string, admin: AdminKey): string {
  const u = parseDatabaseUrl(url);
  u.username = encodeURIComponent(admin.writer.user);
  u.password = encodeURIComponent(admin.writer.password);
  return u.toString();
}

/**
 * One signed change: the entity's next revision, signed with `admin`, through tobira_put_signed.
 * Callers hold the writers' lock when they read before writing (FleetWriter does).
 */
export async function putSigned(
  client: pg.ClientBase,
  admin: AdminKey,
  change: { kind: EntityKind; id: string; parent: string | null; sealed: Buffer | null },
): Promise<number> {
  const { kind, id, parent, sealed } = change;
  const held = await client.query<{ revision: string }>(
    'SELECT revision FROM entities WHERE kind = $1 AND id = $2',
    [kind, id],
  );
  const revision = Number(held.rows[0]?.revision ?? 0) + 1;
  const { signer, signature } = admin.sign({ kind, id, parent, revision, sealed });
  const r = await client.query<{ v: string }>(
    'SELECT tobira_put_signed($1, $2, $3, $4, $5, $6, $7, $8) AS v',
    [kind, id, parent, sealed, revision, signer, signature, admin.name],
  );
  return Number(r.rows[0]!.v);
}

/** One change of a signed batch: what putSigned takes. */
export interface Change {
  kind: EntityKind;
  id: string;
  parent: string | null;
  sealed: Buffer | null;
}

/**
 * Rows per manifest: 10,000 digests are 320 KB, and a door reads a manifest whole with the batch
 * that names it (sync.ts's pages are 10,000 rows too).
 */
export const MANIFEST_ROWS = 10_000;
/** The schema that has manifests (migration 6). */
const MANIFESTS_SCHEMA = 6;

/**
 * Many signed changes with one signature per MANIFEST_ROWS: each entity's next revision, listed in
 * a manifest `admin` signs, written by tobira_put_manifest. Returns the versions, in order. An
 * entity may appear once per call. Callers hold the writers' lock when they read before writing.
 */
export async function putManifest(
  client: pg.ClientBase,
  admin: AdminKey,
  changes: readonly Change[],
): Promise<number[]> {
  const versions: number[] = [];
  // A database not yet migrated to schema 6 (`fleet init` migrates it) has no manifests: one
  // signature per row, as before.
  if ((await schemaVersion(client)) < MANIFESTS_SCHEMA) {
    for (const c of changes) versions.push(await putSigned(client, admin, c));
    return versions;
  }
  for (let at = 0; at < changes.length; at += MANIFEST_ROWS) {
    const part = changes.slice(at, at + MANIFEST_ROWS);
    const held = await client.query<{ kind: EntityKind; id: string; revision: string }>(
      `SELECT e.kind, e.id, e.revision FROM entities e
       JOIN unnest($1::text[], $2::uuid[]) AS u(k, i) ON e.kind = u.k AND e.id = u.i`,
      [part.map((c) => c.kind), part.map((c) => c.id)],
    );
    const revisionOf = new Map(held.rows.map((r) => [`${r.kind}:${r.id}`, Number(r.revision)]));
    const signed = part.map((c) => ({ ...c, revision: (revisionOf.get(`${c.kind}:${c.id}`) ?? 0) + 1 }));
    const { manifest, signature } = admin.signManifest(randomUUID(), signed);
    const r = await client.query<{ v: string[] }>(
      `SELECT tobira_put_manifest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) AS v`,
      [
        manifest.id,
        manifest.signer,
        manifest.digests,
        signature,
        admin.name,
        signed.map((c) => c.kind),
        signed.map((c) => c.id),
        signed.map((c) => c.parent),
        signed.map((c) => c.sealed),
        signed.map((c) => c.revision),
      ],
    );
    for (const v of r.rows[0]!.v) versions.push(Number(v));
  }
  return versions;
}

export class FleetWriter {
  constructor(
    private readonly client: pg.ClientBase,
    private readonly key: Buffer,
    /** Signs every change; its name is recorded as changed_by. */
    private readonly admin: AdminKey,
  ) {}

  private async put<K extends EntityKind>(
    kind: K,
    id: string,
    parent: string | null,
    doc: DocOf<K> | null,
  ): Promise<number> {
    const sealed = doc === null ? null : sealDoc(this.key, kind, id, doc);
    return putSigned(this.client, this.admin, { kind, id, parent, sealed });
  }

  /** Several changes as one signed batch (putManifest). */
  private async putMany(
    changes: { kind: EntityKind; id: string; parent: string | null; doc: object | null }[],
  ) {
    const sealed = changes.map((c) => ({
      kind: c.kind,
      id: c.id,
      parent: c.parent,
      sealed: c.doc === null ? null : sealDoc(this.key, c.kind, c.id, c.doc as DocOf<EntityKind>),
    }));
    return putManifest(this.client, this.admin, sealed);
  }

  private async read<K extends EntityKind>(kind: K, id: string): Promise<DocOf<K> | null> {
    const r = await this.client.query<{ sealed: Buffer | null }>(
      'SELECT sealed FROM entities WHERE kind = $1 AND id = $2',
      [kind, id],
    );
    const sealed = r.rows[0]?.sealed;
    return sealed ? openDoc(this.key, kind, id, sealed) : null;
  }

  private busy: Promise<unknown> = Promise.resolve();

  /** One transaction at a time on this writer's connection, each holding the fleet's writer lock. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const task = () =>
      inTransaction(this.client, async () => {
        await this.client.query(WRITER_LOCK);
        return work();
      });
    const run = this.busy.then(task, task);
    this.busy = run.catch(() => undefined);
    return run;
  }

  async addPerson(
    name: string,
    groups: string[] = [DEFAULT_GROUP_ID],
  ): Promise<{ id: string; version: number }> {
    const id = randomUUID();
    const doc: PersonDoc = {
      name: validateName(name),
      createdAt: new Date().toISOString(),
      disabled: false,
      groups,
    };
    const version = await this.serial(() => this.put('person', id, null, doc));
    return { id, version };
  }

  /** Read-modify-write of one person under the writer lock. */
  updatePerson(id: string, change: (doc: PersonDoc) => void): Promise<number> {
    return this.serial(async () => {
      const doc = await this.read('person', id);
      if (!doc) throw new FleetError('invalid_input', `no person ${id} in the fleet`);
      change(doc);
      return this.put('person', id, null, doc);
    });
  }

  renamePerson(id: string, name: string): Promise<number> {
    const clean = validateName(name);
    return this.updatePerson(id, (d) => void (d.name = clean));
  }

  setDisabled(id: string, disabled: boolean): Promise<number> {
    return this.updatePerson(id, (d) => void (d.disabled = disabled));
  }

  setGroups(id: string, groups: string[]): Promise<number> {
    return this.updatePerson(id, (d) => void (d.groups = [...new Set(groups)]));
  }

  async addTemplate(
    personId: string,
    recognizerId: string,
    embedding: Float32Array,
  ): Promise<{ id: string; version: number }> {
    const [added] = await this.addTemplates(personId, recognizerId, [embedding]);
    return added!;
  }

  /** Several templates in one transaction: the doors receive them as one batch. */
  addTemplates(
    personId: string,
    recognizerId: string,
    embeddings: Float32Array[],
  ): Promise<{ id: string; version: number }[]> {
    const clean = embeddings.map((e) => normaliseEmbedding(e));
    return this.serial(async () => {
      const person = await this.read('person', personId);
      if (!person) throw new FleetError('invalid_input', `no person ${personId} in the fleet`);
      const createdAt = new Date().toISOString();
      const rows = clean.map((embedding) => ({
        kind: 'template' as const,
        id: randomUUID(),
        parent: personId,
        doc: { personId, recognizerId, createdAt, embedding },
      }));
      if (rows.length === 1) {
        const [{ id, parent, doc }] = rows as [(typeof rows)[0]];
        return [{ id, version: await this.put('template', id, parent, doc) }];
      }
      const versions = await this.putMany(rows);
      return rows.map((r, i) => ({ id: r.id, version: versions[i]! }));
    });
  }

  /** Tombstones the person and every template of theirs, in one transaction (one NOTIFY at commit). */
  removePerson(id: string): Promise<number> {
    return this.serial(async () => {
      const person = await this.read('person', id);
      if (!person) throw new FleetError('invalid_input', `no person ${id} in the fleet`);
      const templates = await this.client.query<{ id: string }>(
        `SELECT id FROM entities WHERE kind = 'template' AND parent = $1 AND sealed IS NOT NULL`,
        [id],
      );
      const versions = await this.putMany([
        ...templates.rows.map((t) => ({ kind: 'template' as const, id: t.id, parent: id, doc: null })),
        { kind: 'person', id, parent: null, doc: null },
      ]);
      return versions.at(-1)!;
    });
  }

  async putGroup(id: string | null, group: GroupDoc): Promise<{ id: string; version: number }> {
    const doc = groupSchema.parse(group);
    if (!isValidTimeZone(doc.timeZone))
      throw new FleetError('invalid_input', `unknown time zone '${doc.timeZone}'`);
    const gid = id ?? randomUUID();
    const version = await this.serial(() => this.put('group', gid, null, doc));
    return { id: gid, version };
  }

  removeGroup(id: string): Promise<number> {
    return this.serial(() => this.put('group', id, null, null));
  }

  /** Makes `publicKey` (raw, base64url) an admin key every door trusts from this change on. */
  async addAdmin(name: string, publicKey: string, keyId: string): Promise<number> {
    return this.serial(() =>
      this.put('admin', keyId, null, { name, publicKey, addedAt: new Date().toISOString() }),
    );
  }

  /** Stops every door trusting an admin key: changes it signs after this are refused. */
  removeAdmin(keyId: string): Promise<number> {
    return this.serial(async () => {
      const live = await this.client.query<{ id: string }>(
        `SELECT id FROM entities WHERE kind = 'admin' AND sealed IS NOT NULL`,
      );
      if (!live.rows.some((r) => r.id === keyId))
        throw new FleetError('invalid_input', `no admin key ${keyId} in the fleet`);
      if (live.rows.length === 1)
        throw new FleetError('invalid_input', 'the last admin key cannot be removed: add another first');
      return this.put('admin', keyId, null, null);
    });
  }
}
