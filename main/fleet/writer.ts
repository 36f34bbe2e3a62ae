// Changes to the fleet's people, groups and admin keys, made with an admin key (admin-key.ts) on
// the fleet's writer login, from an admin's session at a door or the CLI. Every change is signed
// and goes through tobira_put_signed inside a transaction that first takes the fleet's writer
// lock, so two admins changing the same person are serialised: the second reads the first's
// result (and revision) before writing its own. Templates are rows of their own, so concurrent
// enrolments of one person never overwrite each other's templates.
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
      const out: { id: string; version: number }[] = [];
      for (const e of clean) {
        const id = randomUUID();
        const doc = {
          personId,
          recognizerId,
          createdAt: new Date().toISOString(),
          embedding: e,
        };
        out.push({ id, version: await this.put('template', id, personId, doc) });
      }
      return out;
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
      for (const t of templates.rows) await this.put('template', t.id, id, null);
      return this.put('person', id, null, null);
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
