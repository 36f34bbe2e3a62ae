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
import type { StoredManifest } from '../../../main/fleet/sync.js';
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

/**
 * Person rows signed by `by` as one manifest (admin-key.ts's signManifest), each at the next
 * version: the rows as the feed delivers them (no signature of their own) and the manifest.
 */
function manifestOf(by: AdminKey, changes: { id: string; revision: number; name: string }[]) {
  const rows = changes.map((c) => personRow(fleetKey, c.id, ++version, { name: c.name }));
  const { manifest, signature } = by.signManifest(
    randomUUID(),
    rows.map((r, i) => ({ ...r, revision: changes[i]!.revision })),
  );
  const stored: StoredManifest = { id: manifest.id, signer: by.keyId, digests: manifest.digests, signature };
  const signed = rows.map((r, i): EntityRow => ({
    ...r,
    signed: {
      revision: changes[i]!.revision,
      signer: by.keyId,
      signature: Buffer.alloc(0),
      manifest: { id: manifest.id, position: i },
    },
  }));
  return { rows: signed, stored, manifests: new Map([[stored.id, stored]]) };
}

describe('a door verifies rows signed through a manifest (one signature for many rows)', () => {
  const dirs: string[] = [];
  after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('applies a manifest’s rows, refuses each altered, moved, unlisted, untrusted or replayed one, and keeps the manifest for the next batch', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tobira-verify-manifest-'));
    dirs.push(dir);
    await mkdir(fleetDir(dir), { recursive: true });
    const replica = await Replica.open(dir, randomBytes(32), FLEET);
    const refusals: Refusal[] = [];
    const door = new VerifiedReplica(replica, { fleet: FLEET, fleetKey, rootAdmin: root.publicKey }, (r) =>
      refusals.push(r),
    );
    const [ann, ben, cho] = [randomUUID(), randomUUID(), randomUUID()];
    const first = manifestOf(root, [
      { id: ann, revision: 1, name: 'Ann' },
      { id: ben, revision: 1, name: 'Ben' },
      { id: cho, revision: 1, name: 'Cho' },
    ]);
    // The first two rows in one batch, the third in the next (a manifest spanning two pages):
    // the door keeps the verified manifest and is not given it again.
    assert.equal(await door.apply(first.rows.slice(0, 2), 1, first.manifests), 2);
    assert.equal(door.holdsManifest(first.stored.id), true);
    assert.equal(await door.apply(first.rows.slice(2), 1), 1);
    assert.equal(refusals.length, 0, 'nothing refused');
    assert.equal(replica.get('person', cho)!.signed!.manifest?.position, 2);

    const second = manifestOf(root, [
      { id: ann, revision: 2, name: 'Ann Abe' },
      { id: ben, revision: 2, name: 'Ben Abe' },
    ]);
    const [annRow, benRow] = second.rows as [EntityRow, EntityRow];
    const at = (row: EntityRow, manifest: { id: string; position: number }): EntityRow => ({
      ...row,
      signed: { ...row.signed!, manifest },
    });
    const byThief = manifestOf(thief, [{ id: ann, revision: 2, name: 'Mallory' }]);
    const tamperedList: StoredManifest = {
      ...second.stored,
      digests: Buffer.concat([byThief.stored.digests, second.stored.digests.subarray(32)]),
    };
    const unlisted = manifestOf(root, [{ id: ann, revision: 2, name: 'Ann Unlisted' }]).rows[0]!;
    const claimed: StoredManifest = { ...byThief.stored, signer: root.keyId };
    const claimedRow = at(
      { ...byThief.rows[0]!, signed: { ...byThief.rows[0]!.signed!, signer: root.keyId } },
      {
        id: claimed.id,
        position: 0,
      },
    );
    const table: [string, EntityRow, ReadonlyMap<string, StoredManifest> | undefined, RegExp][] = [
      [
        'its bytes altered by the database operator',
        { ...annRow, sealed: sealDoc(fleetKey, 'person', ann, docOf('Eve')) },
        second.manifests,
        /not the one its manifest .* lists at position 0/,
      ],
      [
        'another revision than listed',
        { ...annRow, signed: { ...annRow.signed!, revision: 5 } },
        second.manifests,
        /not the one its manifest .* lists at position 0/,
      ],
      [
        'moved to another position',
        at(annRow, { id: second.stored.id, position: 1 }),
        second.manifests,
        /lists at position 1/,
      ],
      [
        'a position past the end',
        at(annRow, { id: second.stored.id, position: 2 }),
        second.manifests,
        /position 2 is not in its manifest .* \(2 rows\)/,
      ],
      [
        'moved to a manifest it is not in',
        at(annRow, { id: first.stored.id, position: 0 }),
        undefined,
        /lists at position 0/,
      ],
      ['its manifest not in the database', unlisted, undefined, /manifest .* is not in the database/],
      [
        'the manifest’s list altered',
        annRow,
        new Map([[second.stored.id, tamperedList]]),
        /signature of its manifest .* does not match/,
      ],
      [
        'a manifest by a key nobody added',
        byThief.rows[0]!,
        byThief.manifests,
        /not an admin key this door trusts/,
      ],
      [
        'a thief’s manifest claiming the admin as signer',
        claimedRow,
        new Map([[claimed.id, claimed]]),
        /signature of its manifest .* does not match/,
      ],
      [
        'a manifest-signed row replayed (rollback to revision 1)',
        first.rows[0]!,
        first.manifests,
        /revision 1 is not newer than revision 1 held/,
      ],
    ];
    const before = replica.version;
    for (const [what, row, manifests] of table) {
      // Each row at a version of its own, above what the door holds, as the operator would put it.
      assert.equal(await door.apply([{ ...row, version: ++version }], 2, manifests), 0, what);
    }
    assert.equal(refusals.length, table.length, refusals.map((r) => r.reason).join('\n'));
    table.forEach(([what, , , reason], i) => assert.match(refusals[i]!.reason, reason, what));
    assert.ok(replica.version > before, 'the feed moved past every refused change');
    assert.equal(door.holdsManifest(claimed.id), false, 'a manifest whose signature fails is not kept');
    assert.equal(door.holdsManifest(byThief.stored.id), false, 'nor one by an untrusted key');
    assert.equal(replica.get('person', ann)!.signed!.revision, 1, 'the door keeps what it held');

    // The good rows of the second manifest still apply; then a removed key's manifest is refused.
    assert.equal(await door.apply([annRow, benRow], 3, second.manifests), 2);
    assert.equal(replica.get('person', ben)!.signed!.revision, 2);
    const carol = AdminKey.generate(FLEET, 'Carol', writer);
    const adminRow = (sealed: Buffer | null, revision: number): EntityRow => {
      const row: EntityRow = { kind: 'admin', id: carol.keyId, parent: null, version: ++version, sealed };
      return { ...row, signed: { revision, ...root.sign({ ...row, revision }) } };
    };
    const carolSealed = sealDoc(fleetKey, 'admin', carol.keyId, {
      name: 'Carol',
      publicKey: carol.publicKey,
      addedAt: 'now',
    });
    const byCarol = manifestOf(carol, [{ id: cho, revision: 2, name: 'Cho Abe' }]);
    assert.equal(await door.apply([adminRow(carolSealed, 1)], 4), 1);
    assert.equal(await door.apply([adminRow(null, 2)], 5), 1, 'Carol’s key removed');
    assert.equal(await door.apply(byCarol.rows, 6, byCarol.manifests), 0);
    assert.match(refusals.at(-1)!.reason, new RegExp(`signer ${carol.keyId} is not an admin key`));
    assert.equal(replica.get('person', cho)!.signed!.revision, 1);
  });
});

const docOf = (name: string) => ({ name, createdAt: '2026-01-01T00:00:00Z', disabled: false, groups: [] });
