// Connections to the fleet database with node-postgres. The URL may carry libpq's TLS options,
// which pg-connection-string reads: `?sslmode=verify-full&sslrootcert=/path/ca.pem` checks the
// server's certificate against that CA file (read when the client is made) and its name against
// the URL's host (an IP host against the certificate's IP addresses). A client certificate can
// be added with sslcert= and sslkey=. test/integration/fleet/fleet-tls.test.ts shows each failure.
//
// Issue 17: a host other than loopback gets sslmode=verify-full unless the URL names another
// sslmode AND says insecure_transport=yes (transportUrl); and the client answers only SCRAM: a
// server that asks for the password in clear text or as MD5 gets nothing (ScramOnlyClient), and
// over TLS the client binds SCRAM to the channel (SCRAM-SHA-256-PLUS) when the server offers it.
// test/integration/fleet/fleet-transport.test.ts plays such a server.
import pg from 'pg';
import { describeDatabaseError, FleetError, parseDatabaseUrl, redactUrl } from './errors.js';

/** Connect timeout: long enough for a LAN round trip plus TLS, short enough that a door's admin sees the error. */
const CONNECT_TIMEOUT_MS = 5000;

/** The URL parameter that lets a database off loopback be reached without verified TLS. */
export const INSECURE_TRANSPORT_PARAM = 'insecure_transport';

/** This machine: a LAN listener cannot see loopback traffic. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The URL node-postgres gets, and a warning when the transport is not verified TLS off loopback.
 * Off loopback: no sslmode means verify-full; any other sslmode (or `ssl=`) is refused unless the
 * URL also says insecure_transport=yes. The parameter itself never reaches node-postgres.
 */
export function transportUrl(url: string): { url: string; warning: string | null } {
  const u = parseDatabaseUrl(url);
  const optOut = u.searchParams.get(INSECURE_TRANSPORT_PARAM);
  u.searchParams.delete(INSECURE_TRANSPORT_PARAM);
  if (isLoopbackHost(u.hostname)) return { url: u.toString(), warning: null };
  const mode = u.searchParams.get('sslmode');
  if (mode === null && !u.searchParams.has('ssl')) u.searchParams.set('sslmode', 'verify-full');
  if (u.searchParams.get('sslmode') === 'verify-full') return { url: u.toString(), warning: null };
  const what = `sslmode=${mode ?? '(none)'}${u.searchParams.has('ssl') ? ` with ssl=${u.searchParams.get('ssl')}` : ''}`;
  if (optOut !== 'yes')
    throw new FleetError(
      'insecure_transport',
      `the fleet database at ${redactUrl(url)} is off this machine and ${what} is not verified TLS: a LAN ` +
        `listener would read the audit and the join secret and could pose as the database. Use ` +
        `sslmode=verify-full (with sslrootcert=CA.pem), or accept that with ${INSECURE_TRANSPORT_PARAM}=yes in the URL`,
    );
  return {
    url: u.toString(),
    warning:
      `WARNING: INSECURE TRANSPORT to the fleet database at ${u.hostname} (${what}, ${INSECURE_TRANSPORT_PARAM}=yes): ` +
      `anyone on the network can read the audit and the join secret and pose as the database`,
  };
}

/**
 * A pg.Client that answers only SCRAM-SHA-256. node-postgres 8 (lib/client.js) answers a server's
 * AuthenticationCleartextPassword and AuthenticationMD5Password in its _handleAuthCleartextPassword
 * and _handleAuthMD5Password; here they send nothing and fail the connection instead.
 */
class ScramOnlyClient extends pg.Client {}
for (const [handler, how] of [
  ['_handleAuthCleartextPassword', 'in clear text'],
  ['_handleAuthMD5Password', 'as an MD5 hash'],
] as const) {
  Object.defineProperty(ScramOnlyClient.prototype, handler, {
    value(this: pg.Client & { host: string; port: number }) {
      const stream = (this.connection as unknown as { stream: { destroy(): void } }).stream;
      this.connection.emit(
        'error',
        new FleetError(
          'auth_refused',
          `the server at ${this.host}:${this.port} asked for the password ${how}; Tobira sends it only by ` +
            `SCRAM-SHA-256, so nothing was sent. If this is the fleet database, set password_encryption = ` +
            `'scram-sha-256', set the role's password again and use scram-sha-256 in pg_hba.conf; if it is not, ` +
            `something on the network is posing as it`,
        ),
      );
      stream.destroy();
    },
  });
}

export async function connect(url: string, options: { applicationName?: string } = {}): Promise<pg.Client> {
  const transport = transportUrl(url);
  let client: pg.Client;
  try {
    // Reads sslrootcert/sslcert/sslkey from disk here: a missing file fails now, with its path.
    client = new ScramOnlyClient({
      connectionString: transport.url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: options.applicationName ?? 'tobira',
      // SCRAM-SHA-256-PLUS when the server offers it (only over TLS): a TLS man in the middle then
      // cannot relay the login.
      enableChannelBinding: true,
    });
  } catch (error) {
    throw describeDatabaseError(error, url);
  }
  // An idle client whose server goes away emits 'error'; without a listener Node would crash.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw describeDatabaseError(error, url);
  }
  return client;
}

/** Runs `work` on a fresh connection, closing it after; errors come back as FleetError. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await work(client);
  } catch (error) {
    throw describeDatabaseError(error, url);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** BEGIN … COMMIT, rolling back on any error. */
export async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
