// The fleet door's one rule (main/fleet/door-rules.ts) as a table, on a real replica and view
// (sealed rows in a temp folder; no database): the offline grace first, then a disabled person,
// one the replica no longer holds, and the access groups' doors and hours. The same rule serves
// the kiosk, `tobira fleet run` and `tobira identify` (one-decision-path.test.ts runs all three).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fleetRefusal, graceLeftMs, type FleetRefusal } from '../../../main/fleet/door-rules.js';
import { sealDoc } from '../../../main/fleet/entities.js';
import { fleetDir } from '../../../main/fleet/local.js';
import { Replica, type EntityRow } from '../../../main/fleet/replica.js';
import { FleetView } from '../../../main/fleet/view.js';
import { personRow } from '../../helpers/fleet-rows.js';

const fleetKey = randomBytes(32);
const OFFICE = randomUUID();
const ANN = randomUUID();
const DAN = randomUUID();
const GONE = randomUUID();
// Monday 2026-06-01 in Tokyo (UTC+9, no DST): 10:00 and 18:00 local.
const MON_10_TOKYO = Date.parse('2026-06-01T01:00:00Z');
const MON_18_TOKYO = Date.parse('2026-06-01T09:00:00Z');

const person = (id: string, name: string, disabled: boolean, version: number): EntityRow =>
  personRow(fleetKey, id, version, { name, disabled, groups: [OFFICE] });

describe('the fleet door rule', () => {
  let dir: string;
  let view: FleetView;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tobira-door-rules-'));
    const fleet = randomUUID();
    await mkdir(fleetDir(dir), { recursive: true }); // as joining makes it
    const replica = await Replica.open(dir, randomBytes(32), fleet);
    const office = {
      name: 'Office',
      doors: ['Front'],
      timeZone: 'Asia/Tokyo',
      windows: [{ days: [1], start: '09:00', end: '17:00' }],
    };
    await replica.apply(
      [
        {
          kind: 'group',
          id: OFFICE,
          parent: null,
          version: 1,
          sealed: sealDoc(fleetKey, 'group', OFFICE, office),
        },
        person(ANN, 'Ann', false, 2),
        person(DAN, 'Dan', true, 3),
        person(GONE, 'Gone', false, 4),
        { kind: 'person', id: GONE, parent: null, version: 5, sealed: null },
      ],
      MON_10_TOKYO,
    );
    view = new FleetView(replica, fleetKey);
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const table: [string, string, string, number, number, FleetRefusal | null][] = [
    // case, person, door, time, grace left (ms), refusal
    ['in hours at a door of the group', ANN, 'Front', MON_10_TOKYO, 1000, null],
    ['outside the hours', ANN, 'Front', MON_18_TOKYO, 1000, 'not_permitted_now'],
    ['a door the group does not name', ANN, 'Back', MON_10_TOKYO, 1000, 'not_permitted_now'],
    ['disabled', DAN, 'Front', MON_10_TOKYO, 1000, 'person_disabled'],
    ['deleted while the matcher still held them', GONE, 'Front', MON_10_TOKYO, 1000, 'unknown_face'],
    ['offline too long', ANN, 'Front', MON_10_TOKYO, -1, 'offline_too_long'],
    [
      'offline too long comes first, even for a disabled person',
      DAN,
      'Front',
      MON_10_TOKYO,
      -1,
      'offline_too_long',
    ],
  ];
  for (const [name, personId, door, now, graceLeft, refusal] of table) {
    it(`${name}: ${refusal ?? 'may open'}`, () => {
      assert.equal(fleetRefusal({ view, door, graceLeftMs: graceLeft }, personId, now), refusal);
    });
  }

  it('grace left: none for a replica never synced, the rest of it otherwise, never more than all of it', () => {
    assert.equal(graceLeftMs(0, 5000, MON_10_TOKYO), -1);
    assert.equal(graceLeftMs(MON_10_TOKYO - 1000, 5000, MON_10_TOKYO), 4000);
    assert.equal(graceLeftMs(MON_10_TOKYO - 6000, 5000, MON_10_TOKYO), -1000);
    assert.equal(graceLeftMs(MON_10_TOKYO + 500, 5000, MON_10_TOKYO), 5000, 'a sync stamped after now');
  });
});
