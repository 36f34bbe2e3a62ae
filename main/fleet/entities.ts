// What the fleet database holds, sealed under the fleet data key: people, their templates and
// access groups. Each row's AAD names its kind and id, so a row cannot be moved onto another.
import { z } from 'zod';
import { seal, unseal } from '../store/crypto.js';
import { decodeEmbedding, describeIssues } from '../store/schema.js';
import { FleetError } from './errors.js';

/** 'admin': an admin's public key that doors trust (admin-key.ts), signed like every other change. */
export type EntityKind = 'person' | 'template' | 'group' | 'admin';

/** The group every new person joins unless told otherwise; `fleet init` creates it (all doors, always). */
export const DEFAULT_GROUP_ID = '00000000-0000-4000-8000-000000000001';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00 to 24:00)');

export const windowSchema = z
  .object({
    /** 0 = Sunday … 6 = Saturday (JavaScript's getDay). */
    days: z.array(z.number().int().min(0).max(6)).min(1),
    start: hhmm,
    end: hhmm,
  })
  .refine((w) => w.start < w.end, 'a window must end after it starts (split windows that cross midnight)');

export const groupSchema = z.object({
  name: z.string().min(1).max(100),
  /** Door names, or ['*'] for every door. */
  doors: z.array(z.string().min(1)).min(1),
  /** IANA time zone the windows are read in, e.g. Asia/Tokyo. */
  timeZone: z.string().min(1),
  windows: z.array(windowSchema),
});
export type GroupDoc = z.infer<typeof groupSchema>;

export const personDocSchema = z.object({
  name: z.string().min(1).max(200),
  createdAt: z.string(),
  disabled: z.boolean(),
  groups: z.array(z.string()),
});
export type PersonDoc = z.infer<typeof personDocSchema>;

/** An admin key the doors trust: its row's id is the key's id (admin-key.ts keyIdOf). */
export const adminDocSchema = z.object({
  name: z.string().min(1).max(100),
  /** Raw Ed25519 public key, base64url. */
  publicKey: z.base64url(),
  addedAt: z.string(),
});
export type AdminDoc = z.infer<typeof adminDocSchema>;

/** A template as the writer and the view hold it. */
export interface TemplateDoc {
  personId: string;
  recognizerId: string;
  createdAt: string;
  /** L2-normalised, as in the local store. */
  embedding: Float32Array;
}

/** A template without its values: what the view keeps (the values stay sealed in the replica). */
export type TemplateHead = Omit<TemplateDoc, 'embedding'> & { dimension: number };

/**
 * Format 1 of a sealed template (written before schema version 3): JSON with the embedding as
 * base64 little-endian float32. Still opened, so rows written by older builds need no re-sealing.
 */
const templateJsonSchema = z.object({
  personId: z.string(),
  recognizerId: z.string().min(1),
  createdAt: z.string(),
  embedding: z.base64(),
});

/**
 * Format 2 (schema version 3 on): binary, a third smaller than format 1 and opened without JSON or
 * base64. A JSON document starts with '{' (0x7B), so the first byte tells the two apart.
 *   0x02 | person id 16 B | recognizer id: u8 length + UTF-8 | createdAt: u8 length + ASCII |
 *   embedding: float32 little-endian to the end
 */
const TEMPLATE_FORMAT_2 = 0x02;

