// `tobira fleet …`: fleet mode (PostgreSQL source of truth, MQTT events). See main/fleet/.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createToken,
  DEFAULT_TOKEN_LIFETIME_MS,
  initFleet,
  listDoors,
  listTokens,
  removeDoor,
  revokeToken,
} from '../../fleet/admin.js';
import {
  openAdminKey,
  openFleet,
  writeFleet,
  type AdminKeySource,
  type FleetContext,
} from '../../fleet/cli-context.js';
import { AdminKey, MIN_PASSPHRASE } from '../../fleet/admin-key.js';
import { describeRefusal } from '../../fleet/verify.js';
import { signedHistory } from '../../fleet/signed-history.js';
import { joinFleet } from '../../fleet/join.js';
import { cliKeyWrapper, readDoorConfig, writeDoorConfig, type MqttSettings } from '../../fleet/local.js';
import { transportUrl } from '../../fleet/db.js';
import { parseDatabaseUrl } from '../../fleet/errors.js';
import { mosquittoAcl, mosquittoSecurityConf } from '../../fleet/mosquitto-acl.js';
import { parseBrokerUrl } from '../../fleet/mqtt-events.js';
import { decodeToken } from '../../fleet/token.js';
import { remoteUnlockTransportProblem } from '../../fleet/unlock-replay.js';
import { backlogOnDisk, FleetDoor } from '../../fleet/door-runtime.js';
import { parseWindow } from '../../fleet/schedule.js';
import { parse, UsageError, type CliIO, type Command } from '../command.js';
import { readSecret } from '../secret-input.js';
import { readStdinLine } from '../read-line.js';
import { AdminPin } from '../../admin/pin.js';
import { checkPin, provisionAdminPin, readNewAdminPin } from './admin.js';

const usage = `Usage: tobira fleet init --db ADMIN_URL --door NAME [--expires DURATION] --admin-key NEW_FILE
                          [--admin-name NAME] [--passphrase-file FILE|-] [--json]
       tobira fleet join --db URL --token-file FILE|- [--door NAME] --data-dir DIR [--pin-file FILE|-]
                         [--offline-grace HOURS] [--json]
       tobira fleet status --data-dir DIR [--json]
       tobira fleet run --data-dir DIR
       tobira fleet token create --db ADMIN_URL --data-dir DIR --door NAME [--replace] [--expires DURATION] [--json]
       tobira fleet token revoke --db ADMIN_URL TOKEN_ID
       tobira fleet token list --db ADMIN_URL [--json]
       tobira fleet door list --db ADMIN_URL [--json]
       tobira fleet door remove --db ADMIN_URL NAME
       tobira fleet groups list --data-dir DIR [--json]
       tobira fleet groups set --data-dir DIR ADMIN --name NAME [--id ID] --doors NAME,…|* --tz ZONE --window DAYS,HH:MM-HH:MM …
       tobira fleet person --data-dir DIR ADMIN (--groups ID,… | --disable | --enable) ID|NAME
       tobira fleet changes --data-dir DIR [--limit N] [--json]
       tobira fleet admin list --data-dir DIR [--json]
       tobira fleet admin add --data-dir DIR ADMIN --name NAME --out NEW_FILE --new-passphrase-file FILE|-
       tobira fleet admin remove --data-dir DIR ADMIN KEY_ID|NAME
       tobira fleet mosquitto --data-dir DIR --doors NAME,… [--watcher USER …]
       tobira fleet mqtt --data-dir DIR --url URL [--username U] [--password-file FILE|-] [--ca FILE]
                         [--discovery-prefix P] [--remote-unlock on|off]

init creates or migrates the fleet schema in PostgreSQL (URL of a role that may create roles) and
prints a join token for the first door (--door). A join token joins the one door it names, once,
within --expires (default 24h; e.g. 90m, 7d); joining under an existing door's name needs a token
made with --replace. door remove retires one door (its login goes; its audit rows stay). join makes DIR a door of the fleet (--db needs only host, port, database and
TLS options: the door logs in with the token's role) and sets the kiosk's admin PIN unless it has one
(typed twice, two lines on standard input, or the first line of --pin-file): a fleet door never lets the
first person at its screen choose it. In a joined DIR, enroll, identify, people and
audit act on the fleet. No secret goes on the command line: the join token comes from
--token-file (- for standard input) or TOBIRA_JOIN_TOKEN, the broker password from --password-file or
TOBIRA_MQTT_PASSWORD, the admin's database password (never in ADMIN_URL) from --db-password-file,
TOBIRA_DB_PASSWORD or PGPASSWORD. mosquitto prints a Mosquitto ACL in which each door may publish only
its own topics (its broker username is its client id), and the mosquitto.conf lines that apply it.
Windows read like mon-fri,09:00-17:00 in the group's time zone (--tz).

Every change to people, templates, groups and admin keys is signed with an admin key, and every
door checks the signature before applying it. init makes the first admin key, sealed with a
passphrase (at least 10 characters) in NEW_FILE; keep it on the admin's PC, never on a door.
ADMIN is --admin-key FILE --passphrase-file FILE|- (or TOBIRA_ADMIN_KEY and TOBIRA_ADMIN_PASSPHRASE,
which enroll and people remove in a joined DIR read too).`;

