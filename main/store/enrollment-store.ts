// The enrollment store: people and their face templates, sealed with AES-256-GCM
// under a random data key that a KeyWrapper protects. One JSON file, replaced
// atomically on every change.
import { hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PERSON_PIN_COST, hashPin, validatePin, verifyPinHash } from '../admin/pin-hash.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { KEY_BYTES, seal, unseal } from './crypto.js';
import { StoreError } from './errors.js';
import type { KeyWrapper } from './key-wrapper.js';
import {
  STORE_FILE,
  STORE_FORMAT,
  STORE_VERSION,
  decodeEmbedding,
  describeIssues,
  encodeEmbedding,
  envelopeSchema,
  payloadSchema,
} from './schema.js';
import type { Payload, PersonRecord } from './schema.js';
import { parseJson } from './parse-json.js';
import { exportPayload, importPayload } from './backup.js';
import { removeStaleTempFiles } from './stale-temp.js';
import { normaliseEmbedding, validateName } from './validate.js';

const PAYLOAD_AAD = `${STORE_FORMAT}/v${STORE_VERSION}/payload`;
const ATTACHMENT_AAD = `${STORE_FORMAT}/v${STORE_VERSION}/attachment`;

export interface StoreOptions {
  /** Create an empty store when none exists (default true). */
  create?: boolean;
  /** The admin accepted that the OS keeps the key in plain text (Linux basic_text). */
  allowInsecureKeyStorage?: boolean;
  /** The admin opted in to keeping raw enrollment photos (encrypted like everything else). */
  keepPhotos?: boolean;
}

export interface TemplateSummary {
  id: string;
  recognizerId: string;
  createdAt: string;
  dimension: number;
  hasThumbnail: boolean;
  hasPhoto: boolean;
}

export interface PersonSummary {
  id: string;
  name: string;
  createdAt: string;
  hasPin: boolean;
  templates: TemplateSummary[];
  /** Has templates, but none from the active recognizer: matching cannot use them. */
  needsReenrollment: boolean;
}

/**
 * One person's templates for one recognizer: what the matcher compares against. A door's entries
 * decode `templates` on each read (lazyGalleryEntry): the packed matrix (packed-gallery.ts) is the
 * one copy held for matching, so read it once into a local where it is used more than once.
 */
export interface GalleryEntry {
  readonly personId: string;
  readonly name: string;
  readonly templates: Float32Array[];
  /** How many templates, without decoding them (lazy entries); else templates.length. */
  readonly count?: number;
}

/**
 * An entry whose templates are decoded when read and not kept: 100,000 people × 5 float32
 * templates of 512 would be 1 GB beside the matcher's int8 matrix (256 MB). Read by the packer
 * once per changed person, and by the rare paths that need floats (1:1, duplicate check,
 * stranger rate, export).
 */
export function lazyGalleryEntry(
  personId: string,
  name: string,
  count: number,
  decode: () => Float32Array[],
): GalleryEntry {
  return new LazyGalleryEntry(personId, name, count, decode, undefined);
}

/**
 * lazyGalleryEntry without a closure per entry: `decode` is shared (one per view) and `arg` is
 * what it decodes for this person. A campus fleet's 100,000 entries each held a closure and its
 * context before (~0.9 KB an entry with the rest, measured at 20,000 people).
 */
export function lazyGalleryEntryOf<A>(
  personId: string,
  name: string,
  count: number,
  decode: (arg: A) => Float32Array[],
  arg: A,
): GalleryEntry {
  return new LazyGalleryEntry(personId, name, count, decode, arg);
}

class LazyGalleryEntry<A> implements GalleryEntry {
  constructor(
    readonly personId: string,
    readonly name: string,
    readonly count: number,
    private readonly decode: (arg: A) => Float32Array[],
    private readonly arg: A,
  ) {}

  get templates(): Float32Array[] {
    return this.decode(this.arg);
  }
}

export interface NewTemplate {
  recognizerId: string;
  /** Normalised here; must be finite and non-zero. */
  embedding: Float32Array;
  /** Small JPEG/WebP for the admin list. */
  thumbnail?: Uint8Array;
  /** Dropped unless the store was opened with keepPhotos. */
  photo?: Uint8Array;
}

export class EnrollmentStore {
  private busy: Promise<unknown> = Promise.resolve();
  private galleries = new Map<string, GalleryEntry[]>();

  private constructor(
    readonly dir: string,
    private readonly wrapper: KeyWrapper,
    private readonly dataKey: Buffer,
    private payload: Payload,
    private readonly options: StoreOptions,
  ) {}

