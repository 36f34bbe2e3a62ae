// The remote-unlock replay store (main/fleet/unlock-replay.ts): a used nonce stays used across a
// reopen of its file (a restart), an unreadable file refuses what came before it, and the clock
// window allows a few seconds into the future, not 29.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { UNLOCK_FUTURE_MS, UNLOCK_PAST_MS, UnlockReplayStore } from '../../../main/fleet/unlock-replay.js';

describe('UnlockReplayStore', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tobira-unlock-replay-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const now = 1_800_000_000_000;

  it('refuses a nonce used before a restart, and forgets it only once its time is out of the window', async () => {
    const file = path.join(dir, 'restart.json');
    const first = await UnlockReplayStore.open(file, now);
    assert.equal(await first.claim('n1', now, now), 'ok');
    const reopened = await UnlockReplayStore.open(file, now + 1000);
    assert.equal(await reopened.claim('n1', now, now + 1000), 'replayed');
    assert.equal(await reopened.claim('n2', now + 1000, now + 1000), 'ok');
    // Past the window the command is stale by its own time, whatever the store holds.
    assert.equal(await reopened.claim('n1', now, now + UNLOCK_PAST_MS + 1), 'stale');
    assert.deepEqual(readdirSync(dir), ['restart.json'], 'no temp file left behind');
  });

  it('the same nonce twice at once opens once', async () => {
    const store = await UnlockReplayStore.open(path.join(dir, 'twice.json'), now);
    const results = await Promise.all([store.claim('n', now, now), store.claim('n', now, now)]);
    assert.deepEqual(results.sort(), ['ok', 'replayed']);
  });

  const window: Array<[string, number, string]> = [
    ['stamped now', 0, 'ok'],
    [`${UNLOCK_FUTURE_MS / 1000} s ahead (the skew allowed)`, UNLOCK_FUTURE_MS, 'ok'],
    ['10 s ahead', 10_000, 'stale'],
    ['29 s ahead (accepted before)', 29_000, 'stale'],
    ['29 s behind', -29_000, 'ok'],
    ['31 s behind', -31_000, 'stale'],
  ];
  for (const [name, offset, want] of window) {
    it(`a command ${name}: ${want}`, async () => {
      const store = UnlockReplayStore.memory();
      assert.equal(await store.claim(`n${offset}`, now + offset, now), want);
    });
  }

  it('an unreadable file refuses every command stamped before it was opened, and accepts new ones', async () => {
    const file = path.join(dir, 'torn.json');
    writeFileSync(file, '{"n1": 18000');
    const store = await UnlockReplayStore.open(file, now);
    assert.equal(await store.claim('n1', now - 1000, now), 'replayed');
    assert.equal(await store.claim('n2', now + 1, now + 1), 'ok');
  });

  it('a nonce that cannot be saved does not open', async () => {
    const store = await UnlockReplayStore.open(path.join(dir, 'no-such-folder', 'nonces.json'), now);
    assert.equal(await store.claim('n1', now, now), 'unrecorded');
  });
});