const options = {
  db: { type: 'string' },
  'db-password-file': { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  'pin-file': { type: 'string' },
  door: { type: 'string' },
  'data-dir': { type: 'string' },
  'offline-grace': { type: 'string' },
  json: { type: 'boolean' },
  name: { type: 'string' },
  id: { type: 'string' },
  doors: { type: 'string' },
  tz: { type: 'string' },
  window: { type: 'string', multiple: true },
  groups: { type: 'string' },
  disable: { type: 'boolean' },
  enable: { type: 'boolean' },
  url: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
  ca: { type: 'string' },
  'discovery-prefix': { type: 'string' },
  'remote-unlock': { type: 'string' },
  'admin-key': { type: 'string' },
  'admin-name': { type: 'string' },
  passphrase: { type: 'string' },
  'passphrase-file': { type: 'string' },
  'new-passphrase': { type: 'string' },
  'new-passphrase-file': { type: 'string' },
  out: { type: 'string' },
  watcher: { type: 'string', multiple: true },
  expires: { type: 'string' },
  replace: { type: 'boolean' },
  limit: { type: 'string' },
} as const;

type Values = ReturnType<typeof parse<typeof options>>['values'];

const need = (value: string | undefined, flag: string): string => {
  if (!value) throw new UsageError(`--${flag} is required`);
  return value;
};
/**
 * `--db URL` without a password in it: a secret on the command line is readable by any local user
 * (issue 17). An admin's password comes from --db-password-file (- for standard input),
 * TOBIRA_DB_PASSWORD or PGPASSWORD; `fleet join` needs none (the door logs in with the token's role).
 */
async function databaseUrl(v: Values, io: CliIO, admin: boolean): Promise<string> {
  const url = parseDatabaseUrl(need(v.db, admin ? 'db ADMIN_URL' : 'db URL'));
  if (url.password)
    throw new UsageError(
      `--db: a password in the URL is refused: a secret on the command line is readable by any local user; ` +
        (admin
          ? `leave it out and use --db-password-file FILE (- for standard input), TOBIRA_DB_PASSWORD or PGPASSWORD`
          : `leave it out (the door logs in with the join token's role; --db-password-file FILE is for an admin's commands)`),
    );
  // Off loopback without verified TLS: refused, or (opted out) said loudly before anything else.
  const { warning } = transportUrl(url.toString());
  if (warning) io.err(warning);
  if (!admin) return url.toString();
  const password =
    (await readSecret({
      flag: 'db-password',
      given: undefined,
      file: v['db-password-file'],
      envName: 'TOBIRA_DB_PASSWORD',
    })) ?? process.env.PGPASSWORD;
  if (password) url.password = encodeURIComponent(password);
  return url.toString();
}

/** The dispatcher takes --data-dir off argv for every command (main/cli/data-dir.ts) and passes the paths. */
const dataDir = (v: Values, io: CliIO) =>
  path.resolve(io.paths?.dataDir ?? need(v['data-dir'], 'data-dir DIR'));

export const command: Command = {
  summary: 'fleet mode: many doors sharing people, rules and audit through PostgreSQL',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, options);
    const [action, sub, ...rest] = positionals;
    switch (action) {
      case 'init':
        return init(values, io);
      case 'join':
        return join(values, io);
      case 'status':
        return status(values, io);
      case 'run':
        return run(values, io);
      case 'token':
        return token(sub, rest, values, io);
      case 'door':
        return doors(sub, rest, values, io);
      case 'groups':
        return groups(sub, values, io);
      case 'person':
        return person(sub, values, io);
      case 'mqtt':
        return mqttSettings(values, io);
      case 'admin':
        return admins(sub, rest, values, io);
      case 'mosquitto':
        return mosquitto(values, io);
      case 'changes':
        return changes(values, io);
      default:
        throw new UsageError(`unknown fleet action '${action ?? ''}'`);
    }
  },
};