  get file(): string {
    return path.join(this.dir, STORE_FILE);
  }

  static async open(dir: string, wrapper: KeyWrapper, options: StoreOptions = {}): Promise<EnrollmentStore> {
    const file = path.join(dir, STORE_FILE);
    await removeStaleTempFiles(dir, STORE_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || options.create === false) throw error;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const store = new EnrollmentStore(dir, wrapper, randomBytes(KEY_BYTES), { people: [] }, options);
      await store.persist(store.payload);
      return store;
    }
    const json = parseJson(text, file);
    const version = (json as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && version !== STORE_VERSION) {
      throw new StoreError(
        'unsupported_version',
        `${file}: store version ${version} is not supported (this build reads version ${STORE_VERSION})`,
      );
    }
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) {
      throw new StoreError('corrupt', `${file}: not an enrollment store (${describeIssues(envelope.error)})`);
    }
    if (envelope.data.keyWrapper !== wrapper.kind) {
      throw new StoreError(
        'wrong_key_wrapper',
        `${file}: sealed with key wrapper '${envelope.data.keyWrapper}', not '${wrapper.kind}'`,
      );
    }
    let dataKey: Buffer;
    try {
      dataKey = await wrapper.unwrap(Buffer.from(envelope.data.wrappedKey, 'base64'));
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError('wrong_key', `${file}: the data key could not be unwrapped`, { cause: error });
    }
    if (dataKey.length !== KEY_BYTES) {
      throw new StoreError(
        'wrong_key',
        `${file}: the unwrapped data key has ${dataKey.length} bytes, not ${KEY_BYTES}`,
      );
    }
    const plain = unseal(dataKey, Buffer.from(envelope.data.payload, 'base64'), PAYLOAD_AAD);
    if (!plain) throw new StoreError('corrupt', `${file}: payload failed authentication (file was altered)`);
    const payload = payloadSchema.safeParse(parseJson(plain.toString('utf8'), `${file} payload`));
    if (!payload.success) {
      throw new StoreError('corrupt', `${file}: payload is invalid (${describeIssues(payload.error)})`);
    }
    return new EnrollmentStore(dir, wrapper, dataKey, payload.data, options);
  }

  /** Templates cannot be stored under an insecure key wrapper until the admin opts in. */
  get templatesAllowed(): boolean {
    return !this.wrapper.insecure || this.options.allowInsecureKeyStorage === true;
  }

  setAllowInsecureKeyStorage(allow: boolean): void {
    this.options.allowInsecureKeyStorage = allow;
  }

  listPeople(activeRecognizerId?: string): PersonSummary[] {
    return this.payload.people.map((person) => summarise(person, activeRecognizerId));
  }

  getPerson(personId: string, activeRecognizerId?: string): PersonSummary {
    return summarise(this.find(this.payload, personId), activeRecognizerId);
  }

  findByName(name: string): PersonSummary[] {
    return this.listPeople().filter((person) => person.name === name);
  }

  /** The first stored thumbnail of a person, decrypted; null when none. */
  thumbnail(personId: string): Buffer | null {
    const template = this.find(this.payload, personId).templates.find((t) => t.thumbnail);
    return template?.thumbnail ? Buffer.from(template.thumbnail, 'base64') : null;
  }

  /** A template's kept raw photo (only with keepPhotos), decrypted; null when none. */
  photo(personId: string, templateId: string): Buffer | null {
    const template = this.find(this.payload, personId).templates.find((t) => t.id === templateId);
    return template?.photo ? Buffer.from(template.photo, 'base64') : null;
  }

  /**
   * Everyone with at least one template from `recognizerId`; other recognizers' templates never
   * appear. The same list (and entries) until the next change; each entry decodes its templates
   * from the payload when read (lazyGalleryEntry), so no float32 copy is kept here.
   */
  gallery(recognizerId: string): GalleryEntry[] {
    let entries = this.galleries.get(recognizerId);
    if (!entries) {
      entries = [];
      for (const person of this.payload.people) {
        const records = person.templates.filter((t) => t.recognizerId === recognizerId);
        if (records.length === 0) continue;
        entries.push(
          lazyGalleryEntry(person.id, person.name, records.length, () =>
            records.map((t) => decodeEmbedding(t.embedding, `person ${person.id} template ${t.id}`)),
          ),
        );
      }
      this.galleries.set(recognizerId, entries);
    }
    return entries;
  }

  async addPerson(name: string, options: { pin?: string } = {}): Promise<PersonSummary> {
    const clean = validateName(name);
    return this.mutate(async (draft) => {
      const person: PersonRecord = {
        id: randomUUID(),
        name: clean,
        createdAt: new Date().toISOString(),
        templates: [],
      };
      if (options.pin !== undefined) person.pin = await this.hashUniquePin(draft, options.pin, person.id);
      draft.people.push(person);
      return summarise(person);
    });
  }

  async renamePerson(personId: string, name: string): Promise<PersonSummary> {
    const clean = validateName(name);
    return this.mutate(async (draft) => {
      const person = this.find(draft, personId);
      person.name = clean;
      return summarise(person);
    });
  }

  removePerson(personId: string): Promise<void> {
    return this.mutate(async (draft) => {
      this.find(draft, personId);
      draft.people = draft.people.filter((p) => p.id !== personId);
    });
  }

  /** Sets (or with null clears) the PIN a person types to claim their identity for 1:1 verification. */
  setPersonPin(personId: string, pin: string | null): Promise<void> {
    return this.mutate(async (draft) => {
      const person = this.find(draft, personId);
      if (pin === null) delete person.pin;
      else person.pin = await this.hashUniquePin(draft, pin, personId);
    });
  }

  /**
   * The person whose PIN this is, for a 1:1 claim; null when none. PINs are unique across people.
   * Every hash is checked, without stopping at a match, so the time taken does not say whether
   * (or how early) a code matched.
   */
  async findPersonByPin(pin: string): Promise<PersonSummary | null> {
    if (validatePin(pin)) return null;
    let found: PersonRecord | null = null;
    for (const person of this.payload.people) {
      if (person.pin && (await verifyPinHash(pin, person.pin)) && !found) found = person;
    }
    return found ? summarise(found) : null;
  }

  async addTemplate(personId: string, template: NewTemplate): Promise<TemplateSummary> {
    if (!this.templatesAllowed) throw insecureError(this.wrapper);
    const embedding = normaliseEmbedding(template.embedding);
    if (!template.recognizerId) throw new StoreError('invalid_input', 'template: recognizerId is empty');
    return this.mutate(async (draft) => {
      const person = this.find(draft, personId);
      const sameRecognizer = person.templates.find((t) => t.recognizerId === template.recognizerId);
      if (sameRecognizer) {
        const dim = decodeEmbedding(sameRecognizer.embedding, 'template').length;
        if (dim !== embedding.length) {
          throw new StoreError(
            'invalid_input',
            `template: embedding has ${embedding.length} values, but ${template.recognizerId} made ${dim}`,
          );
        }
      }
      const record = {
        id: randomUUID(),
        recognizerId: template.recognizerId,
        createdAt: new Date().toISOString(),
        embedding: encodeEmbedding(embedding),
        ...(template.thumbnail ? { thumbnail: Buffer.from(template.thumbnail).toString('base64') } : {}),
        ...(template.photo && this.options.keepPhotos
          ? { photo: Buffer.from(template.photo).toString('base64') }
          : {}),
      };
      person.templates.push(record);
      return summariseTemplate(record);
    });
  }

  removeTemplate(personId: string, templateId: string): Promise<void> {
    return this.mutate(async (draft) => {
      const person = this.find(draft, personId);
      const before = person.templates.length;
      person.templates = person.templates.filter((t) => t.id !== templateId);
      if (person.templates.length === before) {
        throw new StoreError('not_found', `person ${personId} has no template ${templateId}`);
      }
    });
  }

  /** Seals bytes kept outside the store (e.g. opt-in audit snapshots) under the store's data key. */
  sealAttachment(bytes: Uint8Array): Buffer {
    return seal(this.dataKey, bytes, ATTACHMENT_AAD);
  }

  openAttachment(blob: Uint8Array): Buffer {
    const plain = unseal(this.dataKey, blob, ATTACHMENT_AAD);
    if (!plain)
      throw new StoreError('corrupt', 'attachment failed authentication (altered, or another store)');
    return plain;
  }

  /**
   * Seals other files' secrets (door secrets) under the data key; `purpose` goes into
   * the AAD, so a blob made for one purpose never opens as another.
   */
  sealFor(purpose: string, bytes: Uint8Array): Buffer {
    return seal(this.dataKey, bytes, `${STORE_FORMAT}/sealed/${purpose}`);
  }

  /** Inverse of sealFor; null when the blob does not open. */
  unsealFor(purpose: string, blob: Uint8Array): Buffer | null {
    return unseal(this.dataKey, blob, `${STORE_FORMAT}/sealed/${purpose}`);
  }

  /**
   * A key for one purpose (e.g. the audit chain's HMAC), derived from the data key
   * with HKDF-SHA256 (RFC 5869), so the data key itself is used only for sealing.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(
      hkdfSync('sha256', this.dataKey, Buffer.alloc(0), `${STORE_FORMAT}/key/${purpose}`, 32),
    );
  }

  /** The whole store, sealed under a passphrase (scrypt + AES-256-GCM), for moving to another machine. */
  exportBackup(passphrase: string): Promise<Buffer> {
    return exportPayload(this.payload, passphrase);
  }

  /** `replace` swaps in the backup's people; `merge` adds people and templates whose ids are new. */
  importBackup(
    backup: Uint8Array,
    passphrase: string,
    mode: 'replace' | 'merge' = 'merge',
  ): Promise<{ people: number; templates: number }> {
    return this.mutate(async (draft) => {
      const incoming = await importPayload(backup, passphrase);
      if (!this.templatesAllowed && incoming.people.some((p) => p.templates.length > 0)) {
        throw insecureError(this.wrapper);
      }
      if (mode === 'replace') draft.people = [];
      let people = 0;
      let templates = 0;
      for (const person of incoming.people) {
        const existing = draft.people.find((p) => p.id === person.id);
        if (!existing) {
          draft.people.push(person);
          people++;
          templates += person.templates.length;
          continue;
        }
        for (const template of person.templates) {
          if (existing.templates.some((t) => t.id === template.id)) continue;
          existing.templates.push(template);
          templates++;
        }
      }
      return { people, templates };
    });
  }

  private find(payload: Payload, personId: string): PersonRecord {
    const person = payload.people.find((p) => p.id === personId);
    if (!person) throw new StoreError('not_found', `no person with id ${personId}`);
    return person;
  }

  private async hashUniquePin(draft: Payload, pin: string, ownerId: string) {
    const problem = validatePin(pin);
    if (problem) throw new StoreError('invalid_input', `person PIN: ${problem}`);
    for (const other of draft.people) {
      if (other.id !== ownerId && other.pin && (await verifyPinHash(pin, other.pin))) {
        throw new StoreError('invalid_input', 'person PIN: another person already uses this PIN');
      }
    }
    return hashPin(pin, PERSON_PIN_COST);
  }

  /** Changes apply to a copy; memory is updated only after the file is safely replaced. */
  private mutate<T>(change: (draft: Payload) => Promise<T>): Promise<T> {
    const task = async () => {
      const draft = structuredClone(this.payload);
      const result = await change(draft);
      await this.persist(draft);
      this.payload = draft;
      this.galleries.clear();
      return result;
    };
    const run = this.busy.then(task, task);
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async persist(payload: Payload): Promise<void> {
    const sealed = seal(this.dataKey, Buffer.from(JSON.stringify(payload), 'utf8'), PAYLOAD_AAD);
    const envelope = {
      format: STORE_FORMAT,
      version: STORE_VERSION,
      keyWrapper: this.wrapper.kind,
      wrappedKey: (await this.wrapper.wrap(this.dataKey)).toString('base64'),
      payload: sealed.toString('base64'),
      savedAt: new Date().toISOString(),
    };
    await writeFileAtomic(this.file, JSON.stringify(envelope) + '\n');
  }
}

function summariseTemplate(t: PersonRecord['templates'][number]): TemplateSummary {
  return {
    id: t.id,
    recognizerId: t.recognizerId,
    createdAt: t.createdAt,
    dimension: (Buffer.byteLength(t.embedding, 'base64') / 4) | 0,
    hasThumbnail: t.thumbnail !== undefined,
    hasPhoto: t.photo !== undefined,
  };
}

function summarise(person: PersonRecord, activeRecognizerId?: string): PersonSummary {
  return {
    id: person.id,
    name: person.name,
    createdAt: person.createdAt,
    hasPin: person.pin !== undefined,
    templates: person.templates.map(summariseTemplate),
    needsReenrollment:
      activeRecognizerId !== undefined &&
      person.templates.length > 0 &&
      !person.templates.some((t) => t.recognizerId === activeRecognizerId),
  };
}

function insecureError(wrapper: KeyWrapper): StoreError {
  return new StoreError(
    'insecure_key_storage',
    `the OS keeps the store key in plain text (key wrapper '${wrapper.kind}'); ` +
      'face templates are not stored until the admin explicitly allows it',
  );
}
