// A real Eclipse Mosquitto broker for the fleet tests (Debian's `mosquitto`): a generated
// config, 127.0.0.1 and an ephemeral port, anonymous access, no persistence. As root,
// mosquitto drops to its own `mosquitto` user; it reads the config before that.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForOutput } from './free-port.js';
import { mayStartServer } from './suite.js';
import { exitOf } from './deadline.js';

export function mosquittoBinary(): string | null {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto']) if (existsSync(p)) return p;
  return null;
}

export interface MosquittoServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a broker; `port` restarts one where an earlier broker listened (a broker that comes back).
 * `security`: mosquitto.conf lines that replace anonymous access (mosquitto-acl.ts).
 */
export async function startMosquitto(port?: number, security?: string): Promise<MosquittoServer> {
  mayStartServer('Mosquitto');
  const bin = mosquittoBinary();
  if (!bin) throw new Error('Mosquitto is not installed (apt-get install mosquitto)');
  const root = await mkdtemp(path.join(tmpdir(), 'tobira-mqtt-'));
  await chmod(root, 0o755);
  port ??= await freePort();
  const conf = path.join(root, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      security?.trimEnd() ?? 'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const child: ChildProcess = spawn(bin, ['-c', conf], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, /mosquitto version [^\n]* running/, 'mosquitto');
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode === null) {
        const exited = exitOf(child, 'mosquitto to stop');
        child.kill('SIGTERM');
        await exited;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}
