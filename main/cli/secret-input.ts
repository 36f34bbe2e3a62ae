// Secrets for the CLI (a join token, a broker password) never come as a command-line argument:
// any local user reads another's argv in `ps` or /proc. They come from a file (`-` for standard
// input) or from the environment, which only the user's own processes see.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './command.js';
import { readStdinLine } from './read-line.js';

export type SecretSource = {
  /** The refused argument's name, e.g. `token`, and the value it was given (undefined when absent). */
  flag: string;
  given: string | undefined;
  /** `--FLAG-file FILE`'s value: a file whose first line is the secret, or `-` for standard input. */
  file: string | undefined;
  /** The environment variable that may hold it instead (none for a PIN). */
  envName?: string;
};

/** The secret from its file, stdin or environment; undefined when none is given. Refuses `--FLAG VALUE`. */
export async function readSecret(
  source: SecretSource,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (source.given !== undefined) {
    throw new UsageError(
      `--${source.flag} is refused: a secret on the command line is readable by any local user; ` +
        `use --${source.flag}-file FILE (- for standard input)${source.envName ? ` or ${source.envName}` : ''}`,
    );
  }
  if (source.file !== undefined) {
    const text =
      source.file === '-'
        ? await readStdinLine(`${source.flag}: `)
        : await readFile(path.resolve(source.file), 'utf8').catch((error: NodeJS.ErrnoException) => {
            throw new UsageError(
              `--${source.flag}-file ${source.file}: cannot read it (${error.code ?? error.message})`,
            );
          });
    const value = (text ?? '').split(/\r?\n/)[0]!.trim();
    if (!value) throw new UsageError(`--${source.flag}-file ${source.file}: empty`);
    return value;
  }
  const fromEnv = source.envName ? env[source.envName] : undefined;
  return fromEnv ? fromEnv : undefined;
}
