// `tobira`: a small dispatcher over the subcommands in commands/. Exit codes: 0 ok,
// 1 runtime error, 2 usage error.
import { pathToFileURL } from 'node:url';
import { UsageError, type CliIO, type Command } from './command.js';
import { dataDirPaths, splitDataDir } from './data-dir.js';
import { TOBIRA_VERSION } from '../version.js';
import { messageOf } from '../util/message-of.js';

/** Subcommands, loaded on demand. To add one: a file in commands/ and one line here. */
export const commands: Record<string, () => Promise<Command>> = {
  analyze: async () => (await import('./commands/analyze.js')).command,
  compare: async () => (await import('./commands/compare.js')).command,
  bench: async () => (await import('./commands/bench.js')).command,
  'bench-suite': async () => (await import('./commands/bench-suite.js')).command,
  liveness: async () => (await import('./commands/liveness.js')).command,
  models: async () => (await import('./commands/models.js')).command,
  enroll: async () => (await import('./commands/enroll.js')).command,
  identify: async () => (await import('./commands/identify.js')).command,
  people: async () => (await import('./commands/people.js')).command,
  'stranger-rate': async () => (await import('./commands/stranger-rate.js')).command,
  audit: async () => (await import('./commands/audit.js')).command,
  admin: async () => (await import('./commands/admin.js')).command,
  door: async () => (await import('./commands/door.js')).command,
  fleet: async () => (await import('./commands/fleet.js')).command,
};

const stdio: CliIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

async function overview(): Promise<string> {
  const lines = ['Usage: tobira <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(commands))
    lines.push(`  ${name.padEnd(12)} ${(await load()).summary}`);
  lines.push(
    '',
    'Every command takes --data-dir DIR: the app’s data folder (store, audit, models, admin PIN),',
    'as the app’s own --data-dir flag and TOBIRA_DATA_DIR name it.',
    'Run `tobira <command> --help` for a command’s options.',
  );
  return lines.join('\n');
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIO = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    // The Node too: the CLI needs 22 (bin/tobira.js re-runs itself on it).
    io.out(`tobira ${TOBIRA_VERSION} (Node ${process.version})`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(await overview());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    io.err(`tobira: unknown command '${name}'\n\n${await overview()}`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    const { dataDir, rest: own } = splitDataDir(rest);
    return await command.run(own, dataDir ? { ...io, paths: dataDirPaths(dataDir) } : io);
  } catch (err) {
    if (err instanceof UsageError) {
      // The error, then one line of usage: the synopsis and where the rest is.
      const synopsis = command.usage.split('\n')[0]!.replace(/^Usage: /, '');
      io.err(`tobira ${name}: ${err.message}\nusage: ${synopsis}  (tobira ${name} --help for more)`);
      return 2;
    }
    io.err(`tobira ${name}: ${messageOf(err)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
