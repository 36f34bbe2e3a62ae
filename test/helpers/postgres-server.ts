// The fleet tests' PostgreSQL: main/cli/bench/throwaway-postgres.ts (shared with the scale benchmark),
// and throwaway TLS material for it made with openssl at test time.
import { spawnSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startPostgres as startServer } from '../../main/cli/bench/throwaway-postgres.js';
import { mayStartServer } from './suite.js';
export { postgresBinDir, type PostgresServer } from '../../main/cli/bench/throwaway-postgres.js';

/** A throwaway PostgreSQL (integration tests only: see suite.ts). */
export function startPostgres(...args: Parameters<typeof startServer>): ReturnType<typeof startServer> {
  mayStartServer('PostgreSQL');
  return startServer(...args);
}

function openssl(cwd: string, ...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr || r.error?.message}`);
}

export const opensslAvailable = (): boolean => spawnSync('openssl', ['version']).status === 0;

/**
 * A certificate authority (`<name>-ca.pem`) and, when `serverName` is given, a server certificate
 * it signed for that DNS name (`<name>-server.pem` / `.key`), valid for a day. P-256 keys: quick to make.
 */
export async function makeTlsFiles(
  dir: string,
  name: string,
  serverName?: string,
): Promise<{ ca: string; cert: string; key: string }> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const f = (s: string) => path.join(dir, `${name}-${s}`);
  openssl(
    dir,
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '1',
    '-subj',
    `/CN=Tobira test CA ${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  if (serverName) {
    await writeFile(
      f('ext.cnf'),
      `subjectAltName=DNS:${serverName}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    openssl(
      dir,
      'req',
      ...ec,
      '-keyout',
      f('server.key'),
      '-out',
      f('server.csr'),
      '-subj',
      `/CN=${serverName}`,
    );
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      f('server.csr'),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f('server.pem'),
      '-days',
      '1',
      '-extfile',
      f('ext.cnf'),
    );
    await chmod(f('server.pem'), 0o644); // the server reads it as the postgres user
    await chmod(dir, 0o755);
  }
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}
