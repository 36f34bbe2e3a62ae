// The test side of fleet-door-process.ts: spawns a kiosk process, sends it requests, and waits on
// the events it reports (never on sleeps). kill() is a real SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { exitOf } from './deadline.js';

export interface DoorMessage {
  type: string;
  id?: number;
  result?: unknown;
  message?: string;
  version?: number;
  [key: string]: unknown;
}

const ENTRY = path.join(import.meta.dirname, 'fleet-door-process.ts');
/** A safety net so a broken test fails with a message instead of hanging; not a speed claim. */
const WAIT_LIMIT_MS = 60_000;

export class DoorProcess {
  readonly messages: DoorMessage[] = [];
  private waiters: { test: (m: DoorMessage) => boolean; resolve: (m: DoorMessage) => void }[] = [];
  private nextId = 1;
  stderr = '';

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (m: DoorMessage) => {
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(m)) return true;
        w.resolve(m);
        return false;
      });
    });
    child.stderr?.on('data', (c: Buffer) => (this.stderr += c.toString('utf8')));
  }

  static async start(name: string, dataDir: string): Promise<DoorProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, dataDir], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const door = new DoorProcess(name, child);
    await door.waitFor((m) => m.type === 'ready', 'ready');
    return door;
  }

  /** Resolves with the first message (already received or future) that passes `test`. */
  waitFor(test: (m: DoorMessage) => boolean, what: string, since = 0): Promise<DoorMessage> {
    const seen = this.messages.slice(since).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`door ${this.name}: no '${what}' message\n${this.stderr}`)),
        WAIT_LIMIT_MS,
      );
      const onExit = (code: number | null) =>
        reject(new Error(`door ${this.name} exited (${code}) waiting for '${what}'\n${this.stderr}`));
      this.child.once('exit', onExit);
      this.waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          this.child.off('exit', onExit);
          resolve(m);
        },
      });
    });
  }

  /** Waits until the door's replica reached `version`. */
  caughtUp(version: number): Promise<DoorMessage> {
    return this.waitFor((m) => m.type === 'applied' && (m.version ?? 0) >= version, `applied ≥ ${version}`);
  }

  async request<T>(body: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    const reply = this.waitFor((m) => m.id === id, `reply to ${String(body.type)}`, this.messages.length);
    this.child.send({ ...body, id });
    const m = await reply;
    if (m.type === 'error') throw new Error(`door ${this.name}: ${m.message}`);
    return m.result as T;
  }

  decide(embedding: Float32Array, recognizerId: string, threshold: number, now?: number) {
    return this.request<{
      outcome: string;
      reason: string;
      name: string | null;
      personId: string | null;
      id: string;
    }>({
      type: 'decide',
      embedding: [...embedding],
      recognizerId,
      threshold,
      ...(now !== undefined ? { now } : {}),
    });
  }

  /** A real kill -9. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = exitOf(this.child, `door ${this.name} to die`);
    this.child.kill('SIGKILL');
    await exited;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = exitOf(this.child, `door ${this.name} to close`);
    this.child.send({ type: 'close', id: 0 });
    await exited;
  }
}