const uuidBytes = (id: string): Buffer => {
  const hex = id.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new FleetError('invalid_input', `'${id}' is not a UUID`);
  return Buffer.from(hex, 'hex');
};
const uuidText = (b: Uint8Array): string => {
  const h = Buffer.from(b.buffer, b.byteOffset, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

function encodeTemplate(doc: TemplateDoc): Buffer {
  const recognizer = Buffer.from(doc.recognizerId, 'utf8');
  const created = Buffer.from(doc.createdAt, 'utf8');
  if (recognizer.length === 0 || recognizer.length > 255 || created.length > 255)
    throw new FleetError('invalid_input', 'template: recognizer id or creation time is empty or too long');
  const e = doc.embedding;
  if (e.length === 0 || !e.every((v) => Number.isFinite(v)))
    throw new FleetError('invalid_input', 'template: the embedding is empty or holds NaN/Infinity');
  const out = Buffer.alloc(1 + 16 + 1 + recognizer.length + 1 + created.length + e.length * 4);
  let at = out.writeUInt8(TEMPLATE_FORMAT_2, 0);
  at += uuidBytes(doc.personId).copy(out, at);
  at = out.writeUInt8(recognizer.length, at);
  at += recognizer.copy(out, at);
  at = out.writeUInt8(created.length, at);
  at += created.copy(out, at);
  for (let i = 0; i < e.length; i++) at = out.writeFloatLE(e[i]!, at);
  return out;
}

function decodeTemplate(plain: Buffer, where: string): TemplateDoc;
function decodeTemplate(plain: Buffer, where: string, headOnly: true): TemplateHead;
function decodeTemplate(plain: Buffer, where: string, headOnly = false): TemplateDoc | TemplateHead {
  const bad = (why: string) => new FleetError('database_error', `${where}: ${why}`);
  if (plain[0] === 0x7b) {
    const parsed = templateJsonSchema.safeParse(JSON.parse(plain.toString('utf8')));
    if (!parsed.success) throw bad(describeIssues(parsed.error));
    const { embedding: base64, ...head } = parsed.data;
    const embedding = decodeEmbedding(base64, where);
    return headOnly ? { ...head, dimension: embedding.length } : { ...head, embedding };
  }
  if (plain[0] !== TEMPLATE_FORMAT_2) throw bad(`unknown template format ${plain[0]}`);
  if (plain.length < 19) throw bad('template cut short');
  const personId = uuidText(plain.subarray(1, 17));
  let at = 17;
  const rLen = plain.readUInt8(at++);
  if (rLen === 0 || at + rLen + 1 > plain.length) throw bad('template cut short');
  const recognizerId = plain.toString('utf8', at, at + rLen);
  at += rLen;
  const cLen = plain.readUInt8(at++);
  if (at + cLen > plain.length) throw bad('template cut short');
  const createdAt = plain.toString('utf8', at, at + cLen);
  at += cLen;
  const bytes = plain.length - at;
  if (bytes === 0 || bytes % 4 !== 0)
    throw bad(`embedding byte length ${bytes} is not a positive multiple of 4`);
  if (headOnly) return { personId, recognizerId, createdAt, dimension: bytes / 4 };
  // Copy into an aligned buffer of its own (the plaintext may sit at any offset).
  const embedding = new Float32Array(bytes / 4);
  Buffer.from(embedding.buffer).set(plain.subarray(at));
  return { personId, recognizerId, createdAt, embedding };
}

const schemas = { person: personDocSchema, group: groupSchema, admin: adminDocSchema } as const;
interface Docs {
  person: PersonDoc;
  template: TemplateDoc;
  group: GroupDoc;
  admin: AdminDoc;
}
export type DocOf<K extends EntityKind> = Docs[K];

const aad = (kind: EntityKind, id: string) => `tobira-fleet/v1/${kind}/${id}`;

export function sealDoc<K extends EntityKind>(key: Buffer, kind: K, id: string, doc: DocOf<K>): Buffer {
  const plain =
    kind === 'template'
      ? encodeTemplate(doc as TemplateDoc)
      : Buffer.from(JSON.stringify(schemas[kind as 'person' | 'group' | 'admin'].parse(doc)), 'utf8');
  return seal(key, plain, aad(kind, id));
}

function openRow(key: Buffer, kind: EntityKind, id: string, sealed: Uint8Array): Buffer {
  const plain = unseal(key, sealed, aad(kind, id));
  if (!plain)
    throw new FleetError('wrong_key', `${kind} ${id} does not open with this fleet's key (altered row?)`);
  return plain;
}

export function openDoc<K extends EntityKind>(
  key: Buffer,
  kind: K,
  id: string,
  sealed: Uint8Array,
): DocOf<K> {
  const plain = openRow(key, kind, id, sealed);
  if (kind === 'template') return decodeTemplate(plain, `${kind} ${id}`) as DocOf<K>;
  const parsed = schemas[kind as 'person' | 'group' | 'admin'].safeParse(JSON.parse(plain.toString('utf8')));
  if (!parsed.success)
    throw new FleetError('database_error', `${kind} ${id}: ${describeIssues(parsed.error)}`);
  return parsed.data as DocOf<K>;
}

/** A template's row opened for what it is (person, recognizer, length), its values not copied out. */
export function openTemplateHead(key: Buffer, id: string, sealed: Uint8Array): TemplateHead {
  return decodeTemplate(openRow(key, 'template', id, sealed), `template ${id}`, true);
}

/** Proof that a key is the fleet's: the constant below, sealed. */
export const KEY_CHECK_AAD = 'tobira-fleet/v1/key-check';
export const KEY_CHECK_TEXT = Buffer.from('tobira fleet data key', 'utf8');

export function keyMatches(key: Buffer, check: Uint8Array): boolean {
  const plain = unseal(key, check, KEY_CHECK_AAD);
  return plain !== null && plain.equals(KEY_CHECK_TEXT);
}
