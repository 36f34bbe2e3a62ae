// Connections to the fleet database with node-postgres. The URL may carry libpq's TLS options,
// which pg-connection-string reads: `?sslmode=verify-full&sslrootcert=/path/ca.pem` checks the
// server's certificate against that CA file (read when the client is made) and its name against
// the URL's host (an IP host against the certificate's IP addresses). A client certificate can
// be added with sslcert= and sslkey=. test/integration/fleet/fleet-tls.test.ts shows each failure.
import pg from 'pg';
import { describeDatabaseError, parseDatabaseUrl } from './errors.js';

/** Connect timeout: long enough for a LAN round trip plus TLS, short enough that a door's admin sees the error. */
const CONNECT_TIMEOUT_MS = 5000;

export async function connect(url: string, options: { applicationName?: string } = {}): Promise<pg.Client> {
  parseDatabaseUrl(url);
  let client: pg.Client;
  try {
    // Reads sslrootcert/sslcert/sslkey from disk here: a missing file fails now, with its path.
    client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      application_name: options.applicationName ?? 'tobira',
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