/** The admin key's passphrase: --passphrase-file FILE (- for standard input) or TOBIRA_ADMIN_PASSPHRASE. */
const passphrase = (v: Values) =>
  readSecret({
    flag: 'passphrase',
    given: v.passphrase,
    file: v['passphrase-file'],
    envName: 'TOBIRA_ADMIN_PASSPHRASE',
  });

/** The admin key that signs this command's changes (cli-context.ts opens it on the first write). */
const adminSource = (v: Values): AdminKeySource => ({
  file: v['admin-key'] ? path.resolve(v['admin-key']) : undefined,
  passphrase: () => passphrase(v),
});

/** `--expires 24h|90m|7d|30s`: a join token's lifetime in ms (default 24 h). */
function tokenLifetime(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TOKEN_LIFETIME_MS;
  const m = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  const unit = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };
  if (!m || Number(m[1]) === 0)
    throw new UsageError(`--expires ${text}: expected a duration like 30m, 24h or 7d`);
  return Number(m[1]) * unit[m[2] as keyof typeof unit];
}

async function init(v: Values, io: CliIO): Promise<number> {
  // The database URL first: a password in it is refused before anything else is asked.
  const db = await databaseUrl(v, io, true);
  const keyFile = path.resolve(
    need(v['admin-key'], 'admin-key NEW_FILE (where the first admin key is written)'),
  );
  if (existsSync(keyFile))
    throw new UsageError(`--admin-key ${keyFile} exists already: an admin key is never overwritten`);
  const secret = need(await passphrase(v), 'passphrase-file FILE|- (or TOBIRA_ADMIN_PASSPHRASE)');
  if (secret.length < MIN_PASSPHRASE)
    throw new UsageError(`the admin key's passphrase needs at least ${MIN_PASSPHRASE} characters`);
  const first = v.door === undefined ? null : { door: v.door, expiresInMs: tokenLifetime(v.expires) };
  const result = await initFleet(db, first, v['admin-name'] ?? 'admin');
  await result.admin?.save(keyFile, secret);
  if (v.json)
    io.out(JSON.stringify({ fleet: result.fleet, join: result.join, admin: result.admin?.keyId ?? null }));
  else {
    io.out(
      `fleet ${result.fleet}${result.migrated.length ? ` (schema migrated to ${result.migrated.at(-1)})` : ''}`,
    );
    if (result.admin) io.out(`admin key ${result.admin.keyId} ('${result.admin.name}') sealed in ${keyFile}`);
    if (result.join)
      io.out(
        `join token for door '${first?.door}' (a secret: it opens the templates; used once):\n${result.join}`,
      );
    else
      io.out(
        'the fleet already existed; make a join token with: tobira fleet token create --db URL --data-dir DIR --door NAME',
      );
  }
  return 0;
}

