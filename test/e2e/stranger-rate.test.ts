// The stranger rate on the admin settings, next to the threshold: the 15 identities of the shared
// photos enrolled (InsightFace's reference embeddings, the test pack's recognizer), read in English
// and Japanese, landscape and portrait, with screenshots for docs/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { facePath, TEST_PACK_FILES } from '../helpers/fixtures.js';
import { screenshotDir, startHarness, type Harness } from '../helpers/harness.js';
import { byIdentity, distinctSinglePhotos } from '../helpers/identification.js';
import { REFERENCE_RECOGNIZER, referenceFaces } from '../helpers/reference-faces.js';
import { defaultThreshold } from '../../main/recognition/thresholds.js';

/** The threshold a user of the test pack's recognizer gets (recognition/thresholds.ts), as the screen prints it. */
const AT = defaultThreshold({ file: 'w600k_mbf_int8_dynq.onnx', id: REFERENCE_RECOGNIZER })
  .threshold.toFixed(2)
  .replace('.', '\\.');

const PIN = '246813';

describe('the stranger rate on the admin settings', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ facePack: TEST_PACK_FILES });
    await h.open();
    const page = h.page;
    // Setting the first PIN logs in; out again, to come in through the PIN pad as an admin does.
    const set = await page.evaluate(async (pin) => {
      const result = await window.tobira.setAdminPin({ pin });
      await window.tobira.adminLogout(undefined);
      return JSON.stringify(result);
    }, PIN);
    assert.match(set, /"ok":true/, set);
    // Enrolled after the first PIN: a kiosk in use takes its PIN from the PC only.
    const store = h.services.store!;
    for (const [identity, photos] of byIdentity(distinctSinglePhotos())) {
      const person = await store.addPerson(identity);
      for (const p of photos)
        await store.addTemplate(person.id, {
          recognizerId: REFERENCE_RECOGNIZER,
          embedding: referenceFaces(p.file)[0]!.normedEmbedding!,
        });
    }
    await page.keyboard.press('Control+Alt+A');
    await page.locator('pin-pad').waitFor();
    await page.keyboard.type(PIN);
    await page.keyboard.press('Enter');
    await page.locator('admin-screen').waitFor({ timeout: 60_000 });
  });
  after(async () => h?.close());

  test('says how often a stranger is taken for someone, and what threshold keeps it at NIST’s 0.003', async () => {
    const page = h.page;
    const expected = {
      en: [
        new RegExp(
          `^With 15 people enrolled, a stranger is taken for someone about 1 in [\\d,]+ attempts at threshold ${AT}\\.$`,
        ),
        /use threshold 0\.\d\d: it refuses \d+\.\d % of enrolled people’s own attempts\.$/,
      ],
      ja: [
        new RegExp(
          `^15 人が登録されていて、しきい値 ${AT} のとき、他人が登録者と取り違えられるのは約 [\\d,]+ 回に 1 回です。$`,
        ),
        /しきい値を 0\.\d\d にします。登録者本人の試行のうち \d+\.\d % が拒否されます。$/,
      ],
    } as const;
    for (const locale of ['en', 'ja'] as const) {
      await page.locator('admin-screen button[data-tab="settings"]').click();
      await page.locator('admin-settings select[name="locale"]').selectOption(locale);
      await page.waitForFunction((want) => document.documentElement.lang === want, locale);
      for (const screen of [
        { name: 'landscape', width: 1280, height: 800 },
        { name: 'portrait', width: 800, height: 1280 },
      ]) {
        await page.setViewportSize({ width: screen.width, height: screen.height });
        const panel = page.locator('admin-settings admin-stranger-rate');
        await panel.locator('.estimate').waitFor({ timeout: 20_000 });
        const estimate = (await panel.locator('.estimate').textContent())!.trim().replace(/\s+/g, ' ');
        const suggested = (await panel.locator('.suggested').textContent())!.trim().replace(/\s+/g, ' ');
        assert.match(estimate, expected[locale][0]);
        assert.match(suggested, expected[locale][1]);
        await panel.scrollIntoViewIfNeeded();
        await page.screenshot({
          path: path.join(screenshotDir, 'docs', `admin-stranger-rate-${locale}-${screen.name}.png`),
        });
      }
    }
  });

  test('the duplicate check flags a photo of someone enrolled under another name; the admin decides', async () => {
    const page = h.page;
    const importAs = async (allowLookalike: boolean) =>
      page.evaluate(
        async ({ allow, pin }) => {
          const api = window.tobira;
          const people = await api.listPeople(undefined);
          if (!people.ok) throw new Error(people.message);
          const id =
            people.value.find((p) => p.name === 'Barack')?.id ??
            (await api.addPerson({ name: 'Barack' }).then((r) => (r.ok ? r.value.id : '')));
          if (!id) throw new Error('Barack was not added');
          const imported = await api.importPhotos(allow ? { id, allowLookalike: true, pin } : { id, pin });
          if (!imported.ok) throw new Error(imported.message);
          return imported.value;
        },
        { allow: allowLookalike, pin: PIN },
      );
    h.picks.push([facePath('photos/face_recognition/obama2.jpg')]);
    const [flagged] = await importAs(false);
    assert.equal(flagged?.ok, false);
    assert.equal(flagged?.lookalike?.name, 'obama', 'enrolled above as the identity obama');
    assert.match(
      flagged?.reason ?? '',
      /^looks like obama \(score 0\.\d\d\): the same person twice, or a twin\?$/,
    );
    assert.equal(h.services.store!.findByName('Barack')[0]?.templates.length, 0, 'nothing saved');
    h.picks.push([facePath('photos/face_recognition/obama2.jpg')]);
    const [kept] = await importAs(true);
    assert.equal(kept?.ok, true);
    assert.equal(kept?.lookalike?.name, 'obama');
    assert.equal(h.services.store!.findByName('Barack')[0]?.templates.length, 1);
  });
});
