// The model-pack catalog: a JSON file that tools and tests can write themselves, of the shape
// {"packs": [{"name", "url", "sha256"?, "size"?, "license"?, "files"?: [{"name", "sha256", "role"}]}]}.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PackError } from './errors.js';
import { messageOf } from '../util/message-of.js';

const SHA256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
/** A pack name is also its folder name: no separators, no leading dot. */
export const PACK_NAME = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
/** A file name inside a pack folder: a plain name, never a path. */
const FILE_NAME = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a plain file name (no folders)');
const HTTP_URL = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

export const ROLES = [
  'detection',
  'recognition',
  'landmark_2d_106',
  'landmark_3d_68',
  'genderage',
  'liveness',
] as const;
export type Role = (typeof ROLES)[number];

const CatalogFileSchema = z
  .object({
    name: FILE_NAME,
    /** Optional: a file without a pinned hash is covered by the zip's hash, then by the one recorded at install. */
    sha256: SHA256.optional(),
    role: z.enum(ROLES),
    size: z.number().int().positive().optional(),
    /** Add-on packs whose files are not zipped: each file is fetched from its own URL. */
    url: HTTP_URL.optional(),
    /** Decision threshold for a recognizer (cosine); set where it is known. */
    threshold: z.number().min(-1).max(1).optional(),
  })
  .strict();

const CatalogPackSchema = z
  .object({
    name: PACK_NAME,
    /** 'face': a detector (+ recognizer...) pack the engine can load; 'addon': extra models (e.g. liveness). */
    kind: z.enum(['face', 'addon']).default('face'),
    description: z.string().optional(),
    url: HTTP_URL.optional(),
    sha256: SHA256.optional(),
    size: z.number().int().positive().optional(),
    license: z.string().optional(),
    /** Packs sharing a key need that licence acknowledged once before the first download. */
    licenseAck: z.string().min(1).optional(),
    default: z.boolean().optional(),
    threshold: z.number().min(-1).max(1).optional(),
    files: z.array(CatalogFileSchema).optional(),
  })
  .strict()
  .superRefine((pack, ctx) => {
    const files = pack.files ?? [];
    if (!pack.url && (files.length === 0 || files.some((f) => !f.url))) {
      ctx.addIssue({ code: 'custom', message: 'needs "url", or a "url" on every file', path: ['url'] });
    }
    if (!pack.url && files.some((f) => !f.sha256)) {
      ctx.addIssue({
        code: 'custom',
        message: 'files fetched one by one need their "sha256"',
        path: ['files'],
      });
    }
    const seen = new Set<string>();
    for (const [i, f] of files.entries()) {
      if (seen.has(f.name))
        ctx.addIssue({ code: 'custom', message: `duplicate file ${f.name}`, path: ['files', i] });
      seen.add(f.name);
    }
    if (pack.kind === 'face' && files.length > 0 && !files.some((f) => f.role === 'detection')) {
      ctx.addIssue({ code: 'custom', message: 'a face pack must list a detection file', path: ['files'] });
    }
  });

const CatalogSchema = z.object({ packs: z.array(CatalogPackSchema) }).superRefine((catalog, ctx) => {
  const seen = new Set<string>();
  for (const [i, p] of catalog.packs.entries()) {
    if (seen.has(p.name))
      ctx.addIssue({ code: 'custom', message: `duplicate pack ${p.name}`, path: ['packs', i, 'name'] });
    seen.add(p.name);
  }
});

export type CatalogPack = z.infer<typeof CatalogPackSchema>;
export type CatalogFile = z.infer<typeof CatalogFileSchema>;
export interface Catalog {
  packs: CatalogPack[];
  /** Where it was read from, for messages. */
  source: string;
}

/**
 * The catalog shipped with the app: models/catalog.json at the project (or app.asar) root. The
 * module sits at main/packs/ in source and at dist/<entry>/ when bundled: look upward for it.
 */
export function bundledCatalogPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'models', 'catalog.json');
    if (existsSync(candidate)) return candidate;
  }
  return path.resolve(here, '../../models/catalog.json');
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Validates parsed JSON; `source` names the file in errors. */
export function parseCatalog(json: unknown, source: string): Catalog {
  const result = CatalogSchema.safeParse(json);
  if (!result.success) {
    throw new PackError('BAD_CATALOG', `catalog ${source} is invalid: ${describeIssues(result.error)}`);
  }
  return { packs: result.data.packs, source };
}

export async function loadCatalog(file: string = bundledCatalogPath()): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PackError('BAD_CATALOG', `cannot read catalog ${file}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PackError('BAD_CATALOG', `catalog ${file} is not JSON: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return parseCatalog(json, file);
}
