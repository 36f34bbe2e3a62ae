// Temp files left by a writer killed mid-save (see util/atomic-write.ts): the real file is
// intact, these are garbage.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** Removes `.<file>.<pid>.<random>.tmp` in `dir` whose writer process is gone. */
export async function removeStaleTempFiles(dir: string, file: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const prefix = `.${file}.`;
  const stale = names.filter((n) => {
    if (!n.startsWith(prefix) || !n.endsWith('.tmp')) return false;
    const pid = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(n.slice(prefix.length))?.[1];
    return pid !== undefined && !isAlive(Number(pid));
  });
  await Promise.all(stale.map((n) => rm(path.join(dir, n), { force: true })));
}

/** Another live process (the kiosk while the CLI runs) may be mid-write: leave its temp file alone. */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
