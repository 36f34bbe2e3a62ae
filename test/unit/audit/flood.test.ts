// Issue 17: a flood from one unauthenticated source (refused remote unlocks, locked-out logins,
// the door screen's camera reports) must not rotate the local log's
// history out. Before bursts (audit/bursts.ts) each refused remote-unlock command and each
// attempt a lockout turned away wrote its own line; 10,000 of them rotated a small log's earlier
// lines away. Here the log is small (3 × 64 KiB, about 450 lines) so that 10,000 lines would
// rotate it 20 times over, as 10 × 5 MiB would be by a flood of minutes on a kiosk.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AdminAudit } from '../../../main/audit/admin-audit.js';
import { AuditLog } from '../../../main/audit/audit-log.js';
import { BURST_OWN_LINES, BURST_WINDOW_MS } from '../../../main/audit/bursts.js';
import type { AdminRecord, AuditEntry, AuditRecord } from '../../../main/audit/types.js';
import { verifyAuditLog } from '../../../main/audit/verify.js';
import { AdminPin } from '../../../main/admin/pin.js';
import { RemoteUnlockAudit } from '../../../main/fleet/remote-unlock-audit.js';
import { verifyAdminPin } from '../../../main/ipc/handlers/common.js';
import { Doorbell } from '../../../main/door/doorbell.js';
import { createDoor } from '../../../main/door/door.js';

const FLOOD = 10_000;
const smallLog = () =>
  new AuditLog(mkdtempSync(path.join(os.tmpdir(), 'tobira-flood-')), {
    maxFileBytes: 64 * 1024,
    maxFiles: 3,
  });

async function everything(log: AuditLog): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await log.readEntries({ offset, limit: 1000 });
    out.push(...page.records);
    if (out.length >= page.total) return out.reverse();
  }
}

const earlier = (log: AuditLog) =>
  log.append({
    mode: 'identify',
    outcome: 'unlocked',
    reason: 'matched',
    personId: 'p-1',
    personName: 'Aiko before the flood',
    score: 0.71,
    threshold: 0.45,
    recognizerId: 'w600k_r50',
    gates: [],
    liveness: null,
    door: null,
  });

test('10,000 refused remote-unlock commands leave earlier lines in place, counted in one line per burst', async () => {
  const log = smallLog();
  const before = await earlier(log);
  // 350 commands a second (issue 17): 10,000 span 28.6 s, inside one 60 s window.
  let clock = Date.parse('2026-12-07T21:00:00Z');
  const audit = new RemoteUnlockAudit((input) => log.append(input), { now: () => clock });
  const reasons = ['bad_signature', 'stale', 'replayed', 'malformed'];
  for (let i = 0; i < FLOOD; i++) {
    clock += 1000 / 350;
    await audit.record({ ok: false, reason: reasons[i % reasons.length]! }, null);
  }
  // A signed command after the flood still gets its own line at once.
  const accepted = await audit.record({ ok: true, reason: '' }, { ok: true, kind: 'relay', reason: null });
  assert.ok(accepted, 'an accepted command is never counted away');
  await audit.flush();

  const lines = await everything(log);
  assert.equal(lines[0]!.id, before.id, 'the line written before the flood is still the oldest');
  const decisions = lines.filter((l): l is AuditRecord => l.kind !== 'admin');
  const burst = decisions.find((l) => l.burst);
  assert.ok(burst, `no burst line among ${decisions.map((d) => d.reason).join(', ')}`);
  assert.equal(burst.reason, 'remote_unlock_refused_burst');
  assert.equal(burst.burst!.count, FLOOD, 'every refusal of the burst, those with their own line included');
  assert.equal(burst.burst!.seconds, Math.round((FLOOD * 1000) / 350 / 1000));
  assert.equal(
    lines.length,
    1 + BURST_OWN_LINES + 2,
    'before, the first refusals, the accepted command, the burst',
  );
  assert.equal((await verifyAuditLog(log.dir, null)).ok, true);
});

test('a burst ends with its window: the next refusal after it is written and starts a new burst', async () => {
  const log = smallLog();
  let clock = Date.parse('2026-12-07T21:00:00Z');
  const audit = new RemoteUnlockAudit((input) => log.append(input), { now: () => clock });
  const written: boolean[] = [];
  for (let i = 0; i < BURST_OWN_LINES + 5; i++) {
    written.push((await audit.record({ ok: false, reason: 'stale' }, null)) !== null);
  }
  assert.deepEqual(written, [
    ...Array<boolean>(BURST_OWN_LINES).fill(true),
    ...Array<boolean>(5).fill(false),
  ]);
  clock += BURST_WINDOW_MS;
  assert.ok(
    await audit.record({ ok: false, reason: 'stale' }, null),
    'a new window writes its first refusal',
  );
  await audit.flush();
  const reasons = (await everything(log)).map((l) => (l.kind === 'admin' ? l.action : l.reason));
  assert.deepEqual(reasons, [
    ...Array<string>(BURST_OWN_LINES).fill('remote_unlock_stale'),
    'remote_unlock_refused_burst',
    'remote_unlock_stale',
  ]);
  const burst = (await everything(log)).find((l) => l.kind !== 'admin' && l.burst) as AuditRecord;
  assert.deepEqual(
    { count: burst.burst!.count, seconds: burst.burst!.seconds },
    { count: BURST_OWN_LINES + 5, seconds: 60 },
    'the burst closed by the next window spans the whole window',
  );
});

