// Fleet mode end to end (issue 11): an admin joins the kiosk to a fleet on the Fleet panel (a
// wrong URL first, answered in words), enrolls a person into the fleet, gives him an "Office
// hours" group (Mon–Fri 09:00–17:00, Tokyo) with the panel's editor, and takes him out of
// Everyone. At Monday 18:00 Tokyo (the kiosk's injected clock) the camera plays his face, and
// the door screen refuses in plain words: "Not allowed at this time". Real PostgreSQL, Chromium
// and models. Also saves the Fleet panel's screenshots for docs/ (en, ja; landscape, portrait).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { facePath, TEST_PACK_FILES } from '../helpers/fixtures.js';
import { cameraSession, waitFor } from '../helpers/camera-session.js';
import { screenshotDir } from '../helpers/harness.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { initFleet } from '../../main/fleet/admin.js';
import { ADMIN_PASSPHRASE } from '../helpers/fleet-setup.js';
import { checkControls } from './controls.js';
import { skipWithout } from '../helpers/prerequisites.js';

const PIN = '864201';
/** Where screens.test.ts saves the docs/ screenshots (scripts/screenshots.mjs copies them). */
const docsShotDir = path.join(screenshotDir, 'docs');
// Monday 2026-06-01 18:00 in Tokyo (UTC+9): after office hours.
const MON_18_TOKYO = Date.parse('2026-06-01T09:00:00Z');
const enrolledPhotos = ['photos/face_recognition/obama.jpg', 'photos/face_recognition/obama2.jpg'].map(
  facePath,
);
const samePerson = facePath('photos/face_recognition/knn_examples/test/obama1.jpg');

const skip = skipWithout('postgresql');

const panel = (page: Page) => page.locator('admin-screen admin-fleet');

async function openFleetTab(page: Page): Promise<void> {
  await page.keyboard.press('Control+Alt+A');
  await page.locator('pin-pad').waitFor();
  await page.keyboard.type(PIN);
  await page.keyboard.press('Enter');
  await page.locator('admin-screen').waitFor();
  await page.locator('admin-screen button[data-tab="fleet"]').click();
  await panel(page).waitFor();
}

/** Joining and group edits ask for the admin PIN again, on the pad over the panel (issue 17). */
async function typePinAgain(page: Page): Promise<void> {
  const pad = page.locator('body > pin-pad');
  await pad.waitFor();
  await page.keyboard.type(PIN);
  await page.keyboard.press('Enter');
  await pad.waitFor({ state: 'detached' });
}

