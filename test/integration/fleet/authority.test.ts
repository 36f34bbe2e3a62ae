// Issue 17, "authority is separate from doors", against a real PostgreSQL: a door's own
// credentials (door.json + fleet.key) have no write path left, and every door refuses a change
// that is unsigned, wrongly signed, signed by a removed or unknown key, or an older revision
// replayed by the database operator, keeping the state it holds. On main before this change the
// door's login called tobira_put and wrote people and groups for the whole building.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { AdminKey } from '../../../main/fleet/admin-key.js';
import { openFleet } from '../../../main/fleet/cli-context.js';
import { withClient } from '../../../main/fleet/db.js';
import { FleetDoor } from '../../../main/fleet/door-runtime.js';
import { sealDoc, type GroupDoc } from '../../../main/fleet/entities.js';
import { cliKeyWrapper, type DoorConfig } from '../../../main/fleet/local.js';
import { FleetWriter } from '../../../main/fleet/writer.js';
import { EVENT_WAIT_MS, nextEvent, waitFor } from '../../helpers/deadline.js';
import { identities, RECOGNIZER } from '../../helpers/fleet-faces.js';
import { ADMIN_PASSPHRASE, adminWrite, cli, frontAndBack, secretFile } from '../../helpers/fleet-setup.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres-server.js';
import { skipWithout } from '../../helpers/prerequisites.js';

const skip = skipWithout('postgresql');

const BACK_ONLY: GroupDoc = {
  name: 'Back, office hours',
  doors: ['Back'],
  timeZone: 'Asia/Tokyo',
  windows: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }],
};
const EVERY_DOOR_ALL_WEEK: GroupDoc = {
  name: 'Back, office hours',
  doors: ['*'],
  timeZone: 'Asia/Tokyo',
  windows: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '24:00' }],
};

interface StoredRow {
  kind: string;
  id: string;
  parent: string | null;
  sealed: Buffer | null;
  revision: string;
  signer: string | null;
  signature: Buffer | null;
}

