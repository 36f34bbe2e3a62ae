// One kiosk of a fleet in its own process, for the three-kiosk tests: a FleetDoor (the product's
// door runtime) driven over the IPC channel. Started by door-process.ts's DoorProcess.
//   argv: <data dir>
//   in:  {id, type: 'decide', embedding, recognizerId, threshold, now?}
//        {id, type: 'enroll', name, embedding, recognizerId, adminKey} | {id, type: 'remove', personId, adminKey}
//        (adminKey: the admin key file an admin brings to the door, opened with ADMIN_PASSPHRASE)
//        {id, type: 'ship'} (ships now, answers what is still pending) | {id, type: 'status'} | {id, type: 'close'}
//   out: {type: 'ready'|'applied'|'applying'|'shipped'|'ship_failed'|'connected'|'disconnected'|'mqtt', …}
//        {id, type: 'reply', result} | {id, type: 'error', message}
import { FleetDoor } from '../../main/fleet/door-runtime.js';
import { cliKeyWrapper } from '../../main/fleet/local.js';
import { AdminKey } from '../../main/fleet/admin-key.js';
import { ADMIN_PASSPHRASE, adminWrite } from './fleet-setup.js';

interface Request {
  id: number;
  type: string;
  embedding?: number[];
  recognizerId?: string;
  threshold?: number;
  now?: number;
  name?: string;
  personId?: string;
  adminKey?: string;
}

const dataDir = process.argv[2]!;
const send = (m: object) => process.send?.(m);
let clock: number | null = null;
const door = await FleetDoor.open(dataDir, await cliKeyWrapper(dataDir, false), {
  now: () => clock ?? Date.now(),
});
door.on('applied', (e) => send({ type: 'applied', ...e }));
door.on('applying', (e) => send({ type: 'applying', ...e }));
door.on('shipped', (e) => send({ type: 'shipped', ...e }));
door.on('ship_failed', (e) => send({ type: 'ship_failed', message: e.message }));
door.on('connected', () => send({ type: 'connected' }));
door.on('disconnected', (e) => send({ type: 'disconnected', message: e.message }));
door.on('mqtt', (e) => send({ type: 'mqtt', message: e.message }));
await door.start();

async function handle(m: Request): Promise<unknown> {
  switch (m.type) {
    case 'decide': {
      clock = m.now ?? null;
      const d = await door.decide(Float32Array.from(m.embedding!), m.recognizerId!, m.threshold!);
      return { outcome: d.outcome, reason: d.reason, name: d.name, personId: d.personId, id: d.record.id };
    }
    case 'enroll':
      return adminWrite(door.config, await AdminKey.open(m.adminKey!, ADMIN_PASSPHRASE), async (w) => {
        const person = await w.addPerson(m.name!);
        const t = await w.addTemplate(person.id, m.recognizerId!, Float32Array.from(m.embedding!));
        return { personId: person.id, version: t.version };
      });
    case 'remove':
      return adminWrite(door.config, await AdminKey.open(m.adminKey!, ADMIN_PASSPHRASE), async (w) => ({
        version: await w.removePerson(m.personId!),
      }));
    case 'ship':
      await door.shipSoon();
      return (await door.shipper.pending()).length;
    case 'status':
      return { ...door.status(), pending: (await door.shipper.pending()).length };
    case 'close':
      await door.close();
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown request ${m.type}`);
  }
}

process.on('message', (m: Request) => {
  handle(m).then(
    (result) => send({ id: m.id, type: 'reply', result }),
    (error: Error) => send({ id: m.id, type: 'error', message: error.message }),
  );
});
send({ type: 'ready', status: door.status() });
