// Issue 20, signed batches (migration 6), against a real PostgreSQL: an admin's many changes at
// once (a person's templates, a removal with its templates) carry one signature, over a manifest
// of the rows' envelope digests. Every door refuses a manifest-signed row the database operator
// altered, moved to another position or manifest, replayed at an older revision, or that a
// removed admin key signed, exactly as authority.test.ts's doors refuse a bad per-row signature.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { AdminKey } from '../../../main/fleet/admin-key.js';
import { openFleet } from '../../../main/fleet/cli-context.js';
import { withClient } from '../../../main/fleet/db.js';
import { openDoc, sealDoc } from '../../../main/fleet/entities.js';
import type { DoorConfig } from '../../../main/fleet/local.js';
import { putManifest, writerUrl } from '../../../main/fleet/writer.js';
import { identities, RECOGNIZER } from '../../helpers/fleet-faces.js';
import { adminWrite, cli, frontAndBack } from '../../helpers/fleet-setup.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { skipWithout } from '../../helpers/prerequisites.js';

const skip = skipWithout('postgresql');

interface Stored {
  id: string;
  sealed: Buffer | null;
  revision: string;
  signer: string | null;
  signature: Buffer | null;
  manifest: string | null;
  manifest_pos: number | null;
}

describe(
  'signed batches: one signature for many rows, each row still checked by every door',
  { skip },
  () => {
    let server: PostgresServer;
    let adminUrl: string;
    let root: string;
    let admin: AdminKey;
    let front: DoorConfig;
    let frontDir: string;
    let backDir: string;
    let alice: string;
    let bob: string;
    let aliceTemplates: string[];
    let bobTemplates: string[];
    const [a, b] = identities(2);

    const caughtUp = async (dir: string) => {
      const ctx = await openFleet(dir, { catchUp: true });
      assert.equal(ctx.syncError, null, `${dir} caught up`);
      return { view: ctx.view(), refusals: ctx.refusals.map((r) => r.reason) };
    };
    const stored = (kind: string, id: string) =>
      withClient(adminUrl, async (c) => {
        const r = await c.query<Stored>(
          `SELECT id, sealed, revision, signer, signature, manifest, manifest_pos FROM entities
         WHERE kind = $1 AND id = $2`,
          [kind, id],
        );
        return r.rows[0]!;
      });
    /** The database operator, as the tables' owner: sets columns of a row and gives it a new version. */
    const operatorSet = (kind: string, id: string, set: Partial<Omit<Stored, 'id'>>) =>
      withClient(adminUrl, async (c) => {
        const columns = Object.keys(set);
        await c.query(
          `UPDATE entities SET version = nextval('change_version'),
           ${columns.map((k, i) => `${k} = $${i + 3}`).join(', ')}
         WHERE kind = $1 AND id = $2`,
          [kind, id, ...columns.map((k) => set[k as keyof typeof set])],
        );
      });
    /** Every door refuses the operator's last change with `reason`, and keeps what it held. */
    const refusedByEveryDoor = async (
      reason: RegExp,
      held: (view: Awaited<ReturnType<typeof caughtUp>>['view']) => void,
    ) => {
      for (const dir of [frontDir, backDir]) {
        const { view, refusals } = await caughtUp(dir);
        assert.equal(refusals.length, 1, refusals.join('\n'));
        assert.match(refusals[0]!, reason);
        held(view);
      }
    };
    const templatesOf = (view: Awaited<ReturnType<typeof caughtUp>>['view'], person: string) =>
      view.gallery(RECOGNIZER).find((g) => g.personId === person)?.templates.length ?? 0;

    before(async () => {
      server = await startPostgres();
      ({ adminUrl, root, admin, frontDir, backDir, front } = await frontAndBack(server, 'batches'));
      await adminWrite(front, admin, async (w) => {
        alice = (await w.addPerson('Alice')).id;
        bob = (await w.addPerson('Bob')).id;
        const jitter = (e: Float32Array, k: number) => e.map((x, i) => (i === k ? x + 0.01 : x));
        aliceTemplates = (
          await w.addTemplates(alice, RECOGNIZER, [a!.enroll, jitter(a!.enroll, 0), jitter(a!.enroll, 1)])
        ).map((t) => t.id);
        bobTemplates = (await w.addTemplates(bob, RECOGNIZER, [b!.enroll, jitter(b!.enroll, 0)])).map(
          (t) => t.id,
        );
      });
    });

    after(async () => {
      await server?.close();
      if (root) await rm(root, { recursive: true, force: true });
    });

    it('a person’s templates are one manifest: stored without signatures of their own, applied by every door, checked in the record', async () => {
      const rows = await Promise.all(aliceTemplates.map((id) => stored('template', id)));
      assert.ok(rows.every((r) => r.signature === null && r.signer === admin.keyId));
      assert.equal(new Set(rows.map((r) => r.manifest)).size, 1, 'one manifest');
      assert.deepEqual(
        rows.map((r) => r.manifest_pos),
        [0, 1, 2],
      );
      for (const dir of [frontDir, backDir]) {
        const { view, refusals } = await caughtUp(dir);
        assert.deepEqual(refusals, []);
        assert.equal(templatesOf(view, alice), 3);
        assert.equal(templatesOf(view, bob), 2);
      }
      const r = await cli('fleet', 'changes', '--data-dir', backDir, '--limit', '100', '--json');
      assert.equal(r.code, 0, r.err);
      const { changes } = JSON.parse(r.out) as { changes: { id: string; signature: string }[] };
      const listed = changes.filter((c) => aliceTemplates.includes(c.id));
      assert.deepEqual(
        listed.map((c) => c.signature),
        ['ok', 'ok', 'ok'],
      );
      // A door's own login can neither call the batch write path nor add a manifest.
      await withClient(front.databaseUrl, async (c) => {
        await assert.rejects(
          c.query(`SELECT tobira_put_manifest($1, $2, $3, $4, 'x', '{}', '{}', '{}', '{}', '{}')`, [
            rows[0]!.manifest,
            admin.keyId,
            Buffer.alloc(32),
            Buffer.alloc(64),
          ]),
          /permission denied/,
        );
        await assert.rejects(
          c.query(
            `INSERT INTO manifests (id, signer, digests, signature, signed_by) VALUES ($1, $2, $3, $4, 'x')`,
            [rows[0]!.manifest, admin.keyId, Buffer.alloc(32), Buffer.alloc(64)],
          ),
          /permission denied/,
        );
      });
    });

    it('a manifest-signed row the operator altered, moved to another position or into another manifest is refused by every door', async () => {
      const [t0, t1] = aliceTemplates as [string, string];
      const row = await stored('template', t0);
      const doc = openDoc(front.fleetKey, 'template', t0, row.sealed!);
      const other = sealDoc(front.fleetKey, 'template', t0, { ...doc, embedding: b!.enroll });
      // Altered: Bob's face in Alice's template (an operator who also holds the fleet key).
      await operatorSet('template', t0, { sealed: other });
      await refusedByEveryDoor(/not the one its manifest .* lists at position 0/, (view) =>
        assert.equal(templatesOf(view, alice), 3),
      );
      // Moved: the same bytes at another position of its manifest.
      await operatorSet('template', t0, { sealed: row.sealed, manifest_pos: 1 });
      await refusedByEveryDoor(/lists at position 1/, () => undefined);
      // Into another manifest, at a position that manifest has.
      const bobs = await stored('template', bobTemplates[0]!);
      await operatorSet('template', t0, { manifest: bobs.manifest, manifest_pos: 0 });
      await refusedByEveryDoor(new RegExp(`manifest ${bobs.manifest!} lists at position 0`), () => undefined);
      // A manifest that is not there at all.
      await operatorSet('template', t1, { manifest: alice, manifest_pos: 0 });
      await refusedByEveryDoor(/is not in the database/, (view) => assert.equal(templatesOf(view, alice), 3));
    });

    it('a manifest-signed row replayed at an older revision (a rollback) is refused; the database refuses it too', async () => {
      const before = await stored('template', aliceTemplates[2]!);
      // The admin removes Alice: her templates and her row, tombstoned as one manifest.
      await adminWrite(front, admin, (w) => w.removePerson(alice));
      const removed = await stored('template', aliceTemplates[2]!);
      assert.equal(removed.sealed, null);
      assert.equal(Number(removed.revision), Number(before.revision) + 1);
      for (const dir of [frontDir, backDir]) {
        const { view, refusals } = await caughtUp(dir);
        assert.deepEqual(refusals, []);
        assert.equal(view.people.has(alice), false, 'Alice removed');
        assert.equal(templatesOf(view, alice), 0);
      }
      // Through the function, even as the owner: the older revision is refused.
      await assert.rejects(
        withClient(adminUrl, (c) =>
          c.query(
            `SELECT tobira_put_manifest(gen_random_uuid(), $1, $2, $3, 'operator', '{template}', ARRAY[$4::uuid], ARRAY[$5::uuid], ARRAY[$6::bytea], ARRAY[$7::bigint])`,
            [
              admin.keyId,
              Buffer.alloc(32),
              Buffer.alloc(64),
              aliceTemplates[2],
              alice,
              before.sealed,
              before.revision,
            ],
          ),
        ),
        /is not above revision/,
      );
      // Around it: the old row, its old manifest and position, put back into the table.
      await operatorSet('template', aliceTemplates[2]!, {
        sealed: before.sealed,
        revision: before.revision,
        manifest: before.manifest,
        manifest_pos: before.manifest_pos,
      });
      await refusedByEveryDoor(/revision 1 is not newer than revision 2 held/, (view) =>
        assert.equal(templatesOf(view, alice), 0, 'the template stays removed'),
      );
    });

    it('a manifest signed by a removed admin key is refused; the next good batch lands', async () => {
      const carol = AdminKey.generate(admin.fleet, 'Carol', admin.writer);
      await adminWrite(front, admin, (w) => w.addAdmin(carol.name, carol.publicKey, carol.keyId));
      await adminWrite(front, admin, (w) => w.removeAdmin(carol.keyId));
      for (const dir of [frontDir, backDir]) assert.deepEqual((await caughtUp(dir)).refusals, []);
      // Carol still knows the writer login: the database takes her manifest, the doors do not.
      const bobRow = await stored('template', bobTemplates[1]!);
      await withClient(writerUrl(front.databaseUrl, carol), (c) =>
        putManifest(c, carol, [{ kind: 'template', id: bobTemplates[1]!, parent: bob, sealed: null }]),
      );
      await refusedByEveryDoor(new RegExp(`signer ${carol.keyId} is not an admin key`), (view) =>
        assert.equal(templatesOf(view, bob), 2, 'Bob keeps both templates'),
      );
      assert.equal(
        Number((await stored('template', bobTemplates[1]!)).revision),
        Number(bobRow.revision) + 1,
      );
      // The admin's next batch (one revision above Carol's) lands.
      await withClient(writerUrl(front.databaseUrl, admin), (c) =>
        putManifest(c, admin, [{ kind: 'template', id: bobTemplates[1]!, parent: bob, sealed: null }]),
      );
      for (const dir of [frontDir, backDir]) {
        const { view, refusals } = await caughtUp(dir);
        assert.deepEqual(refusals, []);
        assert.equal(templatesOf(view, bob), 1);
      }
    });
  },
);
