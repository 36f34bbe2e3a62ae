// The replica's on-disk and on-database formats without a database: format-2 snapshots (sealed
// index, rows pinned by their GCM tags), format-1 snapshots and format-1 (JSON) templates from
// older builds, the view moved forward batch by batch against one built from scratch, and the
// binary COPY reader fed streams cut anywhere. Embeddings are random unit vectors: storage is
// under test here, not recognition (the three-door and CLI tests use real faces).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { seal } from '../../../main/store/crypto.js';
import { CopyOutRows } from '../../../main/fleet/copy-out.js';
import { openDoc, sealDoc } from '../../../main/fleet/entities.js';
import { fleetDir } from '../../../main/fleet/local.js';
import { Replica, type EntityRow } from '../../../main/fleet/replica.js';
import { decodeRows, encodeRows } from '../../../main/fleet/replica-codec.js';
import { AdminKey } from '../../../main/fleet/admin-key.js';
import { FleetView } from '../../../main/fleet/view.js';

const fleetKey = randomBytes(32);
const localKey = randomBytes(32);
const FLEET = randomUUID();
const GROUP = randomUUID();
/** 512: ArcFace (w600k) embedding length. */
const DIM = 512;

function unit(): Float32Array {
  const v = Float32Array.from({ length: DIM }, () => Math.random() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

let version = 0;
const person = (id: string, name: string, disabled = false): EntityRow => ({
  kind: 'person',
  id,
  parent: null,
  version: ++version,
  sealed: sealDoc(fleetKey, 'person', id, {
    name,
    createdAt: '2026-01-01T00:00:00Z',
    disabled,
    groups: [GROUP],
  }),
});
const template = (id: string, personId: string, recognizerId = 'r'): EntityRow => ({
  kind: 'template',
  id,
  parent: personId,
  version: ++version,
  sealed: sealDoc(fleetKey, 'template', id, {
    personId,
    recognizerId,
    createdAt: '2026-01-01T00:00:00Z',
    embedding: unit(),
  }),
});
const tombstone = (kind: EntityRow['kind'], id: string, parent: string | null = null): EntityRow => ({
  kind,
  id,
  parent,
  version: ++version,
  sealed: null,
});
const group = (): EntityRow => ({
  kind: 'group',
  id: GROUP,
  parent: null,
  version: ++version,
  sealed: sealDoc(fleetKey, 'group', GROUP, { name: 'All', doors: ['*'], timeZone: 'UTC', windows: [] }),
});

/** A building: `people` people with 5 templates each, one group. */
function building(people: number): { rows: EntityRow[]; ids: string[] } {
  const rows: EntityRow[] = [group()];
  const ids: string[] = [];
  for (let p = 0; p < people; p++) {
    const id = randomUUID();
    ids.push(id);
    rows.push(person(id, `Person ${p}`));
    for (let t = 0; t < 5; t++) rows.push(template(randomUUID(), id));
  }
  return { rows, ids };
}

/** What a view says, in a form deepEqual compares (`values`: the gallery's decoded templates too). */
function describeView(v: FleetView, values = true) {
  return {
    version: v.version,
    people: [...v.people.values()]
      .map((p) => ({ id: p.id, name: p.name, disabled: p.disabled, templates: p.templates.map((t) => t.id) }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    groups: [...v.groups.keys()].sort(),
    gallery: v
      .gallery('r')
      .map((g) => ({
        personId: g.personId,
        name: g.name,
        templates: values ? g.templates.map((e) => [...e]) : g.count,
      }))
      .sort((a, b) => a.personId.localeCompare(b.personId)),
  };
}

describe('replica formats', () => {
  const dirs: string[] = [];
  after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const fresh = async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'tobira-replica-fmt-'));
    dirs.push(d);
    await mkdir(fleetDir(d), { recursive: true });
    return d;
  };

  it('a first sync becomes a format-3 snapshot that reopens to the same rows; altered bytes are refused row by row', async () => {
    const dir = await fresh();
    const { rows, ids } = building(250); // 1,501 rows: above the 1,000 that go straight to a snapshot
    const r = await Replica.open(dir, localKey, FLEET);
    assert.equal(await r.apply(rows, 5000), rows.length);
    const file = path.join(fleetDir(dir), 'replica.snapshot');
    const snapshot = await readFile(file);
    assert.equal(snapshot.subarray(0, 8).toString('latin1'), 'TBRSNAP3');
    await assert.rejects(stat(path.join(fleetDir(dir), 'replica.journal')), /ENOENT/, 'no journal frame');
    assert.equal(snapshot.includes(Buffer.from(ids[0]!.replaceAll('-', ''), 'hex')), false, 'ids are sealed');
    assert.equal(snapshot.includes(Buffer.from('Person 1')), false, 'names are sealed');

    const reopened = await Replica.open(dir, localKey, FLEET);
    assert.equal(reopened.version, r.version);
    assert.equal(reopened.syncedAt, 5000);
    for (const row of rows) assert.deepEqual(reopened.get(row.kind, row.id), row);
    assert.deepEqual(
      describeView(new FleetView(reopened, fleetKey)),
      describeView(new FleetView(r, fleetKey)),
    );

    // One byte of a template's ciphertext: the replica opens, the fleet key's tag refuses the row
    // when the view opens it; the view leaves that template out and says why.
    const victim = rows[10]!;
    assert.equal(victim.kind, 'template');
    const owner = victim.parent!;
    const at = snapshot.indexOf(victim.sealed!);
    assert.ok(at > 0);
    const body = Buffer.from(snapshot);
    body[at + 40]! ^= 1;
    await writeFile(file, body);
    const altered = await Replica.open(dir, localKey, FLEET);
    const reported: string[] = [];
    const view = new FleetView(altered, fleetKey, undefined, (u) => reported.push(`${u.id}: ${u.reason}`));
    assert.deepEqual(reported, [
      `${victim.id}: template ${victim.id} does not open with this fleet's key (altered row?)`,
    ]);
    assert.equal(view.people.get(owner)!.templates.length, 4, 'the altered template is left out');
    assert.equal(view.people.size, 250, 'everyone else is there');
    // Its AES-GCM tag (bytes 12 to 28), which the sealed index pins: refused when the row is read, naming it.
    const pin = Buffer.from(snapshot);
    pin[at + 15]! ^= 1;
    await writeFile(file, pin);
    const pinned = await Replica.open(dir, localKey, FLEET);
    assert.throws(
      () => pinned.get(victim.kind, victim.id),
      new RegExp(`template ${victim.id} was altered on disk`),
    );
    assert.equal(new FleetView(pinned, fleetKey).unreadable.length, 1);
    // A person's row: that person is left out (the door refuses them as unknown), the rest stay.
    const personRow = rows[1]!;
    const personAt = snapshot.indexOf(personRow.sealed!);
    const personPin = Buffer.from(snapshot);
    personPin[personAt + 20]! ^= 1;
    await writeFile(file, personPin);
    const noPerson = new FleetView(await Replica.open(dir, localKey, FLEET), fleetKey);
    assert.deepEqual(noPerson.access(personRow.id, 'door', 0), { ok: false, reason: 'unknown_person' });
    assert.equal(noPerson.people.size, 249);
    assert.match(noPerson.unreadable[0]!.reason, /was altered on disk/);

    await writeFile(file, snapshot.subarray(0, snapshot.length - 1));
    await assert.rejects(Replica.open(dir, localKey, FLEET), /the replica is cut short/);
    await writeFile(file, Buffer.concat([snapshot, Buffer.from([0])]));
    await assert.rejects(Replica.open(dir, localKey, FLEET), /length does not match its index/);
    await writeFile(file, snapshot);
    await assert.rejects(Replica.open(dir, randomBytes(32), FLEET), /failed authentication/);
  });

  it('rows read lazily from the journal and, after a compaction, from the new snapshot (a template held from before reads the same)', async () => {
    const dir = await fresh();
    const { rows, ids } = building(250);
    const r = await Replica.open(dir, localKey, FLEET);
    await r.apply(rows, 1);
    const more = building(2);
    await r.apply(more.rows, 2); // a small batch: a journal frame
    const view = new FleetView(r, fleetKey);
    const held = view.people.get(more.ids[0]!)!.templates[0]!;
    const oldHeld = view.people.get(ids[0]!)!.templates[0]!;
    const before = [view.embedding(held).join(), view.embedding(oldHeld).join()];
    const journal = path.join(fleetDir(dir), 'replica.journal');
    assert.equal((await readFile(journal)).subarray(0, 8).toString('latin1'), 'TBRJRNL2');
    await r.compact();
    await assert.rejects(stat(journal), /ENOENT/);
    assert.deepEqual([view.embedding(held).join(), view.embedding(oldHeld).join()], before);
    // rows[0] is the group, sent again (newer) in the second batch.
    for (const row of [...rows.slice(1), ...more.rows]) assert.deepEqual(r.get(row.kind, row.id), row);
    const reopened = await Replica.open(dir, localKey, FLEET);
    assert.deepEqual(describeView(new FleetView(reopened, fleetKey)), describeView(view));
  });

  it("a journal's last frame whose rows' bytes were not all written is dropped on open (its pins do not match)", async () => {
    const dir = await fresh();
    const r = await Replica.open(dir, localKey, FLEET);
    const [a, b] = [randomUUID(), randomUUID()];
    await r.apply([person(a, 'Ann')], 1);
    const kept = r.version;
    const journal = path.join(fleetDir(dir), 'replica.journal');
    const good = (await stat(journal)).size;
    const ben = person(b, 'Ben');
    await r.apply([ben], 2);
    // What a power cut may leave: the frame's length and index on disk, its row's bytes not (zeros).
    const bytes = await readFile(journal);
    const at = bytes.indexOf(ben.sealed!);
    assert.ok(at > good);
    bytes.fill(0, at, bytes.length);
    await writeFile(journal, bytes);
    const reopened = await Replica.open(dir, localKey, FLEET);
    assert.equal(reopened.version, kept, 'the torn batch is not applied (it is pulled again)');
    assert.equal(reopened.get('person', b), undefined);
    assert.equal(new FleetView(reopened, fleetKey).people.get(a)?.name, 'Ann');
    assert.equal((await stat(journal)).size, good, 'cut back to the last whole frame');
  });

  it('two writers on one folder (the CLI beside a door): neither reads another row at its offsets, and the files stay whole', async () => {
    const dir = await fresh();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const door = await Replica.open(dir, localKey, FLEET);
    const ann = person(a, 'Ann');
    await door.apply([ann], 1);
    const cli = await Replica.open(dir, localKey, FLEET);
    const ben = person(b, 'Ben');
    await cli.apply([ben], 2); // appended behind the door's back
    const cai = person(c, 'Cai');
    await door.apply([ben, cai], 3); // the door sees the journal changed: it writes its state anew
    for (const row of [ann, ben, cai]) assert.deepEqual(door.get(row.kind, row.id), row);
    assert.deepEqual(cli.get('person', b), ben, 'the CLI still reads its rows (its files stay open)');
    const reopened = await Replica.open(dir, localKey, FLEET);
    assert.equal(reopened.version, door.version);
    for (const row of [ann, ben, cai]) assert.deepEqual(reopened.get(row.kind, row.id), row);
  });

  it('a format-2 snapshot and a format-1 journal written by an older build open, and are migrated', async () => {
    const dir = await fresh();
    const { rows } = building(20);
    const signedOne = signedRow(person(randomUUID(), 'Signed'), 4);
    const snapRows = [...rows, signedOne];
    const header = (v: number) => {
      const h = Buffer.from(JSON.stringify({ fleet: FLEET, version: v, syncedAt: 7000 }), 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(h.length);
      return Buffer.concat([len, h]);
    };
    // Format 2 as the older replica.ts wrote it: sealed index (header, row heads, pins), then the bodies.
    const heads = encodeRows(snapRows, false);
    const headsLen = Buffer.alloc(4);
    headsLen.writeUInt32LE(heads.length);
    const pins = Buffer.concat(snapRows.flatMap((x) => (x.sealed ? [x.sealed.subarray(0, 28)] : [])));
    const index = seal(
      localKey,
      Buffer.concat([header(version), headsLen, heads, pins]),
      'tobira-fleet/v2/replica-snapshot-index',
    );
    const indexLen = Buffer.alloc(4);
    indexLen.writeUInt32LE(index.length);
    const bodies = snapRows.flatMap((x) => (x.sealed ? [x.sealed] : []));
    await writeFile(
      path.join(fleetDir(dir), 'replica.snapshot'),
      Buffer.concat([Buffer.from('TBRSNAP2', 'latin1'), indexLen, index, ...bodies]),
    );
    // A format-1 journal frame: u32 length | the whole batch sealed.
    const later = [person(rows[1]!.id, 'Renamed')];
    const frame = seal(
      localKey,
      Buffer.concat([header(version), encodeRows(later)]),
      'tobira-fleet/v1/replica-journal',
    );
    const frameLen = Buffer.alloc(4);
    frameLen.writeUInt32LE(frame.length);
    await writeFile(path.join(fleetDir(dir), 'replica.journal'), Buffer.concat([frameLen, frame]));

    const r = await Replica.open(dir, localKey, FLEET);
    assert.equal(r.version, version);
    const migrated = await readFile(path.join(fleetDir(dir), 'replica.snapshot'));
    assert.equal(migrated.subarray(0, 8).toString('latin1'), 'TBRSNAP3', 'migrated on open');
    await assert.rejects(stat(path.join(fleetDir(dir), 'replica.journal')), /ENOENT/);
    assert.deepEqual(r.get('person', signedOne.id), signedOne, 'the signature survived the migration');
    const v = new FleetView(await Replica.open(dir, localKey, FLEET), fleetKey);
    assert.equal(v.people.get(rows[1]!.id)!.name, 'Renamed');
    assert.equal(v.gallery('r').length, 20);
    assert.equal(v.people.size, 21);
  });

  it('a format-1 snapshot written by an older build still opens', async () => {
    const dir = await fresh();
    const { rows } = building(3);
    const header = Buffer.from(JSON.stringify({ fleet: FLEET, version: version, syncedAt: 7000 }), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(header.length);
    const plain = Buffer.concat([len, header, encodeRows(rows)]);
    await writeFile(
      path.join(fleetDir(dir), 'replica.snapshot'),
      seal(localKey, plain, 'tobira-fleet/v1/replica-snapshot'),
    );
    const r = await Replica.open(dir, localKey, FLEET);
    assert.equal(r.version, version);
    assert.equal(new FleetView(r, fleetKey).gallery('r').length, 3);
  });

  it('templates: format 2 round-trips exactly, format 1 (JSON) still opens, bad ones are clear errors', () => {
    const id = randomUUID();
    const personId = randomUUID();
    const embedding = unit();
    const doc = { personId, recognizerId: 'w600k_r50', createdAt: '2026-02-03T04:05:06.789Z', embedding };
    const opened = openDoc(fleetKey, 'template', id, sealDoc(fleetKey, 'template', id, doc));
    assert.deepEqual(opened, doc);
    const aad = `tobira-fleet/v1/template/${id}`;
    const json = JSON.stringify({ ...doc, embedding: Buffer.from(embedding.buffer).toString('base64') });
    assert.deepEqual(openDoc(fleetKey, 'template', id, seal(fleetKey, Buffer.from(json), aad)), doc);

    const good = Buffer.from(seal(fleetKey, Buffer.alloc(0), aad)); // only for its shape below
    assert.ok(good.length === 28);
    const format2 = (body: Buffer) => seal(fleetKey, body, aad);
    const head = Buffer.concat([Buffer.from([2]), Buffer.from(personId.replaceAll('-', ''), 'hex')]);
    const str = (s: string) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]);
    const table: [string, Buffer, RegExp][] = [
      ['unknown format byte', Buffer.from([9, 1, 2, 3]), /unknown template format 9/],
      ['cut inside the person id', head.subarray(0, 10), /cut short/],
      [
        'cut inside the recognizer id',
        Buffer.concat([head, Buffer.from([40]), Buffer.from('abc')]),
        /cut short/,
      ],
      ['no embedding', Buffer.concat([head, str('r'), str('2026')]), /byte length 0/],
      [
        'embedding not whole floats',
        Buffer.concat([head, str('r'), str('2026'), Buffer.alloc(6)]),
        /byte length 6/,
      ],
      ['JSON missing fields', Buffer.from('{"personId":"x"}'), /recognizerId/],
    ];
    for (const [what, body, expected] of table) {
      assert.throws(() => openDoc(fleetKey, 'template', id, format2(body)), expected, what);
    }
    assert.throws(
      () => sealDoc(fleetKey, 'template', id, { ...doc, embedding: Float32Array.from([Number.NaN]) }),
      /NaN/,
    );
    assert.throws(() => sealDoc(fleetKey, 'template', id, { ...doc, personId: 'not-a-uuid' }), /not a UUID/);
  });

  it('a view moved forward batch by batch equals one built from scratch, and leaves the old view as it was', async () => {
    const dir = await fresh();
    const { rows, ids } = building(40);
    const r = await Replica.open(dir, localKey, FLEET);
    await r.apply(rows, 1);
    let view = new FleetView(r, fleetKey);
    view.gallery('r'); // built before the changes: it must move forward too
    const [a, b, c] = ids;
    const aTemplates = view.people.get(a!)!.templates.map((t) => t.id);
    const first = view;
    const doomed = view.people.get(a!)!.templates[0]!;
    const newcomer = randomUUID();
    const newTemplate = randomUUID();
    const batches: EntityRow[][] = [
      [template(randomUUID(), a!)], // a template more
      [person(b!, 'Person 1', true)], // disabled: still matched, refused as person_disabled
      [tombstone('template', aTemplates[0]!, a!), tombstone('template', aTemplates[1]!, a!)],
      // A template before its person in one batch (rows of several transactions).
      [template(newTemplate, newcomer), person(newcomer, 'Newcomer')],
      [person(a!, 'Renamed')],
      [tombstone('person', c!)],
      [template(randomUUID(), newcomer, 'other recognizer'), group()],
    ];
    for (const batch of batches) {
      const before = describeView(view, false);
      const old = view;
      await r.apply(batch, 2);
      view = new FleetView(r, fleetKey, old);
      assert.deepEqual(describeView(view), describeView(new FleetView(r, fleetKey)));
      // Its templates are read from the replica: one deleted since no longer decodes (below).
      assert.deepEqual(describeView(old, false), before, 'the previous view is not changed');
    }
    // A template deleted since a view was built: that view says so when asked for its values.
    assert.throws(
      () => first.embedding(doomed),
      new RegExp(`template ${aTemplates[0]!} was deleted since this view was built`),
    );
    assert.equal(view.people.get(a!)!.name, 'Renamed');
    assert.equal(view.people.get(a!)!.templates.length, 4);
    assert.equal(
      view.gallery('r').some((g) => g.personId === b),
      true,
      'a disabled person stays in the gallery (door-rules.ts refuses them as person_disabled)',
    );
    assert.equal(
      view.gallery('r').some((g) => g.personId === c),
      false,
      'a deleted person leaves it',
    );
    assert.equal(view.people.has(c!), false);
    assert.deepEqual(
      view.people
        .get(newcomer)!
        .templates.map((t) => t.id)
        .includes(newTemplate),
      true,
    );
    // A view older than what the replica remembers is rebuilt from all rows, to the same result.
    const reopened = await Replica.open(dir, localKey, FLEET);
    assert.equal(reopened.changesSince(0), null);
    assert.deepEqual(describeView(new FleetView(reopened, fleetKey, view)), describeView(view));
  });
});

/** A binary COPY stream as PostgreSQL sends it (COPY "Binary Format" in its documentation). */
function copyStream(rows: EntityRow[], manifests = false): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  const field = (b: Buffer | null) => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b ? b.length : -1);
    parts.push(len, ...(b ? [b] : []));
  };
  const uuid = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
  for (const r of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(manifests ? 10 : 8);
    parts.push(count);
    field(Buffer.from(r.kind));
    field(uuid(r.id));
    field(r.parent ? uuid(r.parent) : null);
    const v = Buffer.alloc(8);
    v.writeBigInt64BE(BigInt(r.version));
    field(v);
    field(r.sealed);
    const revision = Buffer.alloc(8);
    revision.writeBigInt64BE(BigInt(r.signed?.revision ?? 0));
    field(revision);
    field(r.signed ? uuid(r.signed.signer) : null);
    field(r.signed?.manifest ? null : (r.signed?.signature ?? null));
    if (!manifests) continue;
    const m = r.signed?.manifest;
    const position = Buffer.alloc(4);
    position.writeInt32BE(m?.position ?? 0);
    field(m ? uuid(m.id) : null);
    field(m ? position : null);
  }
  const end = Buffer.alloc(2);
  end.writeInt16BE(-1);
  parts.push(end);
  return Buffer.concat(parts);
}

