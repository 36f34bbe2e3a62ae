// Runs a program from doors.json (a GPIO or relay tool) without a shell; exit code 0
// means the door opened. Settings only name the program's id (see doors-file.ts).
import { spawn } from 'node:child_process';
import type { DoorProgram } from './doors-file.js';
import { fillArgument } from './template.js';
import type { DoorEvent, DoorResult } from './types.js';
import { messageOf } from '../util/message-of.js';

export function runCommandDoor(program: DoorProgram, holdMs: number, event: DoorEvent): Promise<DoorResult> {
  const config = { ...program, holdMs };
  const started = performance.now();
  const done = (ok: boolean, reason: string | null): DoorResult => ({
    ok,
    kind: 'command',
    reason,
    attempts: 1,
    durationMs: performance.now() - started,
    holdMs: config.holdMs,
  });
  let args: string[];
  try {
    args = config.args.map((a) => fillArgument(a, event, config.holdMs));
  } catch (error) {
    return Promise.resolve(done(false, messageOf(error)));
  }
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    const child = spawn(config.program, args, { shell: false, stdio: ['ignore', 'ignore', 'pipe'] });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, config.timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-500);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = error.code === 'ENOENT' ? `program not found: ${config.program}` : error.message;
      resolve(done(false, why));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve(done(false, `timed out after ${config.timeoutMs} ms`));
      else if (code === 0) resolve(done(true, null));
      else {
        const tail = stderr.trim().split('\n').pop() ?? '';
        resolve(done(false, `${config.program} exited with ${code ?? signal}${tail ? `: ${tail}` : ''}`));
      }
    });
  });
}
