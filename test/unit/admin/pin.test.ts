import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { hashPin, verifyPinHash } from '../../../main/admin/pin-hash.js';
import { AdminPin } from '../../../main/admin/pin.js';

// A cheap scrypt cost keeps the many-attempt tests quick; the default cost is exercised once below.
const cost = { N: 2 ** 10, r: 8, p: 1 };
const lockout = { freeAttempts: 3, baseLockMs: 1000, maxLockMs: 4000 };

async function pinFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'tobira-pin-')), 'admin-pin.json');
}

describe('admin PIN', () => {
  it('starts with no PIN set, then sets one without needing a current PIN', async () => {
    const file = await pinFile();
    const pin = await AdminPin.open(file, { cost });
    assert.equal(pin.isSet(), false);
    assert.equal((await pin.verify('1234')).ok, false);
    assert.deepEqual(await pin.setPin('2580'), { ok: true });
    assert.equal((await AdminPin.open(file, { cost })).isSet(), true);
    assert.deepEqual(await (await AdminPin.open(file, { cost })).verify('2580'), { ok: true });
  });

  it('stores a salted scrypt hash with its parameters, never the PIN', async () => {
    const file = await pinFile();
    const pin = await AdminPin.open(file);
    await pin.setPin('135790');
    const text = await readFile(file, 'utf8');
    assert.ok(!text.includes('135790'));
    const stored = JSON.parse(text) as { pin: { algo: string; N: number; salt: string } };
    assert.equal(stored.pin.algo, 'scrypt');
    assert.equal(stored.pin.N, 2 ** 15);
    const a = await hashPin('1111', cost);
    const b = await hashPin('1111', cost);
    assert.notEqual(a.hash, b.hash, 'salted');
    assert.equal(await verifyPinHash('1111', a), true);
    assert.equal(await verifyPinHash('1112', a), false);
  });

  it('changing the PIN requires the current one', async () => {
    const pin = await AdminPin.open(await pinFile(), { cost });
    await pin.setPin('1234');
    assert.equal((await pin.setPin('9999', '0000')).ok, false);
    assert.equal((await pin.setPin('9999', '1234')).ok, true);
    assert.equal((await pin.verify('9999')).ok, true);
  });

  it('rejects malformed PINs', async () => {
    const pin = await AdminPin.open(await pinFile(), { cost });
    for (const bad of ['', '12', '12ab', '1234567890123', ' 1234']) {
      const r = await pin.setPin(bad);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, 'invalid');
    }
  });

  it('locks out with growing delays after wrong PINs, and the lockout survives a restart', async () => {
    const file = await pinFile();
    let now = 1_000_000;
    const clock = () => now;
    const pin = await AdminPin.open(file, { cost, lockout, now: clock });
    await pin.setPin('4321');
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await pin.verify('0000');
      assert.equal(!r.ok && r.reason, 'wrong_pin');
      waits.push(r.ok ? -1 : r.retryAfterMs);
    }
    assert.deepEqual(waits, [0, 0, 0, 1000], 'three free tries, then locked');
    const locked = await pin.verify('4321');
    assert.equal(!locked.ok && locked.reason, 'locked', 'even the right PIN is refused while locked');

    const restarted = await AdminPin.open(file, { cost, lockout, now: clock });
    assert.equal(restarted.retryAfterMs(), 1000);
    now += 1000;
    const fifth = await restarted.verify('0000');
    assert.equal(!fifth.ok && fifth.retryAfterMs, 2000, 'doubles');
    now += 2000;
    await restarted.verify('0000');
    now += 4000;
    const capped = await restarted.verify('0000');
    assert.equal(!capped.ok && capped.retryAfterMs, 4000, 'capped at maxLockMs');
    now += 4000;
    assert.deepEqual(await restarted.verify('4321'), { ok: true });
    assert.equal((await restarted.verify('0000')).ok, false);
    assert.equal(restarted.retryAfterMs(), 0, 'a success resets the count');
  });

  it('setting the PC clock forward does not end a lockout (the lockout runs on a monotonic clock)', async (t) => {
    const file = await pinFile();
    // The default clocks, as in the app: only Date.now is moved, as a changed PC clock would.
    const pin = await AdminPin.open(file, {
      cost,
      lockout: { ...lockout, baseLockMs: 600_000, maxLockMs: 600_000 },
    });
    await pin.setPin('864213');
    for (let i = 0; i < 4; i++) await pin.verify('000000');
    const realNow = Date.now();
    t.mock.method(Date, 'now', () => realNow + 2 * 3_600_000);
    const locked = await pin.verify('864213');
    assert.equal(!locked.ok && locked.reason, 'locked', 'two hours on the wall clock opened the lockout');
    const reopened = await AdminPin.open(file, {
      cost,
      lockout: { ...lockout, baseLockMs: 600_000, maxLockMs: 600_000 },
    });
    assert.ok(reopened.retryAfterMs() > 590_000, 'a restart with the clock moved keeps the lockout');
  });

  it('reads a version 1 file, keeping its PIN and the rest of its lockout', async () => {
    const file = await pinFile();
    const hash = await hashPin('975310', cost);
    const lockedUntil = Date.now() + 60_000;
    await writeFile(file, JSON.stringify({ version: 1, pin: hash, failures: 4, lockedUntil }));
    const pin = await AdminPin.open(file, { cost, lockout: { ...lockout, maxLockMs: 3_600_000 } });
    assert.ok(pin.retryAfterMs() > 50_000 && pin.retryAfterMs() <= 60_000, `${pin.retryAfterMs()}`);
    const locked = await pin.verify('975310');
    assert.equal(!locked.ok && locked.reason, 'locked');
  });

  it('a corrupt PIN file is an error naming the file, never "no PIN set"', async () => {
    const file = await pinFile();
    await writeFile(file, '{"version":1,"pin":null');
    await assert.rejects(
      AdminPin.open(file),
      (e: Error) => e.message.includes(file) && /JSON/.test(e.message),
    );
    await writeFile(
      file,
      JSON.stringify({ version: 2, pin: { algo: 'md5' }, failures: 0, lockRemainingMs: 0 }),
    );
    await assert.rejects(AdminPin.open(file), /invalid at: pin/);
  });
});
