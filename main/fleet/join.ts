// `tobira fleet join`: makes a data folder a door of a fleet. The door logs in with the join
// token's role (not the admin's URL credentials: only host, port, database and TLS options are
// taken from --db), which may only redeem itself (migration 5): once, for the door it names,
// before it expires. Redeeming registers the door with a login role of its own (the audit rows it
// may append are bound to that role), and the door checks the token's key is the fleet's before
// it commits. It saves its secrets sealed under its own key store, then pulls the replica once
// with its own login.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect, inTransaction, withClient } from './db.js';
import { keyMatches } from './entities.js';
import { describeDatabaseError, FleetError, parseDatabaseUrl } from './errors.js';
import { DEFAULT_OFFLINE_GRACE_MS, writeDoorConfig, type DoorConfig } from './local.js';
import { assertKnownSchema } from './migrate.js';
import { Replica } from './replica.js';
import { pullChanges } from './sync.js';
import { decodeToken } from './token.js';
import { doorTrust, VerifiedReplica } from './verify.js';
import type { KeyWrapper } from '../store/key-wrapper.js';

/** Door names appear in MQTT topics and the audit: letters, digits, space, dot, dash, underscore. */
export function validateDoorName(name: string): string {
  const clean = name.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u.test(clean)) {
    throw new FleetError(
      'invalid_input',
      `door name '${name}': use 1 to 64 letters, digits, spaces, dots, dashes or underscores`,
    );
  }
  return clean;
}

/** 4096: PostgreSQL's default scram_iterations. */
const SCRAM_ITERATIONS = 4096;

/**
 * What PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5802/7677, in RFC 5803's form):
 * SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>. The password is ASCII (base64url), so
 * SASLprep leaves it as it is.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** What tobira_redeem_join (migration 5) returns to the token's login. */
interface Redeemed {
  fleet_id: string;
  key_check: Buffer;
  schema_version: number;
  door_role: string;
}

export async function joinFleet(options: {
  databaseUrl: string;
  token: string;
  door: string;
  dataDir: string;
  wrapper: KeyWrapper;
  offlineGraceMs?: number;
}): Promise<DoorConfig & { version: number }> {
  const door = validateDoorName(options.door);
  const token = decodeToken(options.token.trim());
  if (token.door === undefined)
    throw new FleetError(
      'token_expired',
      'this join token was made before tokens named their door and expired: ask an admin for a new one ' +
        '(tobira fleet token create --door NAME)',
    );
  if (token.door !== door)
    throw new FleetError(
      'token_wrong_door',
      `the join token is for door '${token.door}', not '${door}': join under that name, or ask for a token for '${door}'`,
    );
  if (token.admin === undefined)
    throw new FleetError(
      'token_expired',
      'this join token was made before admin keys: ask an admin for a new one (tobira fleet token create --door NAME)',
    );
  if (token.expires !== undefined && Date.parse(token.expires) <= Date.now())
    throw new FleetError(
      'token_expired',
      `the join token expired at ${token.expires}: ask an admin for a new one (tobira fleet token create)`,
    );
  const url = parseDatabaseUrl(options.databaseUrl);
  url.username = encodeURIComponent(token.user);
  url.password = encodeURIComponent(token.password);
  const tokenUrl = url.toString();
  // The door's own login: the server gets only a SCRAM verifier of its password.
  const password = randomBytes(24).toString('base64url');
  const redeemed = await redeem(tokenUrl, token, door, password);
  url.username = encodeURIComponent(redeemed.door_role);
  url.password = encodeURIComponent(password);
  const doorUrl = url.toString();
  const config = await writeDoorConfig(options.wrapper, {
    dir: options.dataDir,
    fleet: redeemed.fleet_id,
    door,
    fleetKey: token.keyBytes,
    databaseUrl: doorUrl,
    tokenId: token.token,
    rootAdmin: token.admin,
    offlineGraceMs: options.offlineGraceMs ?? DEFAULT_OFFLINE_GRACE_MS,
    mqtt: null,
  });
  // The first pull with the door's own login: the token's can do nothing but redeem itself.
  const replica = await Replica.open(options.dataDir, config.localKey, redeemed.fleet_id);
  await withClient(doorUrl, (client) => pullChanges(client, new VerifiedReplica(replica, doorTrust(config))));
  return { ...config, version: replica.version };
}

/**
 * Redeems the token in one transaction: the door is registered and the token used only when the
 * fleet id, the key and the schema version all check out here; otherwise it is rolled back.
 */
async function redeem(
  tokenUrl: string,
  token: ReturnType<typeof decodeToken>,
  door: string,
  password: string,
): Promise<Redeemed> {
  const client = await connect(tokenUrl, { applicationName: `tobira join ${door}` });
  try {
    return await inTransaction(client, async () => {
      const row = (
        await client.query<Redeemed>('SELECT * FROM tobira_redeem_join($1, $2, $3, $4)', [
          token.token,
          token.secretBytes,
          door,
          scramVerifier(password),
        ])
      ).rows[0];
      if (!row)
        throw new FleetError('not_initialised', 'this database has no fleet yet: run tobira fleet init');
      assertKnownSchema(row.schema_version);
      if (row.fleet_id !== token.fleet)
        throw new FleetError(
          'token_invalid',
          `the join token is for fleet ${token.fleet}, this database holds ${row.fleet_id}`,
        );
      if (!keyMatches(token.keyBytes, row.key_check))
        throw new FleetError('token_invalid', 'the join token’s key is not this fleet’s (token altered?)');
      return row;
    });
  } catch (error) {
    if ((error as { code?: string }).code === '42883')
      throw new FleetError(
        'not_initialised',
        'the fleet database’s schema is older than this Tobira: run tobira fleet init --db ADMIN_URL to migrate it',
        { cause: error },
      );
    throw describeDatabaseError(error, tokenUrl);
  } finally {
    await client.end().catch(() => undefined);
  }
}