test('10,000 locked-out admin logins leave earlier lines in place, counted in one line per burst', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-flood-pin-'));
  const log = smallLog();
  const before = await earlier(log);
  let monotonic = 0;
  const pin = await AdminPin.open(path.join(dir, 'admin-pin.json'), {
    cost: { N: 2 ** 10, r: 8, p: 1 },
    now: () => monotonic,
  });
  assert.equal((await pin.setPin('582047')).ok, true);
  const wall = Date.parse('2026-12-07T21:00:00Z');
  const adminAudit = new AdminAudit(log, () => undefined, { now: () => wall + monotonic });
  const guard = { pin, auditAdmin: adminAudit.record };
  const codes: string[] = [];
  // 1,000 calls a second from the renderer (issue 17): 10 s of them, all inside the lockout.
  for (let i = 0; i < FLOOD; i++) {
    monotonic += 1;
    const code = await verifyAdminPin(guard, '000000', 'admin_login').then(
      () => 'ok',
      (error: { code?: string }) => error.code ?? 'thrown',
    );
    codes.push(code);
  }
  await adminAudit.flush();
  assert.deepEqual(
    {
      wrong: codes.filter((c) => c === 'WRONG_PIN').length,
      locked: codes.filter((c) => c === 'LOCKED_OUT').length,
    },
    { wrong: 4, locked: FLOOD - 4 },
    'three free guesses, a fourth that starts the lockout, then locked',
  );

  const lines = await everything(log);
  assert.equal(lines[0]!.id, before.id, 'the line written before the flood is still the oldest');
  const admin = lines.filter((l): l is AdminRecord => l.kind === 'admin');
  assert.deepEqual(
    admin.map((a) => a.action),
    [...Array<string>(4).fill('wrong_pin'), ...Array<string>(BURST_OWN_LINES + 1).fill('lockout')],
    'four wrong PINs, the lockout starting and the first attempts it turned away, then one line for the rest',
  );
  const burst = admin.at(-1)!;
  assert.equal(burst.detail.burst, true);
  // The fourth wrong PIN starts the lockout (its line is the burst's first); the rest are counted.
  assert.equal(burst.detail.refused, FLOOD - 3);
  assert.equal((await verifyAuditLog(log.dir, null)).ok, true);
});

test('10,000 camera reports from the door screen leave earlier lines in place, counted in one line per burst', async () => {
  const log = smallLog();
  const before = await earlier(log);
  let clock = Date.parse('2026-12-07T21:00:00Z');
  // The public reportCamera channel, as a compromised renderer would call it: lost, found, lost…
  const doorbell = new Doorbell({
    audit: log,
    door: () => createDoor({ kind: 'none', holdMs: 1000 }),
    mqtt: () => false,
    log: () => undefined,
    now: () => clock,
  });
  const logged: boolean[] = [];
  // 1,000 calls a second: 10,000 span 10 s, inside one window.
  for (let i = 0; i < FLOOD; i++) {
    clock += 1;
    logged.push(await doorbell.cameraChanged(i % 2 === 0 ? 'unplugged' : 'live'));
  }
  await doorbell.flush();

  const lines = await everything(log);
  assert.equal(lines[0]!.id, before.id, 'the line written before the flood is still the oldest');
  const admin = lines.filter((l): l is AdminRecord => l.kind === 'admin');
  assert.deepEqual(
    admin.map((a) => a.action),
    [
      ...Array.from({ length: BURST_OWN_LINES }, (_, i) => (i % 2 === 0 ? 'camera_lost' : 'camera_found')),
      'camera_lost',
    ],
    'the first changes on their own lines, then one line for the burst',
  );
  assert.equal(logged.filter(Boolean).length, BURST_OWN_LINES);
  const burst = admin.at(-1)!;
  assert.deepEqual(burst.detail, {
    burst: true,
    changes: FLOOD,
    seconds: 10,
    since: new Date(Date.parse('2026-12-07T21:00:00Z') + 1).toISOString(),
  });
  assert.equal(burst.ok, false);
  // After the window, a real change is written again, at once.
  clock += BURST_WINDOW_MS;
  assert.equal(await doorbell.cameraChanged('denied'), true);
  assert.equal((await verifyAuditLog(log.dir, null)).ok, true);
});
