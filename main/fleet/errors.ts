// Fleet failures, each naming what was wrong: the CLI prints the message, the kiosk shows it.
// PostgreSQL and network errors are translated here into sentences an admin can act on.

export type FleetErrorCode =
  | 'bad_url' // the database or broker URL does not parse
  | 'unreachable' // nothing answers at the host and port
  | 'tls_failed' // TLS: the server's certificate is not trusted, names another host, or TLS is off
  | 'auth_failed' // wrong user or password
  | 'auth_refused' // the server asked for the password in clear text or as MD5: nothing was sent
  | 'insecure_transport' // a database off loopback without verified TLS, and no opt-out
  | 'no_database'
  | 'schema_too_new'
  | 'not_initialised' // the database has no fleet schema
  | 'read_only'
  | 'permission_denied'
  | 'token_invalid'
  | 'token_revoked'
  | 'token_used' // a join token joins one door once
  | 'token_expired'
  | 'token_wrong_door' // a join token joins only the door it names
  | 'door_exists' // re-keying a door needs a token an admin made with --replace
  | 'not_joined'
  | 'wrong_key'
  | 'invalid_input'
  | 'database_error';

export class FleetError extends Error {
  override readonly name = 'FleetError';
  constructor(
    readonly code: FleetErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `postgres://user:***@host:port/db`: never print a password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Checks a database URL's shape before any connection attempt. */
export function parseDatabaseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FleetError(
      'bad_url',
      `database URL is not a URL: expected postgres://USER:PASSWORD@HOST:PORT/DB`,
    );
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new FleetError(
      'bad_url',
      `database URL ${redactUrl(url)} has scheme '${u.protocol.replace(/:$/, '')}', expected postgres://`,
    );
  }
  if (!u.hostname) throw new FleetError('bad_url', `database URL ${redactUrl(url)} names no host`);
  if (u.pathname.length <= 1)
    throw new FleetError('bad_url', `database URL ${redactUrl(url)} names no database`);
  return u;
}

interface PgLikeError {
  code?: string;
  syscall?: string;
  path?: string;
  message?: string;
  errno?: number;
  address?: string;
  port?: number;
}

/** Turns a pg / socket error into a FleetError whose message names the problem and the URL. */
export function describeDatabaseError(error: unknown, url: string): FleetError {
  if (error instanceof FleetError) return error;
  const e = (error ?? {}) as PgLikeError;
  const where = redactUrl(url);
  const msg = e.message ?? String(error);
  const host = (() => {
    try {
      return new URL(url).hostname;
    } catch {
      return '(unparsable URL)';
    }
  })();
  switch (e.code) {
    // Node's TLS verdicts on the server's certificate (sslmode=verify-full with sslrootcert).
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_SIGNATURE_FAILURE':
      return new FleetError(
        'tls_failed',
        `the fleet database at ${where} presented a TLS certificate that the CA in sslrootcert did not sign ` +
          `(${e.code}): give the CA that issued the server's certificate`,
        { cause: error },
      );
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return new FleetError(
        'tls_failed',
        `the fleet database's TLS certificate at ${where} is outside its validity dates (${e.code})`,
        { cause: error },
      );
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new FleetError(
        'tls_failed',
        `the fleet database's TLS certificate does not name the host '${host}' in ${where}: connect by a ` +
          `name the certificate holds, or reissue it for '${host}' (${msg})`,
        { cause: error },
      );
    case 'ENOENT':
    case 'EACCES':
      if (e.syscall === 'open')
        return new FleetError(
          'bad_url',
          `cannot read ${e.path ?? 'a file'} named in the database URL (sslrootcert, sslcert or sslkey): ${e.code}`,
          { cause: error },
        );
      break;
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FleetError('unreachable', `cannot reach the fleet database at ${where} (${e.code})`, {
        cause: error,
      });
    case '28P01':
      return new FleetError('auth_failed', `the fleet database refused the credentials in ${where}: ${msg}`, {
        cause: error,
      });
    case '28000':
      return /revoked|not permitted to log in/.test(msg)
        ? new FleetError('token_revoked', `the join token was revoked (${msg})`, { cause: error })
        : new FleetError('auth_failed', `the fleet database refused ${where}: ${msg}`, { cause: error });
    // tobira_redeem_join's refusals (migration 5): the message names the token and the door.
    case 'TJ001':
      return new FleetError('token_used', `${msg}: ask an admin for a new one`, { cause: error });
    case 'TJ002':
      return new FleetError('token_expired', `${msg}: ask an admin for a new one`, { cause: error });
    case 'TJ003':
      return new FleetError('token_wrong_door', msg, { cause: error });
    case 'TJ004':
      return new FleetError('door_exists', msg, { cause: error });
    case '3D000':
      return new FleetError('no_database', `the database in ${where} does not exist: ${msg}`, {
        cause: error,
      });
    case '25006':
      return new FleetError('read_only', `the fleet database at ${where} is read-only: ${msg}`, {
        cause: error,
      });
    case '42501':
      return new FleetError('permission_denied', `the fleet database at ${where} refused: ${msg}`, {
        cause: error,
      });
    case '42P01':
      return new FleetError(
        'not_initialised',
        `the database at ${where} has no Tobira fleet schema (run tobira fleet init): ${msg}`,
        { cause: error },
      );
  }
  if (/does not support SSL/i.test(msg)) {
    return new FleetError(
      'tls_failed',
      `the fleet database at ${where} does not serve TLS, but the URL's sslmode asks for it`,
      { cause: error },
    );
  }
  if (/timeout|terminated|Connection terminated/i.test(msg)) {
    return new FleetError('unreachable', `lost the fleet database at ${where}: ${msg}`, { cause: error });
  }
  return new FleetError('database_error', `fleet database error at ${where}: ${msg}`, { cause: error });
}
