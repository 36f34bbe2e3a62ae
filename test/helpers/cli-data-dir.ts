// An app data folder with the test pack imported and active, as the admin screen imports a folder
// (DIR/models/<pack>), and the CLI run against it with its output collected.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../main/cli/tobira.js';
import { PackManager } from '../../main/packs/manager.js';
import { modelPath, TEST_PACK_FILES } from './fixtures.js';

export interface CliDataDir {
  dataDir: string;
  /** `tobira ARGV…`: the exit code and every line written, stderr lines marked `ERR`. */
  run(...argv: string[]): Promise<{ code: number; text: string }>;
  remove(): void;
}

export async function cliDataDir(prefix: string): Promise<CliDataDir> {
  const dataDir = path.join(mkdtempSync(path.join(tmpdir(), prefix)), 'data');
  const packs = new PackManager({ root: path.join(dataDir, 'models') });
  // Import refuses symlinks: copies in a folder of their own.
  const folder = mkdtempSync(path.join(tmpdir(), 'tobira-pack-copy-'));
  for (const file of TEST_PACK_FILES) copyFileSync(modelPath(file), path.join(folder, file));
  await packs.setActive((await packs.import(folder, { name: 'test-pack' })).name);
  return {
    dataDir,
    async run(...argv) {
      const lines: string[] = [];
      const code = await main(argv, { out: (t) => lines.push(t), err: (t) => lines.push(`ERR ${t}`) });
      return { code, text: lines.join('\n') };
    },
    remove() {
      rmSync(path.dirname(dataDir), { recursive: true, force: true });
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
