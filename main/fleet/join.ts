// `tobira fleet join`: makes a data folder a door of a fleet. The door logs in with the join
// token's role (not the admin's URL credentials: only host, port, database and TLS options are
// taken from --db), registers its name, proves the token's key is the fleet's, and saves its
// secrets sealed under its own key store. Then it pulls the replica once.
import { connect } from './db.js';
import { keyMatches } from './entities.js';
import { describeDatabaseError, FleetError, parseDatabaseUrl } from './errors.js';
import { DEFAULT_OFFLINE_GRACE_MS, writeDoorConfig, type DoorConfig } from './local.js';
import { assertKnownSchema, schemaVersion } from './migrations.js';
import { Replica } from './replica.js';
import { pullChanges } from './sync.js';
import { decodeToken } from './token.js';
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
    await client.query('SELECT tobira_join($1, $2, $3)', [token.token, token.secretBytes, door]);
    const config = await writeDoorConfig(options.wrapper, {
      dir: options.dataDir,
      fleet: fleet.id,
      door,
      fleetKey: token.keyBytes,
      databaseUrl: doorUrl,
      tokenId: token.token,
      offlineGraceMs: options.offlineGraceMs ?? DEFAULT_OFFLINE_GRACE_MS,
      mqtt: null,
    });
    const replica = await Replica.open(options.dataDir, config.localKey, fleet.id);
    await pullChanges(client, replica);
    return { ...config, version: replica.version };
  } catch (error) {
    throw describeDatabaseError(error, doorUrl);
  } finally {
    await client.end().catch(() => undefined);
  }
}