/** The kiosk PIN for a door being joined: the first line of `file` (`-`: stdin), else typed twice. */
async function joinPin(file: string | undefined, io: CliIO): Promise<string> {
  if (file === undefined) return readNewAdminPin(io.readLine ?? readStdinLine, false);
  const pin = await readSecret({ flag: 'pin', given: undefined, file });
  checkPin(pin ?? '', false);
  return pin ?? '';
}

async function join(v: Values, io: CliIO): Promise<number> {
  const db = await databaseUrl(v, io, false);
  const dir = dataDir(v, io);
  const graceHours = v['offline-grace'] === undefined ? undefined : Number(v['offline-grace']);
  if (graceHours !== undefined && !(graceHours > 0))
    throw new UsageError('--offline-grace: expected hours > 0');
  const token = need(
    await readSecret({ flag: 'token', given: v.token, file: v['token-file'], envName: 'TOBIRA_JOIN_TOKEN' }),
    'token-file FILE (or TOBIRA_JOIN_TOKEN)',
  );
  // The PIN before the join: a bad one leaves the folder as it was, never joined without a PIN.
  const pinUnset = !(await AdminPin.open(path.join(dir, 'admin-pin.json'))).isSet();
  const pin = pinUnset ? await joinPin(v['pin-file'], io) : null;
  const result = await joinFleet({
    databaseUrl: db,
    token,
    // The token names its door; --door, when given, must agree (joinFleet refuses another).
    door: v.door ?? decodeToken(token).door ?? need(v.door, 'door NAME'),
    dataDir: dir,
    wrapper: await cliKeyWrapper(dir, true),
    ...(graceHours !== undefined ? { offlineGraceMs: Math.round(graceHours * 3600_000) } : {}),
  });
  if (pin !== null) await provisionAdminPin(dir, pin);
  if (v.json) io.out(JSON.stringify({ fleet: result.fleet, door: result.door, version: result.version }));
  else
    io.out(
      `${dir} is now door '${result.door}' of fleet ${result.fleet} (replica at version ${result.version})`,
    );
  return 0;
}

async function status(v: Values, io: CliIO): Promise<number> {
  const ctx = await caughtUp(v, io);
  const now = Date.now();
  const connected = ctx.syncError === null;
  const lag = ctx.replica.syncedAt === 0 ? -1 : Math.max(0, now - ctx.replica.syncedAt);
  const backlog = await backlogOnDisk(ctx.config, now);
  const out = { door: ctx.config.door, connected, version: ctx.replica.version, lag_ms: lag, ...backlog };
  if (v.json) io.out(JSON.stringify(out));
  else {
    io.out(
      `door ${out.door}: ${connected ? 'connected' : 'NOT connected'}, replica version ${out.version}, lag ${lag} ms`,
    );
    io.out(backlogLine(out));
    if (ctx.syncError) io.err(ctx.syncError.message);
  }
  return 0;
}

/** `fleet status`'s second line: what waits to be shipped and published, and why. */
function backlogLine(b: Awaited<ReturnType<typeof backlogOnDisk>>): string {
  const age = b.audit_oldest_ms === null ? '' : ` (oldest ${Math.round(b.audit_oldest_ms / 1000)} s)`;
  const parts = [`audit: ${b.audit_pending} event(s) not yet shipped${age}`];
  if (b.ship_error) parts.push(`last shipping error: ${b.ship_error}`);
  if (b.mqtt && !b.mqtt.connected) parts.push(`OFF MQTT with ${b.mqtt.queued} event(s) waiting`);
  if (b.mqtt && b.mqtt.dropped > 0) parts.push(`${b.mqtt.dropped} MQTT event(s) dropped`);
  return parts.join('; ');
}

