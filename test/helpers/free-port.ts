// An ephemeral loopback port for servers that cannot bind port 0 themselves and report it
// (postgres and mosquitto take a fixed port in their config). The kernel picks it; the tiny
// window between closing our probe and the server binding is accepted for tests.
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `text` appears in the child's stderr/stdout; rejects on exit or timeout. */
export function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (pattern.test(seen)) done();
    };
    const onExit = (code: number | null) =>
      done(new Error(`${what} exited (${code}) before it was ready:\n${seen}`));
    // A safety net, not a speed assertion: a server that never says it is ready fails the test clearly.
    const timer = setTimeout(() => done(new Error(`${what} did not become ready:\n${seen}`)), timeoutMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}
