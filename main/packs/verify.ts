// Load-time check of a pack: every file against its pinned (catalog) or recorded (install-time)
// sha256. Cheap on later launches: a hash is reused while the file's size and mtime are
// unchanged, and recomputed in full on any change.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CatalogPack } from './catalog.js';
import { sha256File, type Hasher } from './hash.js';
import { readManifest } from './install.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface FileCheck {
  name: string;
  status: 'ok' | 'missing' | 'corrupt';
  expected: string;
  actual?: string;
}

/** Plain, serialisable result of a pack check. */
export interface VerifyReport {
  pack: string;
  ok: boolean;
  files: FileCheck[];
  /** One sentence per problem: the file, what is wrong, and what to do. */
  problems: string[];
}

interface CacheEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** sha256 by absolute path, valid while size and mtime hold; kept in one JSON file. */
export class HashCache {
  private entries: Record<string, CacheEntry> | null = null;
  private dirty = false;

  constructor(
    private readonly file: string,
    private readonly hasher: Hasher = sha256File,
  ) {}

  private async load(): Promise<Record<string, CacheEntry>> {
    if (!this.entries) {
      try {
        this.entries = JSON.parse(await readFile(this.file, 'utf8')) as Record<string, CacheEntry>;
      } catch {
        this.entries = {};
      }
    }
    return this.entries;
  }

  async hashOf(file: string): Promise<string> {
    const entries = await this.load();
    const info = await stat(file);
    const key = path.resolve(file);
    const hit = entries[key];
    if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) return hit.sha256;
    const sha256 = await this.hasher(file);
    entries[key] = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
    this.dirty = true;
    return sha256;
  }

  forget(prefix: string): void {
    if (!this.entries) return;
    const dir = path.resolve(prefix) + path.sep;
    for (const key of Object.keys(this.entries)) {
      if (key.startsWith(dir)) {
        delete this.entries[key];
        this.dirty = true;
      }
    }
  }

  async save(): Promise<void> {
    if (!this.dirty || !this.entries) return;
    await writeFileAtomic(this.file, JSON.stringify(this.entries), { mode: 0o644 });
    this.dirty = false;
  }
}

/** Checks every file of the pack in `packDir`. Never throws for a bad file: it reports it. */
export async function verifyPack(
  packDir: string,
  name: string,
  catalog: CatalogPack | null,
  cache: HashCache,
): Promise<VerifyReport> {
  const action = catalog
    ? `re-download it (tobira models download ${name}) or import it from a file`
    : `import the pack again from its zip or folder`;
  const manifest = await readManifest(packDir);
  if (!manifest) {
    return {
      pack: name,
      ok: false,
      files: [],
      problems: [
        `pack ${name} is not installed or its record ${path.join(packDir, '.tobira-pack.json')} is missing: ${action}`,
      ],
    };
  }
  const expected = new Map(manifest.files.map((f) => [f.name, f.sha256]));
  for (const f of catalog?.files ?? []) {
    if (f.sha256) expected.set(f.name, f.sha256);
    else if (!expected.has(f.name)) expected.set(f.name, '');
  }
  const files: FileCheck[] = [];
  const problems: string[] = [];
  for (const [file, want] of expected) {
    const full = path.join(packDir, ...file.split('/'));
    let actual: string;
    try {
      actual = await cache.hashOf(full);
    } catch {
      files.push({ name: file, status: 'missing', expected: want });
      problems.push(`${file} of pack ${name} is missing (${full}): ${action}`);
      continue;
    }
    if (actual !== want) {
      files.push({ name: file, status: 'corrupt', expected: want, actual });
      problems.push(
        `${file} of pack ${name} is corrupt: sha256 ${actual}, expected ${want || '(no recorded hash)'}: ${action}`,
      );
    } else {
      files.push({ name: file, status: 'ok', expected: want, actual });
    }
  }
  await cache.save();
  return { pack: name, ok: problems.length === 0, files, problems };
}