describe('fleet mode on the kiosk, end to end', { skip }, () => {
  let server: PostgresServer;
  let adminUrl: string;
  let token: string;
  /** The first admin key's file, as the admin brings it to the kiosk (passphrase ADMIN_PASSPHRASE). */
  let adminKeyFile: string;
  let keyDir: string;

  before(async () => {
    server = await startPostgres();
    adminUrl = await server.createDatabase('e2e');
    const init = await initFleet(adminUrl, { door: 'Front' });
    token = init.join!;
    keyDir = await mkdtemp(path.join(tmpdir(), 'tobira-e2e-admin-key-'));
    adminKeyFile = path.join(keyDir, 'admin.key');
    await init.admin!.save(adminKeyFile, ADMIN_PASSPHRASE);
  });
  after(async () => {
    await server?.close();
    if (keyDir) await rm(keyDir, { recursive: true, force: true });
  });

  test('join on the Fleet panel, schedule a group, and the door says "Not allowed at this time" after hours', async () => {
    const started = Date.now();
    await cameraSession(
      samePerson,
      {
        facePack: TEST_PACK_FILES,
        settings: { liveness: { enabled: false, threshold: 0.5, level: 'standard' } },
        // The kiosk's clock runs from Monday 18:00 Tokyo.
        services: { now: () => MON_18_TOKYO + (Date.now() - started) },
      },
      async (h, decisions) => {
        const { page } = h;
        await h.services.pin.setPin(PIN);
        await openFleetTab(page);
        const fleet = panel(page);

        // A wrong URL: refused in words, and the kiosk stays a lone kiosk.
        await fleet.locator('input[name="databaseUrl"]').fill('mysql://db.example/tobira');
        await fleet.locator('input[name="token"]').fill(token);
        await fleet.locator('input[name="door"]').fill('Front');
        await fleet.locator('button[type="submit"]').click();
        await typePinAgain(page);
        await fleet.locator('.notice.error').waitFor();
        assert.match(await fleet.locator('.notice.error').innerText(), /The database URL is not right\./);
        assert.equal(h.services.joined, false);
        await page.screenshot({ path: path.join(docsShotDir, 'admin-fleet-join-en-landscape.png') });
        assert.ok((await checkControls(page, 'admin-screen admin-fleet', 'fleet join')) >= 1);

        await fleet.locator('input[name="databaseUrl"]').fill(adminUrl);
        await fleet.locator('button[type="submit"]').click();
        // Cancelled on the pad: nothing sent, still a lone kiosk. Then the PIN, and it joins.
        await page.locator('body > pin-pad button.cancel').click();
        await fleet.locator('.notice.error', { hasText: 'Type the admin PIN again' }).waitFor();
        assert.equal(h.services.joined, false);
        await fleet.locator('button[type="submit"]').click();
        await typePinAgain(page);
        await fleet.locator('[data-field="door"]').waitFor({ timeout: 20_000 });
        assert.equal(await fleet.locator('[data-field="door"]').innerText(), 'Front');
        assert.equal(await fleet.locator('[data-field="connected"]').innerText(), 'Connected');
        // The lone kiosk's history ships after the join: waiting at that moment, or already sent.
        assert.match(
          await fleet.locator('[data-field="backlog"]').innerText(),
          /^(None: everything is in the fleet database|\d+ event\(s\), the oldest from \d+ min ago)$/,
        );

        // The door's own login writes nothing: the admin opens the admin key for this session.
        assert.equal(
          await fleet.locator('[data-field="adminKey"]').innerText(),
          'No admin key open: changes are refused.',
        );
        const openKey = async (passphrase: string) => {
          await fleet.locator('form.admin-key input[name="keyFile"]').setInputFiles(adminKeyFile);
          await fleet.locator('form.admin-key input[name="passphrase"]').fill(passphrase);
          await fleet.locator('form.admin-key button[type="submit"]').click();
        };
        await openKey('not the passphrase');
        await fleet.locator('.notice.error').waitFor();
        assert.match(await fleet.locator('.notice.error').innerText(), /That admin key does not open/);
        await openKey(ADMIN_PASSPHRASE);
        await fleet.locator('[data-field="adminKey"].ok').waitFor();
        assert.equal(
          await fleet.locator('[data-field="adminKey"]').innerText(),
          'Changes are signed by admin.',
        );

        // Enrolled through the gate as on the People tab: into the fleet now.
        h.picks.push(enrolledPhotos);
        const imported = await page.evaluate(async (pin) => {
          const api = window.tobira;
          const person = await api.addPerson({ name: 'Barack Obama' });
          if (!person.ok) throw new Error(person.message);
          const result = await api.importPhotos({ id: person.value.id, pin });
          return result.ok ? result.value.map((r) => r.ok) : [result.message];
        }, PIN);
        assert.deepEqual(imported, [true, true]);
        assert.equal(h.services.peopleSource.directory()?.kind, 'fleet');

        // A new group with the editor: Mon–Fri 09:00–17:00 (the default window), Tokyo, him in it.
        await page.locator('admin-screen button[data-tab="people"]').click();
        await page.locator('admin-screen button[data-tab="fleet"]').click();
        await fleet.locator('button.new-group').waitFor();
        await fleet.locator('button.new-group').click();
        await fleet.locator('form.editor input[name="name"]').fill('Office hours');
        await fleet.locator('form.editor input[name="timeZone"]').fill('Asia/Tokyo');
        await fleet.locator('form.editor input[data-person="Barack Obama"]').check();
        await fleet.locator('form.editor').scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(docsShotDir, 'admin-fleet-en-landscape.png') });
        await fleet.locator('form.editor button[type="submit"]').click();
        await typePinAgain(page);
        await fleet.locator('tr[data-group="Office hours"]').waitFor();
        // Everyone (fleet init's group) no longer includes him.
        await fleet.locator('tr[data-group="Everyone"] button').click();
        await fleet.locator('form.editor input[data-person="Barack Obama"]').uncheck();
        await fleet.locator('form.editor button[type="submit"]').click();
        await typePinAgain(page);
        await fleet.locator('form.editor').waitFor({ state: 'detached' });
        await page.screenshot({ path: path.join(docsShotDir, 'admin-fleet-groups-en-landscape.png') });
        const groups = await page.evaluate(async () => {
          const r = await window.tobira.listFleetGroups(undefined);
          return r.ok
            ? r.value.groups.map((g) => [g.name, g.timeZone, g.windows, g.members.length])
            : r.message;
        });
        assert.deepEqual(groups, [
          ['Everyone', 'UTC', [{ days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '24:00' }], 0],
          ['Office hours', 'Asia/Tokyo', [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }], 1],
        ]);
        assert.match(
          await fleet.locator('tr[data-group="Office hours"]').innerText(),
          /Office hours\s+Front\s+Mon–Fri 09:00–17:00 \(Asia\/Tokyo\)\s+1 member/,
        );
        assert.match(
          await fleet.locator('tr[data-group="Everyone"]').innerText(),
          /Mon–Sun 00:00–24:00 \(UTC\)/,
        );
        assert.ok((await checkControls(page, 'admin-screen admin-fleet', 'fleet groups')) >= 3);

        // Back to the door: his face, after hours.
        await page.locator('admin-screen button.back').click();
        await page.locator('unlock-screen').waitFor();
        const refused = await waitFor(
          () => decisions.find((d) => d.outcome === 'refused' && d.reason === 'not_permitted_now'),
          30_000,
          'a not_permitted_now refusal',
        );
        assert.equal(refused.personName, null, 'a refusal never names the person on the screen');
        assert.ok(!decisions.some((d) => d.outcome === 'unlocked'), 'the door opened after hours');
        const words = await waitFor(
          async () => {
            const line = await page.locator('unlock-screen .status .line').innerText();
            return line.includes('Not allowed at this time')
              ? `${line}\n${await page.locator('unlock-screen .status .hint').innerText()}`
              : undefined;
          },
          5000,
          'the refusal in words',
        );
        assert.match(words, /Not allowed at this time\s+This door opens for you at set hours only\./);
        await page.screenshot({ path: path.join(docsShotDir, 'unlock-not-permitted-en-landscape.png') });
        const audit = await h.services.audit.read({ limit: 20 });
        assert.ok(audit.records.some((r) => r.reason === 'not_permitted_now'));

        // The panel in Japanese and in portrait, for docs/.
        for (const locale of ['ja', 'en'] as const) {
          for (const screen of [
            { name: 'portrait', width: 800, height: 1280 },
            { name: 'landscape', width: 1280, height: 800 },
          ]) {
            if (locale === 'en' && screen.name === 'landscape') continue;
            h.services.settings.update({ locale });
            await page.setViewportSize({ width: screen.width, height: screen.height });
            await page.reload();
            await page.waitForFunction((want) => document.documentElement.lang === want, locale);
            await page.locator('unlock-screen').waitFor();
            await openFleetTab(page);
            // The building's audit (from the database) lists the refusal, in words.
            const row = fleet.locator('table.audit tr[data-reason="not_permitted_now"]').first();
            await row.waitFor({ timeout: 10_000 });
            assert.match(
              await row.innerText(),
              locale === 'ja'
                ? /Front\s+Barack Obama\s+拒否:\s*この時間は許可されていない/
                : /Front\s+Barack Obama\s+Refused: not allowed at this time/,
            );
            await fleet.locator('tr[data-group="Office hours"] button').click();
            await fleet.locator('form.editor').waitFor();
            await page.screenshot({
              path: path.join(docsShotDir, `admin-fleet-${locale}-${screen.name}.png`),
            });
            assert.ok(
              (await checkControls(page, 'admin-screen admin-fleet', `fleet ${locale} ${screen.name}`)) >= 10,
            );
            await page.locator('admin-screen button.back').click();
            await page.locator('unlock-screen').waitFor();
          }
        }
      },
    );
  });
});
