// The audit view's plain words: what the screen is given for each kind of record.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditView } from '../../../main/ipc/handlers/audit.js';
import type { AuditRecord } from '../../../main/audit/types.js';

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
});
