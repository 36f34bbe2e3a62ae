// `--data-dir DIR` on every command: the same flag, folder layout and precedence as
// the app (main/paths.ts: flag, then TOBIRA_DATA_DIR, then the OS user-data folder;
// store, audit, models and the admin PIN under it). The dispatcher takes the flag
// off before a command parses its own options, and hands commands the paths.
import { chmod, mkdir } from 'node:fs/promises';
import { resolvePaths, type AppPaths } from '../paths.js';
import { userDataDir } from '../packs/paths.js';
import { UsageError, type CliIO } from './command.js';

/** Splits `--data-dir DIR` / `--data-dir=DIR` off argv (anywhere before a `--`). */
export function splitDataDir(argv: readonly string[]): { dataDir: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--data-dir' || arg.startsWith('--data-dir=')) {
      const value = arg === '--data-dir' ? argv[++i] : arg.slice('--data-dir='.length);
      if (!value || value.startsWith('-')) throw new UsageError('--data-dir needs a folder');
      dataDir = value;
      continue;
    }
    rest.push(arg);
  }
  return { dataDir, rest };
}

/** The app's paths for `dataDir` (or the app's default data folder). */
export function dataDirPaths(dataDir: string | undefined, env: NodeJS.ProcessEnv = process.env): AppPaths {
  return resolvePaths(userDataDir(env), dataDir ? ['--data-dir', dataDir] : [], env);
}

/** The paths a command works in: what the dispatcher resolved, else the app's defaults. */
export function cliPaths(io: CliIO): AppPaths {
  return io.paths ?? dataDirPaths(undefined);
}

/** Owner-only, as the app keeps it (0700); chmod too, since mkdir leaves an existing folder alone. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dir, 0o700);
}