async function run(v: Values, io: CliIO): Promise<number> {
  const dir = dataDir(v, io);
  const door = await FleetDoor.open(dir, await cliKeyWrapper(dir, false));
  door.on('applied', (e) => io.out(`replica at version ${e.version} (${e.changed} change(s))`));
  door.on('disconnected', (e) => io.err(`database: ${e.message}`));
  door.on('connected', () => io.out('database: connected'));
  door.on('ship_failed', (e) => io.err(`audit not shipped yet: ${e.message}`));
  door.on('mqtt', (e) => io.err(e.message));
  door.on('refused', (e) => io.err(`warning: ${e.message}`));
  await door.start();
  io.out(`door '${door.config.door}' running; Ctrl+C stops it`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await door.close();
  return 0;
}

async function token(sub: string | undefined, rest: string[], v: Values, io: CliIO): Promise<number> {
  const db = await databaseUrl(v, io, true);
  if (sub === 'create') {
    const dir = dataDir(v, io);
    const config = await readDoorConfig(dir, await cliKeyWrapper(dir, false));
    if (!config.rootAdmin)
      throw new UsageError(`${dir} joined before admin keys: join a door again with a new fleet's token`);
    const t = await createToken(db, config.fleetKey, config.rootAdmin, {
      door: need(v.door, 'door NAME (the one door this token joins)'),
      expiresInMs: tokenLifetime(v.expires),
      replace: v.replace === true,
    });
    io.out(v.json ? JSON.stringify({ fleet: config.fleet, join: t }) : t);
    return 0;
  }
  if (sub === 'revoke') {
    if (rest.length !== 1) throw new UsageError('token revoke takes one TOKEN_ID');
    await revokeToken(db, rest[0]!);
    io.out(`revoked join token ${rest[0]}`);
    return 0;
  }
  if (sub === 'list') {
    const tokens = await listTokens(db);
    if (v.json) io.out(JSON.stringify({ tokens }));
    else
      for (const t of tokens) {
        const state = t.revoked
          ? `revoked ${t.revoked}`
          : t.used
            ? `used ${t.used}`
            : Date.parse(t.expires) <= Date.now()
              ? `expired ${t.expires}`
              : `open until ${t.expires}`;
        const what = `for ${t.door === null ? '(any door, before tokens named one)' : `'${t.door}'`}${t.replace ? ' (replace)' : ''}`;
        io.out(`${t.id}  ${what}  ${state}  doors: ${t.doors.join(', ') || '-'}`);
      }
    return 0;
  }
  throw new UsageError(`expected 'token create', 'token revoke' or 'token list'`);
}

/** A joined folder caught up, its refused changes said on stderr. */
async function caughtUp(v: Values, io: CliIO): Promise<FleetContext> {
  const ctx = await openFleet(dataDir(v, io), { catchUp: true, admin: adminSource(v) });
  for (const r of ctx.refusals) io.err(`warning: ${describeRefusal(r)}`);
  return ctx;
}

async function doors(sub: string | undefined, rest: string[], v: Values, io: CliIO): Promise<number> {
  const db = await databaseUrl(v, io, true);
  if (sub === 'list') {
    const list = await listDoors(db);
    if (v.json) io.out(JSON.stringify({ doors: list }));
    else for (const d of list) io.out(`${d.name}  joined ${d.joined}  token ${d.token}`);
    return 0;
  }
  if (sub === 'remove') {
    if (rest.length !== 1) throw new UsageError('door remove takes one door NAME');
    await removeDoor(db, rest[0]!);
    io.out(`door '${rest[0]}' removed: its login is gone; its audit rows stay`);
    return 0;
  }
  throw new UsageError(`expected 'door list' or 'door remove NAME'`);
}

async function groups(sub: string | undefined, v: Values, io: CliIO): Promise<number> {
  const ctx = await caughtUp(v, io);
  if (sub === 'list') {
    const list = [...ctx.view().groups.values()];
    if (v.json) io.out(JSON.stringify({ groups: list }));
    else {
      for (const g of list) {
        const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
        const windows = g.windows
          .map((w) => `${w.days.map((d) => days[d]).join(',')} ${w.start}-${w.end}`)
          .join('; ');
        io.out(`${g.id}  ${g.name}  doors: ${g.doors.join(', ')}  ${g.timeZone}  ${windows || 'never'}`);
      }
    }
    return 0;
  }
  if (sub === 'set') {
    let windows;
    try {
      windows = (v.window ?? []).map(parseWindow);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const doors = need(v.doors, 'doors NAME,…|*')
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean);
    const r = await writeFleet(ctx, (w) =>
      w.putGroup(v.id ?? null, {
        name: need(v.name, 'name NAME'),
        doors,
        timeZone: need(v.tz, 'tz ZONE'),
        windows,
      }),
    );
    io.out(v.json ? JSON.stringify(r) : `group ${r.id} saved (version ${r.version})`);
    return 0;
  }
  throw new UsageError(`expected 'groups list' or 'groups set'`);
}

async function person(who: string | undefined, v: Values, io: CliIO): Promise<number> {
  if (!who) throw new UsageError('expected a person ID or NAME');
  const ctx = await caughtUp(v, io);
  if (ctx.syncError) throw ctx.syncError;
  const matches = ctx.view().findPeople(who);
  if (matches.length !== 1)
    throw new Error(
      matches.length
        ? `${matches.length} people are named '${who}'; use the id`
        : `nobody with id or name '${who}'`,
    );
  const id = matches[0]!.id;
  let version: number;
  if (v.groups !== undefined)
    version = await writeFleet(ctx, (w) => w.setGroups(id, v.groups!.split(',').filter(Boolean)));
  else if (v.disable || v.enable)
    version = await writeFleet(ctx, (w) => w.setDisabled(id, v.disable === true));
  else throw new UsageError('expected --groups, --disable or --enable');
  io.out(v.json ? JSON.stringify({ id, version }) : `${matches[0]!.name}: saved (version ${version})`);
  return 0;
}

async function mosquitto(v: Values, io: CliIO): Promise<number> {
  const dir = dataDir(v, io);
  const config = await readDoorConfig(dir, await cliKeyWrapper(dir, false));
  const doors = need(v.doors, 'doors NAME,…')
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  io.out(
    `# mosquitto.conf (besides the listener with TLS):\n` +
      mosquittoSecurityConf('/etc/mosquitto/tobira.passwd', '/etc/mosquitto/tobira.acl')
        .trimEnd()
        .replace(/^/gm, '#   ') +
      `\n# /etc/mosquitto/tobira.acl:\n` +
      mosquittoAcl({
        fleet: config.fleet,
        doors,
        discoveryPrefix: config.mqtt?.discoveryPrefix ?? 'homeassistant',
        watchers: v.watcher ?? [],
      }),
  );
  return 0;
}

async function mqttSettings(v: Values, io: CliIO): Promise<number> {
  const dir = dataDir(v, io);
  const password = await readSecret({
    flag: 'password',
    given: v.password,
    file: v['password-file'],
    envName: 'TOBIRA_MQTT_PASSWORD',
  });
  const url = need(v.url, 'url URL');
  const broker = parseBrokerUrl(url);
  const unlock = v['remote-unlock'];
  if (unlock !== undefined && unlock !== 'on' && unlock !== 'off')
    throw new UsageError(`--remote-unlock: expected on or off`);
  const plain = unlock === 'on' ? remoteUnlockTransportProblem(broker) : null;
  if (plain) throw new UsageError(plain);
  const wrapper = await cliKeyWrapper(dir, false);
  const config = await readDoorConfig(dir, wrapper);
  const previous = config.mqtt?.remoteUnlock;
  const mqtt: MqttSettings = {
    url,
    discoveryPrefix: v['discovery-prefix'] ?? config.mqtt?.discoveryPrefix ?? 'homeassistant',
    ...(v.username !== undefined ? { username: v.username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(v.ca ? { ca: await readFile(path.resolve(v.ca), 'utf8') } : {}),
    ...(unlock === 'on'
      ? { remoteUnlock: { enabled: true, secret: previous?.secret ?? randomBytes(32).toString('hex') } }
      : {}),
  };
  await writeDoorConfig(wrapper, { ...config, mqtt });
  io.out(
    v.json
      ? JSON.stringify({
          url,
          remoteUnlock: mqtt.remoteUnlock
            ? { enabled: true, secret: mqtt.remoteUnlock.secret }
            : { enabled: false },
        })
      : `MQTT settings saved (sealed) for door '${config.door}'` +
          (mqtt.remoteUnlock
            ? `\nremote unlock ON; the command signing secret is: ${mqtt.remoteUnlock.secret}`
            : ''),
  );
  return 0;
}

/** `fleet changes`: who signed what, newest first, each signature checked again (signed-history.ts). */
async function changes(v: Values, io: CliIO): Promise<number> {
  const limit = v.limit === undefined ? 50 : Number(v.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
    throw new UsageError('--limit: expected a whole number from 1 to 100000');
  const ctx = await caughtUp(v, io);
  if (ctx.syncError) throw ctx.syncError;
  const lines = await signedHistory(ctx, limit);
  if (v.json) io.out(JSON.stringify({ changes: lines }));
  else
    for (const l of lines)
      io.out(
        `${l.version}  ${l.at}  ${l.kind} ${l.id} r${l.revision}  signed by ${l.signerName ?? l.signer}  ${l.signature}`,
      );
  return 0;
}

/** `fleet admin list|add|remove`: the admin keys every door trusts, each change signed by an admin. */
async function admins(sub: string | undefined, rest: string[], v: Values, io: CliIO): Promise<number> {
  const ctx = await caughtUp(v, io);
  const list = [...ctx.view().admins.values()];
  if (sub === 'list') {
    if (v.json) io.out(JSON.stringify({ admins: list }));
    else for (const a of list) io.out(`${a.id}  ${a.name}  added ${a.addedAt}`);
    return 0;
  }
  if (sub === 'add') {
    const out = path.resolve(need(v.out, 'out NEW_FILE'));
    if (existsSync(out))
      throw new UsageError(`--out ${out} exists already: an admin key is never overwritten`);
    const secret = need(
      await readSecret({
        flag: 'new-passphrase',
        given: v['new-passphrase'],
        file: v['new-passphrase-file'],
      }),
      "new-passphrase-file FILE|- (the new key's passphrase)",
    );
    const signer = await openAdminKey(ctx.admin, ctx.config.fleet);
    const added = AdminKey.generate(ctx.config.fleet, need(v.name, 'name NAME'), signer.writer);
    await added.save(out, secret);
    const version = await writeFleet(ctx, (w) => w.addAdmin(added.name, added.publicKey, added.keyId));
    io.out(
      v.json
        ? JSON.stringify({ id: added.keyId, version })
        : `admin key ${added.keyId} ('${added.name}') added (version ${version}), sealed in ${out}`,
    );
    return 0;
  }
  if (sub === 'remove') {
    if (rest.length !== 1) throw new UsageError('admin remove takes one KEY_ID or NAME');
    const matches = list.filter((a) => a.id === rest[0] || a.name === rest[0]);
    if (matches.length !== 1)
      throw new UsageError(
        matches.length
          ? `${matches.length} admin keys are named '${rest[0]}'; use the id`
          : `no admin key '${rest[0]}'`,
      );
    const version = await writeFleet(ctx, (w) => w.removeAdmin(matches[0]!.id));
    io.out(
      v.json
        ? JSON.stringify({ id: matches[0]!.id, version })
        : `admin key ${matches[0]!.id} removed (version ${version})`,
    );
    return 0;
  }
  throw new UsageError(`expected 'admin list', 'admin add' or 'admin remove'`);
}
