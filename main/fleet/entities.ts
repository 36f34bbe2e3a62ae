// What the fleet database holds, sealed under the fleet data key: people, their templates and
// access groups. Each row's AAD names its kind and id, so a row cannot be moved onto another.
import { z } from 'zod';
import { seal, unseal } from '../store/crypto.js';
import { describeIssues } from '../store/schema.js';
import { FleetError } from './errors.js';

export type EntityKind = 'person' | 'template' | 'group';

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

export const templateDocSchema = z.object({
  personId: z.string(),
  recognizerId: z.string().min(1),
  createdAt: z.string(),
  /** Little-endian float32, L2-normalised (as in the local store). */
  embedding: z.base64(),
});
export type TemplateDoc = z.infer<typeof templateDocSchema>;

const schemas = { person: personDocSchema, template: templateDocSchema, group: groupSchema } as const;
export type DocOf<K extends EntityKind> = z.infer<(typeof schemas)[K]>;

const aad = (kind: EntityKind, id: string) => `tobira-fleet/v1/${kind}/${id}`;

export function sealDoc<K extends EntityKind>(key: Buffer, kind: K, id: string, doc: DocOf<K>): Buffer {
  return seal(key, Buffer.from(JSON.stringify(schemas[kind].parse(doc)), 'utf8'), aad(kind, id));
}

export function openDoc<K extends EntityKind>(
  key: Buffer,
  kind: K,
  id: string,
  sealed: Uint8Array,
): DocOf<K> {
  const plain = unseal(key, sealed, aad(kind, id));
  if (!plain)
    throw new FleetError('wrong_key', `${kind} ${id} does not open with this fleet's key (altered row?)`);
  const parsed = schemas[kind].safeParse(JSON.parse(plain.toString('utf8')));
  if (!parsed.success)
    throw new FleetError('database_error', `${kind} ${id}: ${describeIssues(parsed.error)}`);
  return parsed.data as DocOf<K>;
}

/** Proof that a key is the fleet's: the constant below, sealed. */
export const KEY_CHECK_AAD = 'tobira-fleet/v1/key-check';
export const KEY_CHECK_TEXT = Buffer.from('tobira fleet data key', 'utf8');

export function keyMatches(key: Buffer, check: Uint8Array): boolean {
  const plain = unseal(key, check, KEY_CHECK_AAD);
  return plain !== null && plain.equals(KEY_CHECK_TEXT);
}
