// Lines from standard input for the CLI: at a terminal each line is typed with
// nothing echoed (a PIN must not stay on screen); from a pipe (an installer) the
// lines are read in order.
import { createInterface } from 'node:readline';

let piped: AsyncIterator<string> | null = null;

async function readHidden(prompt: string): Promise<string | null> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let line = '';
  try {
    return await new Promise<string | null>((resolve) => {
      const onData = (chunk: Buffer) => {
        for (const char of chunk.toString('utf8')) {
          if (char === '\r' || char === '\n') return done(line);
          // Ctrl+C or Ctrl+D: no PIN.
          if (char === '\u0003' || char === '\u0004') return done(null);
          if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
          else line += char;
        }
      };
      const done = (value: string | null) => {
        stdin.off('data', onData);
        resolve(value);
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

export async function readStdinLine(prompt: string): Promise<string | null> {
  if (process.stdin.isTTY) return readHidden(prompt);
  piped ??= createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const next = await piped.next();
  return next.done ? null : next.value;
}
