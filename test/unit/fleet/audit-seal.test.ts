// What the fleet database holds of a building audit row (issue 17, fleet/audit-seal.ts): the chain
// fields and a keyed tag of the name in clear, the record sealed and bound to its row; a sealed
// record moved to another row or door, or opened with another fleet's key, is refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { nameTag, openAuditRecord, sealAuditRecord } from '../../../main/fleet/audit-seal.js';
import type { AuditEntry } from '../../../main/audit/types.js';

const key = randomBytes(32);
const record = {
  id: randomUUID(),
  time: '2026-06-01T09:00:00.000Z',
  kind: 'decision',
  mode: 'identify',
  outcome: 'unlocked',
  reason: 'match',
  personId: randomUUID(),
  personName: 'Aiko Suzuki',
  score: 0.6132,
  threshold: 0.45,
  recognizerId: 'w600k_r50',
  gates: [],
  liveness: { live: true, score: 0.93 },
  door: null,
  seq: 41,
  prev: 'a'.repeat(64),
} as unknown as AuditEntry;

test('the column shows the chain fields and a name tag; the name, scores and the rest are sealed', () => {
  const column = sealAuditRecord(key, 'Front', record);
  assert.deepEqual(Object.keys(column).sort(), ['nameTag', 'prev', 'sealed', 'seq']);
  assert.deepEqual([column.seq, column.prev], [41, 'a'.repeat(64)]);
  const text = JSON.stringify(column);
  for (const secret of ['Aiko', 'Suzuki', '0.6132', '0.93', 'w600k_r50', 'match'])
    assert.equal(text.includes(secret), false, `${secret} in clear`);
  assert.deepEqual(openAuditRecord(key, record.id, 'Front', column), record);
});

test('the name tag: the same for the same name under one key, unlike under another key, never the name', () => {
  assert.equal(nameTag(key, 'Aiko Suzuki'), sealAuditRecord(key, 'Back', record).nameTag);
  assert.notEqual(nameTag(key, 'Aiko Suzuki'), nameTag(key, 'Aiko Suzuki '));
  assert.notEqual(nameTag(key, 'Aiko Suzuki'), nameTag(randomBytes(32), 'Aiko Suzuki'));
  assert.match(nameTag(key, 'Aiko Suzuki'), /^[0-9a-f]{64}$/);
});

test('a sealed record does not open on another row, at another door, or with another key', () => {
  const column = sealAuditRecord(key, 'Front', record);
  const cases: [string, () => unknown][] = [
    ['another row', () => openAuditRecord(key, randomUUID(), 'Front', column)],
    ['another door', () => openAuditRecord(key, record.id, 'Back', column)],
    ['another fleet', () => openAuditRecord(randomBytes(32), record.id, 'Front', column)],
    [
      'altered bytes',
      () => {
        const bytes = Buffer.from(column.sealed, 'base64');
        bytes[bytes.length - 1]! ^= 1;
        return openAuditRecord(key, record.id, 'Front', { ...column, sealed: bytes.toString('base64') });
      },
    ],
  ];
  for (const [what, open] of cases) {
    assert.throws(open, /does not open with this fleet's key/, what);
  }
});

test('a row shipped before sealing is read as it was', () => {
  assert.deepEqual(openAuditRecord(key, record.id, 'Front', record), record);
});
