// Installs a pack atomically: files are extracted or copied into a staging folder beside the
// pack (same file system), checked against the catalog's hashes, recorded in a manifest, and
// only then renamed into place. On any failure the staging folder goes and the pack that was
// installed before is untouched.
import { randomBytes } from 'node:crypto';
import { copyFile, lstat, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ROLES, type CatalogPack, type Role } from './catalog.js';
import { PackError } from './errors.js';
import { sha256File, type Hasher } from './hash.js';
import type { ModelRouter } from './signature.js';
import { extractZip, type ExtractedFile } from './zip.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export const MANIFEST_FILE = '.tobira-pack.json';

const ManifestSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  source: z.enum(['catalog', 'import']),
  kind: z.enum(['face', 'addon']),
  installedAt: z.string(),
  /** The zip's sha256, verified before extraction, when the pack came from a zip. */
  zipSha256: z.string().optional(),
  /** Hashes taken at install time: what `verify` checks when the catalog pins none. */
  files: z.array(
    z.object({ name: z.string(), sha256: z.string(), size: z.number(), role: z.enum(ROLES).nullable() }),
  ),
  /** Files of a custom pack that matched no known signature, with the reason. */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })).default([]),
});
export type PackManifest = z.infer<typeof ManifestSchema>;

export async function readManifest(packDir: string): Promise<PackManifest | null> {
  try {
    return ManifestSchema.parse(JSON.parse(await readFile(path.join(packDir, MANIFEST_FILE), 'utf8')));
  } catch {
    return null;
  }
}

export interface StageSource {
  /** A verified zip, or a folder of files, or files already downloaded into the staging folder. */
  zip?: string;
  dir?: string;
  staged?: ExtractedFile[];
}

export interface InstallOptions {
  root: string;
  name: string;
  /** The catalog entry to check against; null for a custom pack. */
  catalog: CatalogPack | null;
  router: ModelRouter;
  hasher?: Hasher;
  zipSha256?: string;
  /** A cancel that arrives while extracting still leaves nothing installed. */
  signal?: AbortSignal;
}

/** Checks the zip's sha256 against the catalog before anything is extracted. */
export async function verifyZip(
  zip: string,
  pack: CatalogPack | null,
  hasher: Hasher = sha256File,
): Promise<string> {
  const actual = await hasher(zip);
  if (pack?.sha256 && actual !== pack.sha256) {
    throw new PackError(
      'CHECKSUM_MISMATCH',
      `${path.basename(zip)} for pack ${pack.name} has sha256 ${actual}, but the catalog expects ${pack.sha256}; ` +
        'the file is corrupt or was tampered with, and was not installed',
    );
  }
  return actual;
}

/** A fresh staging folder in the root: rename into place is then atomic. */
export async function makeStaging(root: string, name: string): Promise<string> {
  return mkdtemp(path.join(root, `.staging-${name}-`));
}

/** Copies the regular files of a folder (or of its single subfolder, like antelopev2/) into staging. */
async function copyDir(dir: string, staging: string, hasher: Hasher): Promise<ExtractedFile[]> {
  let source = dir;
  let entries = await readdir(source, { withFileTypes: true });
  const visible = entries.filter((e) => !e.name.startsWith('.'));
  if (visible.length === 1 && visible[0]!.isDirectory()) {
    source = path.join(dir, visible[0]!.name);
    entries = await readdir(source, { withFileTypes: true });
  }
  const out: ExtractedFile[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const from = path.join(source, entry.name);
    const info = await lstat(from);
    if (info.isSymbolicLink()) {
      throw new PackError('UNSAFE_ZIP', `${from} is a symbolic link; copy the real file into the folder`);
    }
    if (!info.isFile()) continue;
    const to = path.join(staging, entry.name);
    await copyFile(from, to);
    out.push({ name: entry.name, sha256: await hasher(to), size: info.size });
  }
  return out;
}

/** Stages, checks and commits one pack; returns its manifest. */
export async function installPack(
  source: StageSource,
  staging: string,
  options: InstallOptions,
): Promise<PackManifest> {
  const { root, name, catalog } = options;
  const hasher = options.hasher ?? sha256File;
  try {
    const files = source.staged
      ? source.staged
      : source.zip
        ? await extractZip(source.zip, staging)
        : await copyDir(source.dir!, staging, hasher);
    const manifest = catalog
      ? checkAgainstCatalog(files, catalog, options.zipSha256)
      : await routeCustom(files, staging, name, options.router, options.zipSha256);
    await writeFileAtomic(path.join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2), {
      mode: 0o644,
    });
    await commit(staging, path.join(root, name), root, name);
    return manifest;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

function checkAgainstCatalog(files: ExtractedFile[], pack: CatalogPack, zipSha256?: string): PackManifest {
  const byName = new Map(files.map((f) => [f.name, f]));
  const listed = pack.files ?? [];
  for (const want of listed) {
    const got = byName.get(want.name);
    if (!got)
      throw new PackError('BAD_ZIP', `pack ${pack.name} is missing ${want.name}; nothing was installed`);
    if (want.sha256 && got.sha256 !== want.sha256) {
      throw new PackError(
        'CHECKSUM_MISMATCH',
        `${want.name} in pack ${pack.name} has sha256 ${got.sha256}, but the catalog expects ${want.sha256}; nothing was installed`,
      );
    }
  }
  const roles = new Map<string, Role>(listed.map((f) => [f.name, f.role]));
  return {
    version: 1,
    name: pack.name,
    source: 'catalog',
    kind: pack.kind,
    installedAt: new Date().toISOString(),
    zipSha256,
    files: files.map((f) => ({ ...f, role: roles.get(f.name) ?? null })),
    skipped: [],
  };
}

async function routeCustom(
  files: ExtractedFile[],
  staging: string,
  name: string,
  router: ModelRouter,
  zipSha256?: string,
): Promise<PackManifest> {
  const models = files.filter((f) => f.name.toLowerCase().endsWith('.onnx'));
  const routed: PackManifest['files'] = [];
  const skipped: PackManifest['skipped'] = [];
  for (const f of models) {
    const route = await router(path.join(staging, ...f.name.split('/')));
    if (route.role) routed.push({ ...f, role: route.role });
    else skipped.push({ name: f.name, reason: route.reason });
  }
  if (!routed.some((f) => f.role === 'detection')) {
    const found = routed.map((f) => `${f.name} (${f.role})`).join(', ') || 'no usable .onnx model';
    throw new PackError(
      'NO_DETECTOR',
      `pack ${name} holds no face detector (found: ${found}); a pack needs an SCRFD detector (an ONNX model with 5 or more outputs)`,
    );
  }
  // Only routed models are kept in the manifest; other files stay but are not loaded.
  return {
    version: 1,
    name,
    source: 'import',
    kind: 'face',
    installedAt: new Date().toISOString(),
    zipSha256,
    files: routed,
    skipped,
  };
}

/** Swaps `staging` into `finalDir`; the previous pack is restored if the swap fails. */
async function commit(staging: string, finalDir: string, root: string, name: string): Promise<void> {
  const old = path.join(root, `.old-${name}-${randomBytes(4).toString('hex')}`);
  let moved = false;
  try {
    await rename(finalDir, old);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await rename(staging, finalDir);
  } catch (error) {
    if (moved) await rename(old, finalDir);
    throw error;
  }
  if (moved) await rm(old, { recursive: true, force: true });
}
