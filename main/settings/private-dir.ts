// The data folder holds the store, its key (in Node), the PIN hash, door secrets and
// the audit log: owner-only on every path in (Electron's userData, --data-dir,
// TOBIRA_DATA_DIR, the CLI). Folders 0700, files 0600, also when they already
// existed with looser modes (an older version, a copy, a hand-made folder).
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Sub-folders whose files are tightened too; models are not secret and can be large, so only the folder. */
const PRIVATE_SUBDIRS = ['store', 'audit'];

export async function securePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // POSIX only: Windows has no group/other mode bits; the profile's ACLs apply.
  if (process.platform === 'win32') return;
  await chmod(dir, 0o700);
  await tighten(dir, true);
}

async function tighten(dir: string, top: boolean): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (((await stat(full)).mode & 0o077) !== 0) await chmod(full, 0o700);
      if (top && PRIVATE_SUBDIRS.includes(entry.name)) await tighten(full, false);
    } else if (entry.isFile() && ((await stat(full)).mode & 0o077) !== 0) {
      await chmod(full, 0o600);
    }
  }
}
