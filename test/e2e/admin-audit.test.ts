// The audit view in Chromium for an admin's own actions (issue 19): each shows its real values,
// whole and in words ("Person added · Name: Mika Tanaka · Personal code: no"), never parsed
// as quality gates ("0/4 passed … name=Mik, withPin=fals"); the filter keeps decisions, admin
// actions or faults (a door test against a jammed relay), in English and Japanese.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/camera-session.js';
import { startRelay, type Relay } from '../helpers/relay.js';

const PIN = '246813';

describe('audit view: admin actions', () => {
  let h: Harness;
  let personId: string;
  let relay: Relay;

  before(async () => {
    h = await startHarness();
    await h.open();
    const page = h.page;
    // The first PIN through the API (typing it is first-run's test); it opens an admin session.
    await page.evaluate(async (pin) => {
      const set = await window.tobira.setAdminPin({ pin });
      if (!set.ok) throw new Error(set.message);
    }, PIN);
    await page.keyboard.press('Control+Alt+A');
    await page.locator('admin-screen').waitFor();
    personId = await page.evaluate(async () => {
      const added = await window.tobira.addPerson({ name: 'Mika Tanaka' });
      if (!added.ok) throw new Error(added.message);
      return added.value.id;
    });
    // A jammed relay: its test is a fault. Set on main's side (the form asks for the PIN again
    // and has its own test in admin-panels).
    relay = await startRelay();
    relay.status = 503;
    h.services.settings.update({ door: relay.door });
    const tested = await page.evaluate(async (pin) => {
      const test = await window.tobira.testDoor({ pin });
      if (!test.ok) throw new Error(test.message);
      return test.value.ok;
    }, PIN);
    assert.equal(tested, false, 'the relay answers 503: the door test fails');
    await page.locator('admin-screen button[data-tab="audit"]').click();
  });
  after(async () => {
    await h?.close();
    await relay?.close();
  });

  const rows = () => h.page.locator('admin-audit tbody tr');
  /** Clicks a filter and waits until every row shown is one it keeps. */
  async function show(filter: string, keeps: string): Promise<string[]> {
    await h.page.locator(`admin-audit button[name="show-${filter}"]`).click();
    await h.page.locator(`admin-audit button[name="show-${filter}"][aria-pressed="true"]`).waitFor();
    return waitFor(
      async () => {
        const seen = await rows().evaluateAll((trs) =>
          trs.map((tr) => `${tr.getAttribute('data-outcome')}/${tr.getAttribute('data-action')}`),
        );
        return seen.length > 0 && seen.every((s) => new RegExp(keeps).test(s)) ? seen : undefined;
      },
      10_000,
      `the ${filter} filter's rows`,
    );
  }

  test('an added person reads "Person added" with the name, the whole id and "Personal code: no"', async () => {
    const row = h.page.locator('admin-audit tbody tr[data-action="person_add"]');
    await row.waitFor({ timeout: 10_000 });
    const text = await row.innerText();
    assert.match(text, /Person added/);
    assert.match(text, /Admin, on this screen/);
    assert.equal(await row.locator('[data-detail="name"] dd').innerText(), 'Mika Tanaka');
    assert.equal(await row.locator('[data-detail="personId"] dd').innerText(), personId);
    assert.equal(await row.locator('[data-detail="withPin"] dt').innerText(), 'Personal code');
    assert.equal(await row.locator('[data-detail="withPin"] dd').innerText(), 'no');
    assert.doesNotMatch(text, /passed|withPin|person_add|=/);
    const pin = h.page.locator('admin-audit tbody tr[data-action="pin_change"]');
    assert.match(await pin.innerText(), /Admin PIN changed/);
    await h.screenshot('admin-audit-actions');
  });

  test('the filter: admin actions, decisions (none yet), faults (the failed door test), everything', async () => {
    const admin = await show('admin', '^(admin|door_test)/[a-z_]+$');
    assert.ok(admin.includes('admin/person_add') && admin.includes('door_test/door_test'), admin.join(' '));
    await h.page.locator('admin-audit button[name="show-decisions"]').click();
    await h.page.locator('admin-audit p.muted', { hasText: 'Nothing recorded here yet.' }).waitFor();
    assert.equal(await rows().count(), 0, 'no one has been at the door');
    assert.deepEqual(await show('faults', '^door_test/door_test$'), ['door_test/door_test']);
    const fault = h.page.locator('admin-audit tbody tr.failed[data-door="failed"]');
    assert.match(await fault.innerText(), /Door test/);
    await h.screenshot('admin-audit-faults');
    const all = await show('all', '.');
    assert.deepEqual(all, ['door_test/door_test', 'admin/person_add', 'admin/pin_change'], 'newest first');
  });

  test('in Japanese: the same rows in words, no codes', async () => {
    await h.page.locator('admin-screen button[data-tab="settings"]').click();
    await h.page.locator('admin-settings select[name="locale"]').selectOption('ja');
    await h.page.waitForFunction(() => document.documentElement.lang === 'ja');
    await h.page.locator('admin-screen button[data-tab="audit"]').click();
    const row = h.page.locator('admin-audit tbody tr[data-action="person_add"]');
    await row.waitFor({ timeout: 10_000 });
    assert.match(await row.innerText(), /人を追加/);
    assert.equal(await row.locator('[data-detail="withPin"] dt').innerText(), '個人コード');
    assert.equal(await row.locator('[data-detail="withPin"] dd').innerText(), 'いいえ');
    const settings = h.page.locator('admin-audit tbody tr[data-action="settings_change"]').first();
    assert.match(await settings.innerText(), /設定を変更/);
    assert.match(await settings.innerText(), /en → ja/);
    await h.screenshot('admin-audit-actions-ja');
    const text = await rows().evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).innerText).join('\n'));
    assert.doesNotMatch(text, /admin_login|settings_change|person_add|admin \(screen\)/);
  });
});
