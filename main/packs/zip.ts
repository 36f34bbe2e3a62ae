// Safe extraction of a pack zip with yauzl: every entry is checked before anything is written;
// `../`, absolute paths, drive letters, backslashes and symlinks refuse the whole zip.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { PackError } from './errors.js';
import { messageOf } from '../util/message-of.js';

export interface ExtractedFile {
  /** Path inside the pack folder, '/'-separated. */
  name: string;
  sha256: string;
  size: number;
}

/**
 * A pack zip may expand to at most this (zip bombs). The largest pack in
 * models/catalog.json is antelopev2, whose files add up to 427,550,200 bytes
 * (about 408 MiB); 1 GiB leaves 2.5 times that for a larger future pack or a
 * custom import. test/unit/packs/zip.test.ts re-derives it from the catalog.
 */
export const MAX_PACK_BYTES = 1024 ** 3;

export interface ExtractOptions {
  /** Refuse a zip whose entries expand beyond this. Default MAX_PACK_BYTES. */
  maxBytes?: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error || !zip)
        reject(new PackError('BAD_ZIP', `${path.basename(file)} is not a readable zip: ${error?.message}`));
      else resolve(zip);
    });
  });
}

/** Why an entry name is unsafe, or null. */
export function unsafeEntryReason(name: string): string | null {
  if (name.includes('\\')) return 'has a backslash';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'is an absolute path';
  if (name.split('/').includes('..')) return 'climbs out with ..';
  if (name.includes('\0')) return 'has a NUL byte';
  return null;
}

function readEntries(zip: ZipFile, label: string): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (error: Error) => {
      // yauzl validates names itself ("absolute path: ...", "invalid relative path: ...").
      const unsafe = /absolute path|invalid relative path|invalid characters/.test(error.message);
      reject(
        new PackError(
          unsafe ? 'UNSAFE_ZIP' : 'BAD_ZIP',
          `${label}: ${unsafe ? 'unsafe entry, ' : ''}${error.message}`,
        ),
      );
    });
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) reject(error ?? new Error('no stream'));
      else resolve(stream);
    });
  });
}

const ignored = (name: string) => name.startsWith('__MACOSX/') || path.posix.basename(name) === '.DS_Store';

/**
 * Extracts `zipFile` into the existing empty folder `dest`. InsightFace's zips come in two
 * layouts: buffalo_l.zip holds its files at the top, antelopev2.zip inside `antelopev2/`; a
 * single top folder shared by every file is therefore stripped.
 */
export async function extractZip(
  zipFile: string,
  dest: string,
  options: ExtractOptions = {},
): Promise<ExtractedFile[]> {
  const label = path.basename(zipFile);
  const maxBytes = options.maxBytes ?? MAX_PACK_BYTES;
  const zip = await openZip(zipFile);
  try {
    const entries = await readEntries(zip, label);
    const files: Entry[] = [];
    let declared = 0;
    for (const entry of entries) {
      const name = entry.fileName;
      const reason = unsafeEntryReason(name);
      if (reason)
        throw new PackError('UNSAFE_ZIP', `${label}: entry "${name}" ${reason}; nothing was installed`);
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
        throw new PackError(
          'UNSAFE_ZIP',
          `${label}: entry "${name}" is a symbolic link; nothing was installed`,
        );
      }
      if (name.endsWith('/') || ignored(name)) continue;
      declared += entry.uncompressedSize;
      files.push(entry);
    }
    if (declared > maxBytes) {
      throw new PackError(
        'UNSAFE_ZIP',
        `${label} would expand to ${declared} bytes, over the ${maxBytes}-byte limit`,
      );
    }
    const tops = new Set(files.map((e) => e.fileName.split('/')[0]));
    const strip = tops.size === 1 && files.every((e) => e.fileName.includes('/')) ? `${[...tops][0]}/` : '';
    const root = path.resolve(dest);
    const out: ExtractedFile[] = [];
    const seen = new Set<string>();
    for (const entry of files) {
      const name = entry.fileName.slice(strip.length);
      const target = path.resolve(root, ...name.split('/'));
      if (!target.startsWith(root + path.sep)) {
        throw new PackError(
          'UNSAFE_ZIP',
          `${label}: entry "${entry.fileName}" lands outside the pack folder`,
        );
      }
      if (seen.has(name)) throw new PackError('UNSAFE_ZIP', `${label}: entry "${name}" appears twice`);
      seen.add(name);
      await mkdir(path.dirname(target), { recursive: true });
      const hash = createHash('sha256');
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          hash.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(await openEntry(zip, entry), meter, createWriteStream(target, { flags: 'wx' }));
      } catch (error) {
        throw new PackError('BAD_ZIP', `${label}: cannot extract "${entry.fileName}": ${messageOf(error)}`, {
          cause: error,
        });
      }
      out.push({ name, sha256: hash.digest('hex'), size });
    }
    return out;
  } finally {
    zip.close();
  }
}
