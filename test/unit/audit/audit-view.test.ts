// The audit view's plain words: what the screen is given for each kind of record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditView } from '../../../main/ipc/handlers/audit.js';
import { auditShows } from '../../../main/use-cases/audit.js';
import type { AdminRecord, AuditEntry, AuditRecord } from '../../../main/audit/types.js';
import { AUDIT_SHOW } from '../../../preload/contract/audit.js';

const base: AuditRecord = {
  id: 'a',
  time: '2026-12-03T08:00:00.000Z',
  mode: 'identify',
  outcome: 'unlocked',
  reason: 'match',
  personId: 'p1',
  personName: 'Mika',
  score: 0.61,
  threshold: 0.3,
  recognizerId: 'r',
  gates: [],
  liveness: null,
  door: { ok: true, kind: 'http', reason: null },
  snapshot: null,
};

describe('audit view', () => {
  it('an unlock through a real door opened it', () => {
    const v = auditView(base);
    assert.deepEqual(
      [v.result, v.doorState, v.doorKind, v.door],
      ['unlocked', 'opened', 'http', 'http: opened'],
    );
  });

  it('the none door only logs: it never says "opened"', () => {
    const v = auditView({ ...base, door: { ok: true, kind: 'none', reason: null } });
    assert.equal(v.doorState, 'logged');
    assert.equal(v.result, 'unlocked');
    assert.doesNotMatch(v.door, /opened/);
  });

  it('an unlock whose door failed is a door failure, with the door’s reason', () => {
    const v = auditView({ ...base, door: { ok: false, kind: 'command', reason: 'exit code 3' } });
    assert.deepEqual([v.result, v.doorState, v.reason], ['door_failed', 'failed', 'exit code 3']);
  });

  it('a refusal keeps its reason code for the screen to word', () => {
    const v = auditView({
      ...base,
      outcome: 'rejected',
      reason: 'unknown_face',
      personName: null,
      door: null,
    });
    assert.deepEqual([v.result, v.reason, v.doorState], ['refused', 'unknown_face', null]);
  });

  it('a failed door test is a failed door action', () => {
    const v = auditView({
      ...base,
      outcome: 'door_test',
      reason: 'admin test',
      door: { ok: false, kind: 'http', reason: 'HTTP 500' },
    });
    assert.deepEqual([v.result, v.doorState, v.reason], ['door_test', 'failed', 'HTTP 500']);
  });

  it('an admin’s door test reads as a door test: red when it failed, never "opened" for none', () => {
    const admin = {
      kind: 'admin' as const,
      id: 'x',
      time: base.time,
      action: 'door_test' as const,
      actor: 'screen' as const,
    };
    const failed = auditView({
      ...admin,
      ok: false,
      detail: { kind: 'http', reason: 'HTTP 500', attempts: 1 },
    });
    assert.deepEqual(
      [failed.result, failed.doorState, failed.doorKind, failed.reason],
      ['door_test', 'failed', 'http', 'HTTP 500'],
    );
    const none = auditView({ ...admin, ok: true, detail: { kind: 'none', reason: null, attempts: 1 } });
    assert.equal(none.doorState, 'logged');
    const other = auditView({
      ...admin,
      action: 'person_delete' as const,
      ok: true,
      detail: { name: 'Mika' },
    });
    assert.deepEqual([other.result, other.doorState], ['admin', null]);
  });

  it('an admin action keeps its real values, whole, as named details (issue 19: "name=Mik, withPin=fals")', () => {
    const v = auditView({
      kind: 'admin',
      id: 'y',
      time: base.time,
      action: 'person_add',
      actor: 'screen',
      ok: true,
      detail: { personId: 'e89adbd5-6d0e-4d6c-9a55-0c4b2f0a1e77', name: 'Mika Tanaka', withPin: false },
    });
    assert.deepEqual(v.admin, {
      action: 'person_add',
      actor: 'screen',
      ok: true,
      details: [
        { name: 'personId', value: 'e89adbd5-6d0e-4d6c-9a55-0c4b2f0a1e77' },
        { name: 'name', value: 'Mika Tanaka' },
        { name: 'withPin', value: 'false' },
      ],
    });
    assert.equal(v.person, 'Mika Tanaka');
    assert.equal(auditView(base).admin, null, 'a decision has no admin details');
  });
});

describe('audit filter', () => {
  const admin = (action: AdminRecord['action'], ok: boolean): AdminRecord => ({
    kind: 'admin',
    id: action,
    time: base.time,
    action,
    actor: 'screen',
    ok,
    detail: {},
  });
  const entries: Record<string, AuditEntry> = {
    unlocked: base,
    refused: { ...base, outcome: 'rejected', reason: 'unknown_face', door: null },
    doorFailed: { ...base, door: { ok: false, kind: 'command', reason: 'exit code 3' } },
    login: admin('admin_login', true),
    wrongPin: admin('wrong_pin', false),
    testFailed: admin('door_test', false),
    testOk: admin('door_test', true),
  };
  const kept: Record<(typeof AUDIT_SHOW)[number], string[]> = {
    all: Object.keys(entries),
    decisions: ['unlocked', 'refused', 'doorFailed'],
    admin: ['login', 'wrongPin', 'testFailed', 'testOk'],
    faults: ['doorFailed', 'testFailed'],
  };
  for (const show of AUDIT_SHOW) {
    it(`${show} keeps ${kept[show].join(', ')}`, () => {
      const names = Object.entries(entries)
        .filter(([, entry]) => auditShows(show, entry))
        .map(([name]) => name);
      assert.deepEqual(names, kept[show]);
    });
  }
});
