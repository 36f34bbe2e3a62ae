// `tobira fleet join`: makes a data folder a door of a fleet. The door logs in with the join
// token's role (not the admin's URL credentials: only host, port, database and TLS options are
// taken from --db), proves the token's key is the fleet's, and registers its name, which gives it
// a login role of its own (migration 2): the audit rows it may append are bound to that role. It
// saves its secrets sealed under its own key store, then pulls the replica once.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect } from './db.js';
import { keyMatches } from './entities.js';
import { describeDatabaseError, FleetError, parseDatabaseUrl } from './errors.js';
import { DEFAULT_OFFLINE_GRACE_MS, writeDoorConfig, type DoorConfig } from './local.js';
import { assertKnownSchema, schemaVersion } from './migrate.js';
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
  const url = parseDatabaseUrl(options.databaseUrl);
  url.username = encodeURIComponent(token.user);
  url.password = encodeURIComponent(token.password);
  const doorUrl = url.toString();
  const client = await connect(doorUrl, { applicationName: `tobira join ${door}` });
  try {
    assertKnownSchema(await schemaVersion(client));
    const fleet = (await client.query<{ id: string; key_check: Buffer }>('SELECT id, key_check FROM fleet'))
      .rows[0];
    if (!fleet)
      throw new FleetError('not_initialised', 'this database has no fleet yet: run tobira fleet init');
    if (fleet.id !== token.fleet) {
      throw new FleetError(
        'token_invalid',
        `the join token is for fleet ${token.fleet}, this database holds ${fleet.id}`,
      );
    }
    if (!keyMatches(token.keyBytes, fleet.key_check)) {
      throw new FleetError('token_invalid', 'the join token’s key is not this fleet’s (token altered?)');
    }
    // The door's own login: the server gets only a SCRAM verifier of its password.
    const password = randomBytes(24).toString('base64url');
    const role = (
      await client.query<{ r: string }>('SELECT tobira_join_door($1, $2, $3, $4) AS r', [
        token.token,
        token.secretBytes,
        door,
        scramVerifier(password),
      ])
    ).rows[0]!.r;
    url.username = encodeURIComponent(role);
    url.password = encodeURIComponent(password);
    const config = await writeDoorConfig(options.wrapper, {
      dir: options.dataDir,
      fleet: fleet.id,
      door,
      fleetKey: token.keyBytes,
      databaseUrl: url.toString(),
      tokenId: token.token,
      rootAdmin: token.admin,
      offlineGraceMs: options.offlineGraceMs ?? DEFAULT_OFFLINE_GRACE_MS,
      mqtt: null,
    });
    const replica = await Replica.open(options.dataDir, config.localKey, fleet.id);
    await pullChanges(client, new VerifiedReplica(replica, doorTrust(config)));
    return { ...config, version: replica.version };
  } catch (error) {
    throw describeDatabaseError(error, doorUrl);
  } finally {
    await client.end().catch(() => undefined);
  }
}
