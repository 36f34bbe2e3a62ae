// A door's fleet files inside its data folder:
//   fleet/door.json     which fleet and door; secrets (fleet data key, database URL with the door's
//                       login, MQTT credentials) sealed under a local key the kiosk's key store wraps
//   fleet/replica.snapshot, replica.journal  the local encrypted replica (replica.ts)
//   fleet/audit-shipped.json  how far the local audit log has reached the database (audit-shipper.ts)
//   fleet/door-status.json    what the running door alone knows, for `tobira fleet status`: its last
//                             shipping error and its MQTT link (door-runtime.ts)
// The CLI's key store is a key file beside the folder (fleet.key, mode 0600); any KeyWrapper
// fits, so the kiosk can pass its OS-keychain one (main/electron/safe-storage-key.ts).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { KEY_BYTES, seal, unseal } from '../store/crypto.js';
import { FileKeyWrapper } from '../store/key-file.js';
import type { KeyWrapper } from '../store/key-wrapper.js';
import { describeIssues } from '../store/schema.js';
import { StoreError } from '../store/errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { FleetError } from './errors.js';

export const DOOR_FILE = 'door.json';
export const DOOR_STATUS_FILE = 'door-status.json';

/** fleet/door-status.json: written by the running door when its shipping or MQTT state changes. */
export interface DoorSideStatus {
  /** When it was written (ISO). */
  at: string;
  ship_error: string | null;
  mqtt: { connected: boolean; queued: number; dropped: number } | null;
}
const SECRETS_AAD = 'tobira-fleet/v1/door-secrets';
/** 24 h: the issue's default for how long a door may decide on a replica it could not refresh. */
export const DEFAULT_OFFLINE_GRACE_MS = 24 * 60 * 60 * 1000;

export const mqttSettingsSchema = z.object({
  url: z.string(),
  username: z.string().optional(),
  password: z.string().optional(),
  /** PEM of the CA that signed the broker's certificate (mqtts://). */
  ca: z.string().optional(),
  /** Home Assistant's discovery prefix. */
  discoveryPrefix: z.string().default('homeassistant'),
  remoteUnlock: z.object({ enabled: z.boolean(), secret: z.string().min(32) }).optional(),
});
export type MqttSettings = z.infer<typeof mqttSettingsSchema>;

const secretsSchema = z.object({
  fleetKey: z.base64(),
  databaseUrl: z.string(),
  tokenId: z.string(),
  /** The first admin's public key from the join token (verify.ts); absent in folders joined before admin keys. */
  rootAdmin: z.base64url().optional(),
  mqtt: mqttSettingsSchema.optional(),
});
type Secrets = z.infer<typeof secretsSchema>;

const doorFileSchema = z.object({
  format: z.literal('tobira-fleet-door'),
  version: z.literal(1),
  fleet: z.string(),
  door: z.string(),
  keyWrapper: z.string(),
  wrappedKey: z.base64(),
  secrets: z.base64(),
  offlineGraceMs: z.number().int().positive(),
});

export interface DoorConfig {
  dir: string;
  fleet: string;
  door: string;
  fleetKey: Buffer;
  databaseUrl: string;
  tokenId: string;
  /** The admin key this door trusts first (raw Ed25519, base64url), bound at join; null: trusts no change. */
  rootAdmin: string | null;
  offlineGraceMs: number;
  mqtt: MqttSettings | null;
  /** Seals this door's local files (the replica). */
  localKey: Buffer;
}

export const fleetDir = (dataDir: string) => path.join(dataDir, 'fleet');
export const isJoined = (dataDir: string) => existsSync(path.join(fleetDir(dataDir), DOOR_FILE));

/** The CLI's stand-in for the OS keychain: `<data dir>/fleet.key`. */
export async function cliKeyWrapper(dataDir: string, create: boolean): Promise<FileKeyWrapper> {
  if (!create && !isJoined(dataDir)) {
    throw new FleetError('not_joined', `${dataDir} is not a door of a fleet (run tobira fleet join first)`);
  }
  return FileKeyWrapper.open(path.join(dataDir, 'fleet.key'), { create });
}

export async function writeDoorConfig(
  wrapper: KeyWrapper,
  config: Omit<DoorConfig, 'localKey'> & { localKey?: Buffer },
): Promise<DoorConfig> {
  const dir = fleetDir(config.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const localKey = config.localKey ?? randomBytes(KEY_BYTES);
  const secrets: Secrets = {
    fleetKey: config.fleetKey.toString('base64'),
    databaseUrl: config.databaseUrl,
    tokenId: config.tokenId,
    ...(config.rootAdmin ? { rootAdmin: config.rootAdmin } : {}),
    ...(config.mqtt ? { mqtt: config.mqtt } : {}),
  };
  const file = {
    format: 'tobira-fleet-door',
    version: 1,
    fleet: config.fleet,
    door: config.door,
    keyWrapper: wrapper.kind,
    wrappedKey: (await wrapper.wrap(localKey)).toString('base64'),
    secrets: seal(localKey, Buffer.from(JSON.stringify(secrets), 'utf8'), SECRETS_AAD).toString('base64'),
    offlineGraceMs: config.offlineGraceMs,
  };
  await writeFileAtomic(path.join(dir, DOOR_FILE), JSON.stringify(file, null, 2) + '\n');
  return { ...config, localKey };
}

export async function readDoorConfig(dataDir: string, wrapper: KeyWrapper): Promise<DoorConfig> {
  const file = path.join(fleetDir(dataDir), DOOR_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FleetError('not_joined', `${dataDir} is not a door of a fleet (run tobira fleet join)`);
    }
    throw error;
  }
  const parsed = doorFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new FleetError('database_error', `${file}: ${describeIssues(parsed.error)}`);
  const d = parsed.data;
  if (d.keyWrapper !== wrapper.kind) {
    throw new FleetError(
      'wrong_key',
      `${file} was sealed by key store '${d.keyWrapper}', not '${wrapper.kind}'`,
    );
  }
  let localKey: Buffer;
  try {
    localKey = await wrapper.unwrap(Buffer.from(d.wrappedKey, 'base64'));
  } catch (error) {
    // Another key of the same kind (a key file that is not the one that sealed this folder).
    if (error instanceof StoreError && error.code === 'wrong_key') {
      throw new FleetError('wrong_key', `${file}: the door's key does not open with this key store`, {
        cause: error,
      });
    }
    throw error;
  }
  const plain = unseal(localKey, Buffer.from(d.secrets, 'base64'), SECRETS_AAD);
  if (!plain)
    throw new FleetError('wrong_key', `${file}: the door's secrets do not open with this key store`);
  const secrets = secretsSchema.parse(JSON.parse(plain.toString('utf8')));
  return {
    dir: dataDir,
    fleet: d.fleet,
    door: d.door,
    fleetKey: Buffer.from(secrets.fleetKey, 'base64'),
    databaseUrl: secrets.databaseUrl,
    tokenId: secrets.tokenId,
    rootAdmin: secrets.rootAdmin ?? null,
    offlineGraceMs: d.offlineGraceMs,
    mqtt: secrets.mqtt ?? null,
    localKey,
  };
}
