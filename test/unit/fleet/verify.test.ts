// The checks every change passes before a door applies it (main/fleet/verify.ts), without a
// database: a table of changes the door must refuse, each with the reason it names, and the good
// change after them that still applies. The integration test (authority.test.ts) does the same
// through PostgreSQL with a stolen door's login and the database operator.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { AdminKey } from '../../../main/fleet/admin-key.js';
import { sealDoc } from '../../../main/fleet/entities.js';
import { fleetDir } from '../../../main/fleet/local.js';
import { Replica, type EntityRow } from '../../../main/fleet/replica.js';
import { VerifiedReplica, type Refusal } from '../../../main/fleet/verify.js';
import { personRow } from '../../helpers/fleet-rows.js';

const FLEET = randomUUID();
const fleetKey = randomBytes(32);
const writer = { user: 'w', password: 'w' };
const root = AdminKey.generate(FLEET, 'Root', writer);
const thief = AdminKey.generate(FLEET, 'Thief', writer);

let version = 0;
/** A person row at the next version, signed by `by` at `revision` (unsigned when `by` is null). */
function change(id: string, revision: number, by: AdminKey | null, doc = { name: 'Ann' }): EntityRow {
  const row = personRow(fleetKey, id, ++version, doc);
  return by ? { ...row, signed: { revision, ...by.sign({ ...row, revision }) } } : row;
}

describe('a door verifies every change before applying it', () => {
  const dirs: string[] = [];
  after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('refuses each bad change with its reason, keeps what it holds, and applies the next good one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-verify-'));
    dirs.push(dir);
    await mkdir(fleetDir(dir), { recursive: true }); // as fleet join makes it
    const replica = await Replica.open(dir, randomBytes(32), FLEET);
    const refusals: Refusal[] = [];
    const door = new VerifiedReplica(replica, { fleet: FLEET, fleetKey, rootAdmin: root.publicKey }, (r) =>
      refusals.push(r),
    );
    const ann = randomUUID();
    assert.equal(await door.apply([change(ann, 2, root)], 1), 1);

    const other = AdminKey.generate(randomUUID(), 'Root of another fleet', writer);
    const forged = change(ann, 3, root, { name: 'Mallory' });
    const table: [string, EntityRow, RegExp][] = [
      ['unsigned', change(ann, 3, null), /carries no admin signature/],
      ['signed by a key nobody added', change(ann, 3, thief), /not an admin key this door trusts/],
      ['signed for another fleet', change(ann, 3, other), /not an admin key this door trusts/],
      [
        'the signature over other bytes',
        { ...forged, sealed: sealDoc(fleetKey, 'person', ann, { ...docOf('Eve') }) },
        /signature does not match/,
      ],
      [
        'another revision than signed',
        { ...forged, signed: { ...forged.signed!, revision: 9 } },
        /signature does not match/,
      ],
      [
        'an older revision (a rollback)',
        change(ann, 1, root, { name: 'Old Ann' }),
        /revision 1 is not newer than revision 2/,
      ],
      [
        'the same revision again',
        change(ann, 2, root, { name: 'Replayed Ann' }),
        /revision 2 is not newer than revision 2/,
      ],
    ];
    for (const [what, row] of table) assert.equal(await door.apply([row], 2), 0, what);
    assert.equal(refusals.length, table.length, 'one refusal each');
    table.forEach(([what, , reason], i) => assert.match(refusals[i]!.reason, reason, what));
    assert.equal(replica.version, version, 'the feed moved past every refused change');
    assert.equal(replica.get('person', ann)!.signed!.revision, 2, 'the door keeps what it held');

    // An admin row whose id is not its key's, then a real one: the new admin's change applies.
    const bob = AdminKey.generate(FLEET, 'Bob', writer);
    const adminRow = (id: string): EntityRow => {
      const sealed = sealDoc(fleetKey, 'admin', id, {
        name: 'Bob',
        publicKey: bob.publicKey,
        addedAt: 'now',
      });
      const row: EntityRow = { kind: 'admin', id, parent: null, version: ++version, sealed };
      return { ...row, signed: { revision: 1, ...root.sign({ ...row, revision: 1 }) } };
    };
    assert.equal(await door.apply([adminRow(randomUUID())], 3), 0);
    assert.match(refusals.at(-1)!.reason, /holds another key than its id names/);
    assert.equal(await door.apply([adminRow(bob.keyId), change(ann, 3, bob, { name: 'Ann Abe' })], 4), 2);
    assert.equal(replica.get('person', ann)!.signed!.revision, 3);
  });
});

const docOf = (name: string) => ({ name, createdAt: '2026-01-01T00:00:00Z', disabled: false, groups: [] });