describe('admin-signed changes: doors only read, and verify every change', { skip }, () => {
  let server: PostgresServer;
  let adminUrl: string;
  let root: string;
  let admin: AdminKey;
  let front: DoorConfig;
  let backDir: string;
  let frontDir: string;
  let group: string;
  let alice: string;
  let bob: string;
  const [face] = identities(1);

  /** A door's view after a one-shot catch-up, with what it refused. */
  const caughtUp = async (dir: string) => {
    const ctx = await openFleet(dir, { catchUp: true });
    assert.equal(ctx.syncError, null, `${dir} caught up`);
    return { view: ctx.view(), refusals: ctx.refusals.map((r) => `${r.kind} ${r.id}: ${r.reason}`) };
  };

  /** The database operator, as the owner of the tables: writes a row as it likes, then notifies. */
  const operatorPut = (row: StoredRow) =>
    withClient(adminUrl, async (c: pg.Client) => {
      await c.query(
        `INSERT INTO entities (kind, id, parent, version, sealed, changed_by, revision, signer, signature)
         VALUES ($1, $2, $3, nextval('change_version'), $4, 'operator', $5, $6, $7)
         ON CONFLICT (kind, id) DO UPDATE SET version = EXCLUDED.version, sealed = EXCLUDED.sealed,
           revision = EXCLUDED.revision, signer = EXCLUDED.signer, signature = EXCLUDED.signature`,
        [row.kind, row.id, row.parent, row.sealed, row.revision, row.signer, row.signature],
      );
      await c.query(`NOTIFY tobira_changes`);
    });
  const stored = (kind: string, id: string) =>
    withClient(adminUrl, async (c) => {
      const r = await c.query<StoredRow>(
        'SELECT kind, id, parent, sealed, revision, signer, signature FROM entities WHERE kind = $1 AND id = $2',
        [kind, id],
      );
      return r.rows[0]!;
    });

  before(async () => {
    server = await startPostgres();
    ({ adminUrl, root, admin, frontDir, backDir, front } = await frontAndBack(server, 'authority'));
    await adminWrite(front, admin, async (w) => {
      group = (await w.putGroup(null, BACK_ONLY)).id;
      alice = (await w.addPerson('Alice', [group])).id;
      await w.addTemplate(alice, RECOGNIZER, face!.enroll);
      bob = (await w.addPerson('Bob', [group])).id;
    });
  });

  after(async () => {
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('a door’s own login adds no stranger, widens no group, disables nobody and forges no changed_by, by any path', async () => {
    const stranger = randomUUID();
    const strangerRow = sealDoc(front.fleetKey, 'person', stranger, {
      name: 'Stranger',
      createdAt: new Date().toISOString(),
      disabled: false,
      groups: [group],
    });
    const widened = sealDoc(front.fleetKey, 'group', group, EVERY_DOOR_ALL_WEEK);
    // A key the thief made, and the writer login's name guessed: signatures of a key no door trusts.
    const thief = AdminKey.generate(admin.fleet, 'Thief', { user: 'x', password: 'x' });
    const signed = thief.sign({
      kind: 'person',
      id: stranger,
      parent: null,
      revision: 1,
      sealed: strangerRow,
    });
    await withClient(front.databaseUrl, async (c) => {
      const refused = async (what: string, sql: string, params: unknown[]) =>
        assert.rejects(c.query(sql, params), /permission denied|does not exist/, what);
      await refused('the old tobira_put', `SELECT tobira_put('person', $1, NULL, $2, 'Front')`, [
        stranger,
        strangerRow,
      ]);
      await refused(
        'tobira_put_signed',
        `SELECT tobira_put_signed('person', $1, NULL, $2, 1, $3, $4, 'Ayumi')`,
        [stranger, strangerRow, signed.signer, signed.signature],
      );
      await refused(
        'INSERT into entities',
        `INSERT INTO entities (kind, id, version, sealed, changed_by) VALUES ('person', $1, 999999, $2, 'Ayumi')`,
        [stranger, strangerRow],
      );
      await refused('UPDATE of a group', `UPDATE entities SET sealed = $2 WHERE kind = 'group' AND id = $1`, [
        group,
        widened,
      ]);
      await refused('UPDATE of changed_by', `UPDATE entities SET changed_by = 'Ayumi' WHERE id = $1`, [bob]);
      await refused('DELETE of a person', `DELETE FROM entities WHERE id = $1`, [bob]);
      await refused(
        'INSERT into the signed record',
        `INSERT INTO signed_changes (version, kind, id, revision, signer, signature, signed_by) VALUES (999999, 'person', $1, 1, $1, $2, 'Ayumi')`,
        [stranger, signed.signature],
      );
      await refused('the writers’ lock', `BEGIN; LOCK TABLE writer_lock IN EXCLUSIVE MODE`, []);
      await c.query('ROLLBACK');
      // The old write path in the code: a FleetWriter on the door's login.
      await assert.rejects(
        new FleetWriter(c, front.fleetKey, thief).setDisabled(bob, true),
        /permission denied/,
        'FleetWriter on the door’s login',
      );
    });
    // The CLI in the door's folder, with no admin key: refused before any connection.
    const disable = await cli('fleet', 'person', '--data-dir', frontDir, '--disable', 'Bob');
    assert.equal(disable.code, 1, disable.out);
    assert.match(disable.err, /needs an admin key/);

    const { view, refusals } = await caughtUp(backDir);
    assert.deepEqual(refusals, []);
    assert.equal(view.people.has(stranger), false, 'no stranger');
    assert.deepEqual(view.groups.get(group)?.doors, ['Back'], 'the group is not widened');
    assert.equal(view.people.get(bob)?.disabled, false, 'Bob is not disabled');
  });

  it('a sealed row the database operator replays (a rolled-back revision) is refused by every door, which keeps the newer state', async () => {
    const enabled = await stored('person', bob);
    await adminWrite(front, admin, (w) => w.setDisabled(bob, true));
    for (const dir of [frontDir, backDir])
      assert.equal((await caughtUp(dir)).view.people.get(bob)?.disabled, true);
    const disabled = await stored('person', bob);
    assert.equal(Number(disabled.revision), Number(enabled.revision) + 1, 'one revision more');

    // Through the function, even as the table's owner: the database refuses an older revision.
    await assert.rejects(
      withClient(adminUrl, (c) =>
        c.query(`SELECT tobira_put_signed('person', $1, NULL, $2, $3, $4, $5, 'operator')`, [
          bob,
          enabled.sealed,
          enabled.revision,
          enabled.signer,
          enabled.signature,
        ]),
      ),
      /is not above revision/,
    );
    // Around it, straight into the table: every door refuses it.
    await operatorPut(enabled);
    for (const dir of [frontDir, backDir]) {
      const { view, refusals } = await caughtUp(dir);
      assert.equal(view.people.get(bob)?.disabled, true, `${dir}: Bob stays disabled`);
      assert.equal(refusals.length, 1, refusals.join('\n'));
      assert.match(refusals[0]!, /revision 1 is not newer than revision 2 held/);
    }
  });

  it('a row with a wrong or missing signature, or signed by a removed or unknown admin key, is refused; the next good change lands', async () => {
    const back = await FleetDoor.open(backDir, await cliKeyWrapper(backDir, false));
    const caught = nextEvent(back, 'connected', 'the Back door connected');
    await back.start();
    await caught;
    try {
      const before = back.status().refused_changes;
      const refusedNext = () => nextEvent<{ message: string }>(back, 'refused', 'a refusal');
      const row = await stored('group', group);
      const widened = sealDoc(front.fleetKey, 'group', group, EVERY_DOOR_ALL_WEEK);
      const next = String(Number(row.revision) + 1);

      // Missing: no signature at all.
      let refusal = refusedNext();
      await operatorPut({ ...row, sealed: widened, revision: next, signer: null, signature: null });
      assert.match((await refusal).message, /carries no admin signature/);
      // Wrong: the admin's real signature over other bytes.
      refusal = refusedNext();
      await operatorPut({ ...row, sealed: widened, revision: next });
      assert.match((await refusal).message, /signature does not match/);
      // Unknown: a key no admin added, signing correctly.
      const thief = AdminKey.generate(admin.fleet, 'Thief', admin.writer);
      refusal = refusedNext();
      const byThief = thief.sign({
        kind: 'group',
        id: group,
        parent: null,
        revision: Number(next),
        sealed: widened,
      });
      await operatorPut({ ...row, sealed: widened, revision: next, ...byThief });
      assert.match((await refusal).message, /not an admin key this door trusts/);
      // Removed: Carol was an admin, then removed; what she signs after is refused.
      const carol = AdminKey.generate(admin.fleet, 'Carol', admin.writer);
      await adminWrite(front, admin, (w) => w.addAdmin(carol.name, carol.publicKey, carol.keyId));
      await adminWrite(front, admin, (w) => w.removeAdmin(carol.keyId));
      refusal = refusedNext();
      const current = await stored('group', group);
      const byCarol = carol.sign({
        kind: 'group',
        id: group,
        parent: null,
        revision: Number(current.revision) + 1,
        sealed: widened,
      });
      await operatorPut({
        ...current,
        sealed: widened,
        revision: String(Number(current.revision) + 1),
        ...byCarol,
      });
      assert.match((await refusal).message, new RegExp(`signer ${carol.keyId} is not an admin key`));

      assert.deepEqual(
        back.fleetView.groups.get(group)?.doors,
        ['Back'],
        'the group is as the admin left it',
      );
      assert.equal(back.status().refused_changes, before + 4);
      // The door did not stop: the admin's next change (signed, one revision above the refused ones) lands.
      await adminWrite(front, admin, (w) => w.renamePerson(alice, 'Alice Abe'));
      await waitFor(
        () => (back.fleetView.people.get(alice)?.name === 'Alice Abe' ? true : undefined),
        EVENT_WAIT_MS,
        'the admin’s rename at the Back door',
      );
    } finally {
      await back.close();
    }
  });

  it('admin keys: added and removed by signed changes the doors apply; the last one cannot be removed', async () => {
    const before = (await caughtUp(frontDir)).view.admins;
    assert.deepEqual(
      [...before.values()].map((a) => a.name),
      ['Ayumi'],
    );
    const dave = AdminKey.generate(admin.fleet, 'Dave', admin.writer);
    await adminWrite(front, admin, (w) => w.addAdmin(dave.name, dave.publicKey, dave.keyId));
    // Dave's own change is applied by the doors, and he can remove Ayumi.
    await adminWrite(front, dave, (w) => w.setDisabled(alice, true));
    assert.equal((await caughtUp(backDir)).view.people.get(alice)?.disabled, true);
    await adminWrite(front, dave, (w) => w.removeAdmin(admin.keyId));
    await assert.rejects(
      adminWrite(front, dave, (w) => w.removeAdmin(dave.keyId)),
      /last admin key/,
    );
    const { view, refusals } = await caughtUp(backDir);
    assert.deepEqual(refusals, []);
    assert.deepEqual(
      [...view.admins.values()].map((a) => a.name),
      ['Dave'],
    );
    // Ayumi's key is no longer trusted: the CLI says so before writing anything ...
    const keyFile = path.join(root, 'removed.key');
    await admin.save(keyFile, ADMIN_PASSPHRASE);
    const refused = await cli(
      'fleet',
      'person',
      '--data-dir',
      frontDir,
      '--enable',
      '--admin-key',
      keyFile,
      '--passphrase-file',
      secretFile(ADMIN_PASSPHRASE),
      alice,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.err, /is not one the doors trust \(never added, or removed\)/);
    // ... and a change she still signs (her writer login works) is refused by every door.
    await adminWrite(front, admin, (w) => w.setDisabled(alice, false));
    const after = await caughtUp(backDir);
    assert.equal(after.view.people.get(alice)?.disabled, true, 'Alice stays disabled');
    assert.match(after.refusals.join('\n'), new RegExp(`signer ${admin.keyId} is not an admin key`));
  });

  it('the record of signed changes says who signed what, each signature checked again', async () => {
    const r = await cli('fleet', 'changes', '--data-dir', backDir, '--limit', '100', '--json');
    assert.equal(r.code, 0, r.err);
    const { changes } = JSON.parse(r.out) as {
      changes: { kind: string; id: string; revision: number; signerName: string | null; signature: string }[];
    };
    // Newest first: Ayumi's last change (her key removed by then, so not checked), Dave's removal
    // of her key, …; oldest: the fleet's first admin row, signed by Ayumi.
    assert.deepEqual(
      [changes[0]!.kind, changes[0]!.id, changes[0]!.signature],
      ['person', alice, 'unknown_key'],
    );
    assert.deepEqual(
      [changes[1]!.kind, changes[1]!.id, changes[1]!.signerName, changes[1]!.signature],
      ['admin', admin.keyId, 'Dave', 'ok'],
    );
    assert.deepEqual(
      [changes.at(-1)!.kind, changes.at(-1)!.id, changes.at(-1)!.revision],
      ['admin', admin.keyId, 1],
    );
    assert.ok(
      changes.every((c) => c.signature !== 'bad'),
      'no recorded signature fails',
    );
    // The operator's rows written around tobira_put_signed never reach the record.
    assert.equal(changes.filter((c) => c.kind === 'group').length, 2, 'Everyone and Back, office hours');
    // An altered record is named: Dave's removal of Ayumi's key, its revision changed.
    await withClient(adminUrl, (c) =>
      c.query(
        `UPDATE signed_changes SET revision = revision + 1
         WHERE kind = 'admin' AND id = $1 AND revision = 2`,
        [admin.keyId],
      ),
    );
    const altered = JSON.parse((await cli('fleet', 'changes', '--data-dir', backDir, '--json')).out) as {
      changes: typeof changes;
    };
    assert.deepEqual(
      altered.changes.filter((c) => c.id === admin.keyId).map((c) => c.signature),
      ['bad', 'unknown_key'],
      'the removal fails its check; the key’s first row was signed by the key removed',
    );
  });

  it('a passphrase opens the key file; a wrong one, or an altered file, does not', async () => {
    const file = path.join(root, 'ayumi.key');
    await admin.save(file, 'a long passphrase');
    const opened = await AdminKey.open(file, 'a long passphrase');
    assert.equal(opened.keyId, admin.keyId);
    await assert.rejects(AdminKey.open(file, 'another passphrase'), /wrong passphrase/);
    await assert.rejects(admin.save(file, 'a long passphrase'), /exists already/);
    await assert.rejects(admin.save(path.join(root, 'short.key'), 'short'), /at least 10 characters/);
    const text = await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8'));
    const altered = text
      .replace(/"name": "Ayumi"/, '"name": "Mallory"')
      .replace(
        /"publicKey": "[^"]+"/,
        `"publicKey": "${AdminKey.generate(admin.fleet, 'x', admin.writer).publicKey}"`,
      );
    await assert.rejects(AdminKey.fromText(altered, 'a long passphrase'), /key id does not match/);
  });
});
