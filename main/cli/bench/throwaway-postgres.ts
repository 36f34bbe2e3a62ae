// A throwaway PostgreSQL for the fleet tests and the scale benchmark (Debian's `postgresql`
// package): a fresh cluster in a temporary folder, on 127.0.0.1 and an ephemeral port, with a
// password-authenticated superuser. Never used by the kiosk itself.
// PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` OS user
// (created by the Debian package) and its programs run under that uid. No systemd unit is used.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';

const SUPERUSER = 'tobira_admin';
const PASSWORD = 'test-superuser-password';

/** The newest /usr/lib/postgresql/<major>/bin, or null when PostgreSQL is not installed. */
export function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const majors = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(base, majors[0], 'bin') : null;
}

export interface PostgresServer {
  port: number;
  /** Superuser URL for database `name` (default `postgres`). */
  url(database?: string, user?: string, password?: string): string;
  /** Creates a database and returns its superuser URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
  /** Starts it again on the same port and data (after stop). */
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  close(): Promise<void>;
}

function osUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0) {
    throw new Error('running as root, but there is no `postgres` OS user to own the test cluster');
  }
  return { uid, gid };
}

export interface StartOptions {
  /** Serve TLS (ssl=on) with this certificate and key (PEM files; the key is copied for the server to own). */
  tls?: { certFile: string; keyFile: string };
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const owner = osUser();
  const root = await mkdtemp(path.join(tmpdir(), 'tobira-pg-'));
  await chmod(root, 0o755); // the postgres user must reach its data folder inside
  const data = path.join(root, 'data');
  const sockets = path.join(root, 'sock');
  await mkdir(sockets, { recursive: true });
  await mkdir(data, { mode: 0o700 });
  const pwfile = path.join(root, 'pw');
  await writeFile(pwfile, PASSWORD + '\n', { mode: 0o600 });
  if (owner) {
    await chown(sockets, owner.uid, owner.gid);
    await chown(data, owner.uid, owner.gid);
    await chown(pwfile, owner.uid, owner.gid);
  }
  const ids = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const init = spawnSync(
    path.join(bin, 'initdb'),
    ['-D', data, '-U', SUPERUSER, '--pwfile', pwfile, '--auth=scram-sha-256', '-E', 'UTF8', '--no-sync'],
    { ...ids, encoding: 'utf8', cwd: root },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const tlsArgs: string[] = [];
  if (options.tls) {
    // PostgreSQL refuses a key file others can read, or one it does not own.
    const key = path.join(root, 'server.key');
    await writeFile(key, await readFile(options.tls.keyFile), { mode: 0o600 });
    if (owner) await chown(key, owner.uid, owner.gid);
    tlsArgs.push('-c', 'ssl=on', '-c', `ssl_cert_file=${options.tls.certFile}`, '-c', `ssl_key_file=${key}`);
  }
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async () => {
    child = spawn(
      path.join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${sockets}`,
        '-c',
        'fsync=off', // a throwaway test cluster: durability of the server's disk is not under test
        '-c',
        'max_connections=200', // the scale benchmark opens a connection per simulated door
        ...tlsArgs,
      ],
      { ...ids, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitForOutput(child, /database system is ready to accept connections/, 'postgres');
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGINT'); // "fast shutdown": disconnects clients, as when an admin stops the service
    await exited;
  };
  await start();
  const url = (database = 'postgres', user = SUPERUSER, password = PASSWORD) =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(name) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
    start,
    async close() {
      await stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

// An ephemeral loopback port for servers that take a fixed port in their config (postgres,
// mosquitto). The kernel picks it; the short window before the server binds it is accepted.
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
