// One kiosk of a fleet in its own process, for the three-kiosk tests: a FleetDoor (the product's
// door runtime) driven over the IPC channel. Started by door-process.ts's DoorProcess.
//   argv: <data dir>
//   in:  {id, type: 'decide', embedding, recognizerId, threshold, now?}
//        {id, type: 'enroll', name, embedding, recognizerId} | {id, type: 'remove', personId}
//        {id, type: 'ship'} (ships now, answers what is still pending) | {id, type: 'status'} | {id, type: 'close'}
//   out: {type: 'ready'|'applied'|'applying'|'shipped'|'ship_failed'|'connected'|'disconnected'|'mqtt', …}
//        {id, type: 'reply', result} | {id, type: 'error', message}
import { FleetDoor } from '../../main/fleet/door-runtime.js';
import { cliKeyWrapper } from '../../main/fleet/local.js';
import { withClient } from '../../main/fleet/db.js';
import { FleetWriter } from '../../main/fleet/writer.js';

interface Request {
  id: number;
  type: string;
  embedding?: number[];
  recognizerId?: string;
  threshold?: number;
  now?: number;
  name?: string;
  personId?: string;
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
      return withClient(door.config.databaseUrl, async (client) => {
        const w = new FleetWriter(client, door.config.fleetKey, door.config.door);
        const person = await w.addPerson(m.name!);
        const t = await w.addTemplate(person.id, m.recognizerId!, Float32Array.from(m.embedding!));
        return { personId: person.id, version: t.version };
      });
    case 'remove':
      return withClient(door.config.databaseUrl, async (client) => ({
        version: await new FleetWriter(client, door.config.fleetKey, door.config.door).removePerson(
          m.personId!,
        ),
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