async function readCopy(stream: Buffer, cut: number): Promise<EntityRow[]> {
  const q = new CopyOutRows('unused');
  for (let i = 0; i < stream.length; i += cut) {
    // pg reuses its receive buffer: hand over a copy and scribble over it after.
    const chunk = Buffer.from(stream.subarray(i, i + cut));
    q.handleCopyData({ chunk });
    chunk.fill(0xaa);
  }
  q.handleCommandComplete();
  q.handleReadyForQuery();
  return q.done;
}

/** `row` with an admin's signature over it (admin-key.ts), as the change feed delivers it. */
const signedRow = (row: EntityRow, revision: number): EntityRow => {
  const admin = AdminKey.generate(FLEET, 'Ann', { user: 'w', password: 'w' });
  return { ...row, signed: { revision, ...admin.sign({ ...row, revision }) } };
};

describe('binary COPY reader', () => {
  const rows = [
    person(randomUUID(), 'Ann'),
    signedRow(template(randomUUID(), randomUUID()), 3),
    signedRow(tombstone('person', randomUUID()), 7),
  ];
  const stream = copyStream(rows);

  it('a signed row keeps its revision, signer and signature through the replica codec; unsigned rows read as before', () => {
    assert.deepEqual(decodeRows(encodeRows(rows)), rows);
    assert.deepEqual(
      decodeRows(encodeRows(rows, false), {
        bytes: Buffer.concat(rows.flatMap((r) => (r.sealed ? [r.sealed] : []))),
        at: 0,
      }),
      rows,
    );
  });

  it('reads the rows whatever the message boundaries', async () => {
    for (const cut of [1, 3, 7, 64, 1000, stream.length])
      assert.deepEqual(await readCopy(stream, cut), rows, `cut ${cut}`);
  });

  it('a row signed through a manifest (schema 6: 10 columns) keeps its manifest and position, through COPY and the replica codec', async () => {
    const inManifest: EntityRow = {
      ...template(randomUUID(), randomUUID()),
      signed: {
        revision: 2,
        signer: randomUUID(),
        signature: Buffer.alloc(0),
        manifest: { id: randomUUID(), position: 9_999 },
      },
    };
    const mixed = [...rows, inManifest];
    const stream10 = copyStream(mixed, true);
    for (const cut of [1, 7, 1000]) assert.deepEqual(await readCopy(stream10, cut), mixed, `cut ${cut}`);
    assert.deepEqual(decodeRows(encodeRows(mixed)), mixed);
  });

  it('bad streams: each a clear error', async () => {
    const wrongCount = Buffer.from(stream);
    wrongCount.writeInt16BE(4, 19);
    const table: [string, Buffer, RegExp][] = [
      [
        'not binary COPY',
        Buffer.concat([Buffer.from('kind\tid\n'), Buffer.alloc(20)]),
        /not PostgreSQL binary COPY/,
      ],
      ['wrong column count', wrongCount, /expected 8 or 10 columns, got 4/],
      ['ends mid-row', stream.subarray(0, stream.length - 40), /ended mid-row/],
      ['no end marker', stream.subarray(0, stream.length - 2), /ended mid-row/],
    ];
    for (const [what, bad, expected] of table) await assert.rejects(readCopy(bad, 5), expected, what);
  });
});
