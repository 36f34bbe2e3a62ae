// The first run's "Your lock" step, the settings' lock group and the audit view with an
// admin's actions, in English and Japanese, on a landscape (1280×800) and a portrait
// (800×1280) screen: every control at least 44×44 px and uncovered, no sideways scroll, and
// the screenshots for docs/ (scripts/screenshots.mjs copies them to docs/screens/).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { facePath, TEST_PACK_FILES } from '../helpers/fixtures.js';
import { screenshotDir, startHarness, type Harness } from '../helpers/harness.js';
import { startRelay, type Relay } from '../helpers/relay.js';
import { checkControls } from './controls.js';
import { setPinAndEnroll } from './admin-api.js';
import { writeDoorsFile } from '../../main/door/doors-file.js';

const PIN = '975310';
const person = facePath('liveness/image_T1.jpg');
const SCREENS = [
  { name: 'landscape', width: 1280, height: 800 },
  { name: 'portrait', width: 800, height: 1280 },
] as const;
const docsShotDir = path.join(screenshotDir, 'docs');

const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(docsShotDir, `${name}.png`) });

/** How far an element's content spills sideways past its own box (0 when it fits). */
const spill = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => el.scrollWidth - el.clientWidth);

describe('the lock step, settings and audit view in English and Japanese, landscape and portrait', () => {
  let h: Harness;
  let relay: Relay;

  before(async () => {
    relay = await startRelay();
    relay.status = 503;
    h = await startHarness({ facePack: TEST_PACK_FILES, livenessPack: true });
    await writeDoorsFile(h.dataDir, {
      version: 1,
      doors: [{ id: 'front', label: 'Front door relay', program: '/bin/true', args: [], timeoutMs: 5000 }],
    });
    h.picks.push([person]);
    await h.open();
    await setPinAndEnroll(h.page, PIN, 'Mika Tanaka');
  });
  after(async () => {
    await h?.close();
    await relay?.close();
  });

  async function typePin(page: Page): Promise<void> {
    await page.locator('pin-pad').first().waitFor();
    await page.keyboard.type(PIN);
    await page.keyboard.press('Enter');
  }

  for (const locale of ['en', 'ja'] as const) {
    for (const screen of SCREENS) {
      test(`${locale}, ${screen.name} ${screen.width}×${screen.height}`, async () => {
        const page = h.page;
        h.services.settings.update({ locale, door: { kind: 'none', holdMs: 3000 } });
        // Each run starts signed out, as a new visitor to the kiosk would find it.
        await page.evaluate(() => window.tobira.adminLogout(undefined));
        await page.setViewportSize({ width: screen.width, height: screen.height });
        await page.reload({ timeout: 60_000 });
        await page.waitForFunction((want) => document.documentElement.lang === want, locale);

        // Set up, as the door screen asks for it: the PIN, then the first step not done, the lock.
        await page
          .locator('unlock-screen')
          .evaluate((el) =>
            el.dispatchEvent(new CustomEvent('request-setup', { bubbles: true, composed: true })),
          );
        await page.locator('setup-wizard pin-pad[data-stage="login"]').waitFor();
        await typePin(page);
        const wizard = page.locator('setup-wizard');
        // A first load of the models on a busy machine can take a while.
        await wizard.locator('main[data-step="lock"]').waitFor({ timeout: 60_000 });
        await wizard.locator('admin-door select[name="kind"]').selectOption('command');
        await wizard.locator('admin-door .program').waitFor();
        assert.match(
          await wizard.locator('admin-door select[name="doorId"]').innerText(),
          /Front door relay/,
        );
        assert.ok((await spill(page, 'setup-wizard')) <= 0, 'the lock step spills sideways');
        await shoot(page, `setup-lock-${locale}-${screen.name}`);
        // English, 日本語, Finish later, Save, Test, Next.
        assert.equal(await checkControls(page, 'setup-wizard', `lock step ${locale} ${screen.name}`), 6);
        await wizard.locator('button[name="later"]').click();
        await page.locator('unlock-screen').waitFor();

        // Settings: the lock group, then a failing lock tested, then the audit view's admin actions.
        await page.keyboard.press('Control+Alt+A');
        await typePin(page);
        // Issue 17: photos of someone are a face let in, so the PIN is asked again on a pad over
        // the People tab, its prompt naming the person. Cancelled: nothing imported.
        const templates = () =>
          h.services.store!.listPeople().find((p) => p.name === 'Mika Tanaka')?.templates;
        const before = templates();
        const picksBefore = h.pickRequests.length;
        await page.locator('admin-screen button[data-tab="people"]').click();
        await page
          .locator('admin-people li', { hasText: 'Mika Tanaka' })
          .locator('button[name="import"]')
          .click();
        const again = page.locator('body > pin-pad');
        await again.locator('.prompt', { hasText: 'Mika Tanaka' }).waitFor();
        await page.keyboard.type('12');
        await shoot(page, `admin-pin-again-${locale}-${screen.name}`);
        // Twelve keys and Cancel, each a finger's size.
        assert.equal(await checkControls(page, 'body > pin-pad', `PIN again ${locale} ${screen.name}`), 13);
        await again.locator('button.cancel').click();
        await again.waitFor({ state: 'detached' });
        assert.deepEqual(templates(), before, 'a cancelled PIN imported nothing');
        assert.equal(h.pickRequests.length, picksBefore, 'no file dialog was opened');

        await page.locator('admin-screen button[data-tab="settings"]').click();
        const lock = page.locator('admin-settings section[data-group="lock"]');
        await lock.locator('admin-door select[name="kind"]').waitFor();
        await lock.evaluate((el) => el.scrollIntoView({ block: 'start' }));
        assert.ok((await spill(page, 'admin-settings')) <= 0, 'settings spill sideways');
        await shoot(page, `admin-settings-lock-${locale}-${screen.name}`);

        h.services.settings.update({ door: relay.door });
        const tested = await page.evaluate(async (pin) => {
          const result = await window.tobira.testDoor({ pin });
          return result.ok && result.value.ok;
        }, PIN);
        assert.equal(tested, false, 'the relay answers 503');
        await page.locator('admin-screen button[data-tab="audit"]').click();
        await page.locator('admin-audit button[name="show-admin"]').click();
        await page.locator('admin-audit tbody tr[data-action="person_add"]').waitFor();
        assert.ok((await spill(page, 'admin-audit')) <= 0, 'the audit view spills sideways');
        await shoot(page, `admin-audit-${locale}-${screen.name}`);
        assert.ok((await checkControls(page, 'admin-audit', `audit ${locale} ${screen.name}`)) >= 7);
        await page.locator('admin-screen button.back').click();
        await page.locator('unlock-screen').waitFor();
      });
    }
  }
});
