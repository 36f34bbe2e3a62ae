// The admin panels end to end in Chromium: real packs imported through the
// model manager, real people enrolled from real photos, the fake camera
// playing real faces, and a screenshot of every panel (English, Japanese, and
// a small 1024×600 screen).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { TEST_PACK_FILES, facePath, modelPath } from '../helpers/fixtures.js';
import { makeY4m } from '../helpers/y4m.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/camera-session.js';
import { startRelay } from '../helpers/relay.js';
import { REDACTED } from '../../preload/contract/settings.js';

const LIVENESS_FILES = ['2.7_80x80_MiniFASNetV2.onnx', '4_0_0_80x80_MiniFASNetV1SE.onnx'];
const PIN = '246813';

/** A pack folder of real model files (import refuses symlinks, so these are copies in a temp dir). */
function packFolder(name: string, files: readonly string[]): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tobira-admin-pack-')), name);
  mkdirSync(dir);
  for (const file of files) {
    const target = path.join(dir, file);
    copyFileSync(modelPath(file), target);
  }
  return dir;
}

/** A relay stand-in on loopback: answers every request with `status`, and counts calls. */
async function relay(
  status: number,
): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((_req, res) => {
    calls += 1;
    res.writeHead(status).end(status === 200 ? 'ok' : 'relay jammed');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('relay has no port');
  return {
    url: `http://127.0.0.1:${address.port}/relay`,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('admin panels in Chromium', () => {
  let harness: Harness;

  before(async () => {
    const y4m = await makeY4m(
      [facePath('photos/face_recognition/obama.jpg'), facePath('photos/face_recognition/obama2.jpg')],
      {
        secondsEach: 2,
      },
    );
    harness = await startHarness({ y4m });
    await harness.open();
    const page = harness.page;
    await page.keyboard.press('Control+Alt+A');
    await page.locator('pin-pad').waitFor();
    // The first PIN is typed twice.
    for (let i = 0; i < 2; i++) {
      await page.keyboard.type(PIN);
      await page.keyboard.press('Enter');
    }
    await page.locator('admin-screen').waitFor();
  });

  /**
   * The door, threshold, agreeing frames, liveness and active pack, and (issue 17) every
   * enrollment, ask for the PIN again, on a pad over the screen.
   */
  async function typePinAgain() {
    const pad = harness.page.locator('body > pin-pad');
    await pad.waitFor();
    for (const digit of PIN) await pad.locator(`button[data-key="${digit}"]`).click();
    await pad.locator('button[data-key="✓"]').click();
    await pad.waitFor({ state: 'detached' });
  }

  after(async () => harness?.close());

  const tab = (name: string) => harness.page.locator(`admin-screen button[data-tab="${name}"]`).click();
  /** A person added on the People panel; their line. */
  const addPerson = async (name: string) => {
    await tab('people');
    await harness.page.locator('admin-people input[name="new-name"]').fill(name);
    await harness.page.locator('admin-people button[type="submit"]').click();
    const line = harness.page.locator('admin-people li', { hasText: name });
    await line.waitFor();
    return line;
  };

  // What the earlier tests make through the panels, made here once for a test that runs alone
  // (--test-name-pattern), and skipped when a test before made it already.

  /** The test pack (active) and the MiniFASNet add-on, as the models test imports them. */
  let installing: Promise<void> | null = null;
  const packsInstalled = () =>
    (installing ??= (async () => {
      const { packs, engine } = harness.services;
      const installed = new Set((await packs.list()).filter((p) => p.installed).map((p) => p.name));
      if (installed.has('testpack') && installed.has('minifasnet')) return;
      if (!installed.has('testpack'))
        await packs.import(packFolder('testpack', TEST_PACK_FILES), { name: 'testpack' });
      if (!installed.has('minifasnet'))
        await packs.import(packFolder('minifasnet', LIVENESS_FILES), { name: 'minifasnet' });
      await packs.setActive('testpack');
      // As the panel's import and activate do (ipc/handlers/packs.ts): the engine loads them.
      await engine.reload();
    })());

  /** Obama and Joe Biden (PIN 1357) enrolled from photos, as the people test adds them. */
  let enrolling: Promise<void> | null = null;
  const peopleEnrolled = () =>
    (enrolling ??= (async () => {
      await packsInstalled();
      // Obama from two photos, as the camera enrolment adds to his one: calibration's genuine pairs.
      const people: [string, string[], string | undefined][] = [
        [
          'Barack Obama',
          ['photos/face_recognition/obama3.jpg', 'photos/face_recognition/obama2.jpg'],
          undefined,
        ],
        ['Joe Biden', ['photos/face_recognition/biden.jpg'], '1357'],
      ];
      for (const [name, photos, pin] of people) {
        if (harness.services.store!.listPeople().some((p) => p.name === name)) continue;
        harness.picks.push(photos.map((photo) => facePath(photo)));
        await harness.page.evaluate(
          async ({ name, pin, adminPin }) => {
            const person = await window.tobira.addPerson({ name, ...(pin ? { pin } : {}) });
            if (!person.ok) throw new Error(person.message);
            // Enrolling is a change of who gets in: the admin PIN again (issue 17).
            const imported = await window.tobira.importPhotos({ id: person.value.id, pin: adminPin });
            if (!imported.ok || !imported.value.every((r) => r.ok))
              throw new Error(`${name}: not enrolled: ${JSON.stringify(imported)}`);
          },
          { name, pin, adminPin: PIN },
        );
      }
      // The people panel lists them when it opens again (a reload would end the admin session).
      await tab('models');
      await tab('people');
    })());

  /** A failed door test in the audit log, as the settings test leaves one (another is harmless). */
  let doorTesting: Promise<void> | null = null;
  const doorTestFailed = () =>
    (doorTesting ??= (async () => {
      const { settings, settingsEffects } = harness.services;
      const jammed = await startRelay();
      jammed.status = 500;
      const before = settings.get();
      try {
        settings.update({ door: jammed.door });
        await settingsEffects.apply(before, settings.get());
        const tested = await harness.page.evaluate((pin) => window.tobira.testDoor({ pin }), PIN);
        assert.equal(tested.ok && tested.value.ok, false, 'the jammed door test fails');
      } finally {
        const jammedSettings = settings.get();
        settings.update({ door: before.door });
        await settingsEffects.apply(jammedSettings, settings.get());
        await jammed.close();
      }
    })());

  test('models: the catalog is listed, and packs import from a folder', async () => {
    const page = harness.page;
    await tab('models');
    const rows = page.locator('admin-models tbody tr[data-pack]');
    await page.locator('admin-models tr[data-pack="buffalo_l"]').waitFor();
    assert.match(
      (await page.locator('admin-models tr[data-pack="buffalo_l"]').textContent()) ?? '',
      /275 MB/,
    );
    harness.picks.push([packFolder('testpack', TEST_PACK_FILES)]);
    await page.locator('admin-models button', { hasText: 'Import folder' }).first().click();
    await page.locator('admin-models tr[data-pack="testpack"]').waitFor({ timeout: 30_000 });
    const testRow = page.locator('admin-models tr[data-pack="testpack"]');
    if (!((await testRow.textContent()) ?? '').includes('Active')) {
      await testRow.locator('button[name="activate"]').click();
      await typePinAgain();
    }
    await page.locator('admin-models tr[data-pack="testpack"] .badge.active').waitFor({ timeout: 30_000 });
    harness.picks.push([packFolder('minifasnet', LIVENESS_FILES)]);
    await page.locator('admin-models button', { hasText: 'Import folder' }).first().click();
    await page
      .locator('admin-models tr[data-pack="minifasnet"], admin-models .notice.error')
      .first()
      .waitFor({ timeout: 30_000 });
    const importError = page.locator('admin-models .notice.error');
    assert.equal(await importError.count(), 0, (await importError.allTextContents()).join('\n'));
    await page.locator('admin-models tr[data-pack="minifasnet"] .badge.good').waitFor({ timeout: 30_000 });
    await page.locator('admin-models .status[data-state="ready"]').waitFor({ timeout: 30_000 });
    assert.ok((await rows.count()) >= 6, 'catalog packs and imported packs are listed');
    await testRow.locator('button[name="verify"]').click();
    await page
      .locator('admin-models .notice.ok', { hasText: 'testpack: every file matches its checksum' })
      .waitFor();
    await harness.screenshot('admin-models');
  });

  test('models: a pack that needs a licence shows it before downloading', async () => {
    await tab('models');
    const page = harness.page;
    await page.locator('admin-models tr[data-pack="buffalo_l"] button[name="download"]').click();
    const dialog = page.locator('admin-models section.license');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /non-commercial/);
    await harness.screenshot('admin-models-license');
    await dialog.locator('button', { hasText: 'Cancel' }).click();
  });

  test('people: add, import photos with reasons for refusals, test recognition', async () => {
    await packsInstalled();
    const page = harness.page;
    const obama = await addPerson('Barack Obama');
    assert.match((await obama.textContent()) ?? '', /No face enrolled/);

    harness.picks.push([
      facePath('photos/face_recognition/obama3.jpg'),
      facePath('photos/face_recognition/ex_two_people.jpg'),
      facePath('photos/inspireface/view.jpg'),
    ]);
    await obama.locator('button', { hasText: 'Import photos' }).click();
    await typePinAgain();
    const results = obama.locator('.import-results');
    await results.waitFor({ timeout: 30_000 });
    assert.equal(await results.locator('li.ok').count(), 1);
    assert.equal(await results.locator('li.error').count(), 2);
    const refusal = (await results.locator('li.error').allTextContents()).join('\n');
    assert.match(refusal, /ex_two_people\.jpg: \S+/);
    assert.match(refusal, /view\.jpg: \S+/);
    assert.match((await obama.textContent()) ?? '', /Templates: 1/);
    await harness.screenshot('admin-people-import');

    await page.locator('admin-people input[name="new-name"]').fill('Joe Biden');
    await page.locator('admin-people input[name="new-pin"]').fill('1357');
    await page.locator('admin-people button[type="submit"]').click();
    const biden = page.locator('admin-people li', { hasText: 'Joe Biden' });
    await biden.waitFor();
    assert.match((await biden.textContent()) ?? '', /Has PIN/);
    harness.picks.push([facePath('photos/face_recognition/biden.jpg')]);
    await biden.locator('button', { hasText: 'Import photos' }).click();
    await typePinAgain();
    await biden.locator('.import-results li.ok').waitFor({ timeout: 30_000 });
    await harness.screenshot('admin-people');

    // The camera plays Obama: testing him matches, testing Biden does not.
    await obama.locator('button', { hasText: 'Test recognition' }).click();
    await obama.locator('camera-view').waitFor();
    await page.waitForTimeout(2500);
    await obama.locator('button', { hasText: 'Test now' }).click();
    const verdict = obama.locator('.notice[data-matched]');
    await verdict.waitFor({ timeout: 15_000 });
    assert.equal(await verdict.getAttribute('data-matched'), 'true', (await verdict.textContent()) ?? '');
    await harness.screenshot('admin-people-test');
    await obama.locator('.test button', { hasText: 'Close' }).click();
  });

  test('people: rename, PIN removal, and delete asks in the page first', async () => {
    await peopleEnrolled();
    const page = harness.page;
    const biden = page.locator('admin-people li', { hasText: 'Joe Biden' });
    await biden.locator('.actions button', { hasText: 'Rename' }).click();
    await biden.locator('input[name="rename"]').fill('Joseph R. Biden');
    await biden.locator('.editor button[type="submit"]').click();
    const renamed = page.locator('admin-people li', { hasText: 'Joseph R. Biden' });
    await renamed.waitFor();
    await renamed.locator('.actions button', { hasText: 'PIN' }).click();
    await renamed.locator('.editor button', { hasText: 'Remove PIN' }).click();
    await renamed.locator('.badge', { hasText: 'Has PIN' }).waitFor({ state: 'detached' });
    const stored = harness.services.store!.listPeople().find((p) => p.name === 'Joseph R. Biden');
    assert.equal(stored?.hasPin, false);

    await page.locator('admin-people input[name="new-name"]').fill('Temporary Visitor');
    await page.locator('admin-people button[type="submit"]').click();
    const visitor = page.locator('admin-people li', { hasText: 'Temporary Visitor' });
    await visitor.waitFor();
    await visitor.locator('.actions button.danger').click();
    await visitor.locator('[role="alertdialog"]').waitFor();
    await visitor.locator('[role="alertdialog"] button.danger').click();
    await visitor.waitFor({ state: 'detached' });
  });

  test('enroll by camera: samples are taken with progress, then a head turn is asked for', async () => {
    await peopleEnrolled();
    const page = harness.page;
    const obama = page.locator('admin-people li', { hasText: 'Barack Obama' });
    await obama.locator('button', { hasText: 'Enroll by camera' }).click();
    await page.locator('admin-enroll').waitFor();
    await typePinAgain();
    await page.locator('admin-enroll .prompt[data-pose="straight"]').waitFor();
    await page.locator('admin-enroll .count[data-accepted="1"]').waitFor({ timeout: 20_000 });
    // After the straight sample the person is asked to turn. The clip alternates two photos, and
    // obama2.jpg is itself turned (yaw about -20 degrees from its 5 keypoints, inside the left
    // step's -35..-10), so it may already be taken as the left sample: the prompt asks for a turn
    // either way. One wait for both: the prompt is live, and may move on between two reads.
    await page
      .locator('admin-enroll .prompt[data-pose="left"], admin-enroll .prompt[data-pose="right"]', {
        hasText: /left|right/,
      })
      .waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1000);
    await harness.screenshot('admin-enroll');
    const accepted = Number(await page.locator('admin-enroll .count').getAttribute('data-accepted'));
    assert.ok(accepted >= 1 && accepted < 5, `accepted ${accepted}`);
    await page.locator('admin-enroll button', { hasText: 'Cancel' }).click();
    await page.locator('admin-people').waitFor();
    // The samples taken before the cancel are kept: more templates than the one imported photo.
    await page
      .locator('admin-people li', { hasText: 'Barack Obama' })
      .filter({ hasText: /Templates: [2-6]/ })
      .waitFor({ timeout: 15_000 });
  });

  /** The admin screen's language switched on the Settings panel, then back to People. */
  const localeThenPeople = async (locale: 'en' | 'ja') => {
    await tab('settings');
    await harness.page.locator('admin-settings select[name="locale"]').selectOption(locale);
    await harness.page.waitForFunction((want) => document.documentElement.lang === want, locale);
    await tab('people');
  };

  test('enroll by camera: the same face under a second name is flagged before saving, and the admin decides', async () => {
    const page = harness.page;
    const again = await addPerson('Obama again');
    await again.locator('button', { hasText: 'Enroll by camera' }).click();
    await typePinAgain();
    const flag = page.locator('admin-enroll [data-state="lookalike"]');
    await flag.waitFor({ timeout: 20_000 });
    assert.match(
      (await flag.textContent()) ?? '',
      /Looks like Barack Obama \(score \d\.\d\d\).*Nothing was saved/s,
    );
    assert.equal(await page.locator('admin-enroll .count').getAttribute('data-accepted'), '0');
    await page.waitForTimeout(500);
    await harness.screenshot('admin-enroll-lookalike');
    await page.locator('admin-enroll button', { hasText: 'Back to people' }).click();
    await page.locator('admin-settings, admin-people').first().waitFor();
    await localeThenPeople('ja');
    await page
      .locator('admin-people li', { hasText: 'Obama again' })
      .locator('.actions button.primary')
      .click();
    await typePinAgain();
    await flag.waitFor({ timeout: 20_000 });
    assert.match((await flag.textContent()) ?? '', /登録済みのBarack Obamaさんとよく似ています/);
    await page.waitForTimeout(500);
    await harness.screenshot('admin-enroll-lookalike-ja');
    await localeThenPeople('en');
    await page
      .locator('admin-people li', { hasText: 'Obama again' })
      .locator('button', { hasText: 'Enroll by camera' })
      .click();
    await typePinAgain();
    await flag.waitFor({ timeout: 20_000 });
    // The admin says they are different people: the samples are saved, and the screen says so.
    await page.locator('admin-enroll button[name="allowLookalike"]').click();
    // Keeping the samples starts the enrollment again: a face let in, so the PIN again.
    await typePinAgain();
    await page.locator('admin-enroll [data-state="lookalike-kept"]').waitFor({ timeout: 20_000 });
    await page.locator('admin-enroll .count:not([data-accepted="0"])').waitFor({ timeout: 20_000 });
    await page.locator('admin-enroll button', { hasText: 'Cancel' }).click();
    await page
      .locator('admin-people li', { hasText: 'Obama again' })
      .filter({ hasText: /Templates: [1-5]/ })
      .waitFor({ timeout: 5000 });
    // Gone again, so the later tests meet one Barack Obama at the door.
    const twin = page.locator('admin-people li', { hasText: 'Obama again' });
    await twin.locator('.actions button.danger').click();
    await twin.locator('[role="alertdialog"] button.danger').click();
    await twin.waitFor({ state: 'detached' });
  });

  test('settings: bad values are refused by the one Save, the door test reports failure as failure', async () => {
    await packsInstalled();
    const page = harness.page;
    const jammed = await relay(500);
    const working = await relay(200);
    try {
      await tab('settings');
      // The expert values are under Advanced; one Save sends every group, named as the form names it.
      const form = page.locator('admin-settings form[name="settings"]');
      const save = form.locator('button[name="save"]');
      await form.locator('details[data-group="advanced"] > summary').click();
      await form.locator('input[name="framesToAgree"]').fill('99');
      await save.click();
      const problem = page.locator('admin-settings .notice[data-form="settings"]');
      await problem.waitFor();
      assert.match((await problem.textContent()) ?? '', /Not saved: Camera images that must agree/);
      assert.equal(harness.services.settings.get().recognition.framesToAgree, 3);
      await form.locator('input[name="framesToAgree"]').fill('2');
      // Times in seconds: 2.5 s kept as 2500 ms.
      await form.locator('input[name="cooldownSeconds"]').fill('2.5');
      await save.click();
      await typePinAgain();
      await page.locator('admin-settings .notice.ok[data-form="settings"]').waitFor();
      assert.equal(harness.services.settings.get().recognition.framesToAgree, 2);
      assert.equal(harness.services.settings.get().recognition.cooldownMs, 2500);
      const doorKind = (kind: string) =>
        waitFor(
          () => (harness.services.settings.get().door.kind === kind ? true : undefined),
          10_000,
          `the door saved as ${kind}`,
        );

      const door = page.locator('admin-door');
      await door.locator('select[name="kind"]').selectOption('http');
      await door.locator('input[name="url"]').fill(jammed.url);
      await door.locator('details.advanced > summary').click();
      await door.locator('input[name="retries"]').fill('0');
      await door.locator('input[name="hmacKey"]').fill('e2e-relay-signing-key');
      // Plain http:// is refused until the insecure network switch is on, which shows a warning.
      await save.click();
      await problem.filter({ hasText: /insecure network switch/ }).waitFor();
      assert.equal(harness.services.settings.get().door.kind, 'none');
      await door.locator('input[name="insecureNetwork"]').check();
      await door.locator('.insecure-warning').waitFor();
      await save.click();
      await typePinAgain();
      await doorKind('http');
      // The key went to main, and comes back to the screen only as REDACTED.
      await waitFor(
        async () =>
          (await door.locator('input[name="hmacKey"]').inputValue()) === REDACTED ? true : undefined,
        10_000,
        'the signing key shown as REDACTED once saved',
      );
      await door.locator('button[name="test-door"]').click();
      await typePinAgain();
      const failed = door.locator('.door-test');
      await failed.waitFor({ timeout: 15_000 });
      assert.equal(await failed.getAttribute('data-ok'), 'false');
      assert.match((await failed.textContent()) ?? '', /FAILED/);
      assert.ok(jammed.calls() >= 1);
      await harness.screenshot('admin-settings-door-failed');

      // Another port is another origin: the stored key stays behind (it would reach the other
      // host), and the screen says to type it in again.
      await door.locator('input[name="url"]').fill(working.url);
      await save.click();
      await typePinAgain();
      await problem.filter({ hasText: /another address/ }).waitFor();
      const unchanged = harness.services.settings.get().door;
      assert.equal(
        unchanged.kind === 'http' ? unchanged.url : null,
        jammed.url,
        'the refused save changed nothing',
      );
      await door.locator('input[name="hmacKey"]').fill('e2e-working-relay-key');
      await save.click();
      await typePinAgain();
      await waitFor(
        () => {
          const saved = harness.services.settings.get().door;
          return saved.kind === 'http' && saved.url === working.url ? true : undefined;
        },
        10_000,
        'the working relay saved',
      );
      await door.locator('button[name="test-door"]').click();
      await typePinAgain();
      await door.locator('.door-test[data-ok="true"]').waitFor({ timeout: 15_000 });
      assert.equal(working.calls(), 1);
      const saved = harness.services.settings.get().door;
      assert.ok(saved.kind === 'http' && saved.hmacKey === 'e2e-working-relay-key', 'the key typed in again');
      await harness.screenshot('admin-settings');
    } finally {
      await jammed.close();
      await working.close();
    }
  });

  test('settings: the live liveness score of the face in front of the camera', async () => {
    await packsInstalled();
    await tab('settings');
    const page = harness.page;
    await page.locator('admin-settings button[name="live"]').click();
    const score = page.locator('admin-liveness-live .score');
    await page.waitForFunction(
      () => {
        const el = document
          .querySelector('tobira-app')
          ?.shadowRoot?.querySelector('admin-screen')
          ?.shadowRoot?.querySelector('admin-settings')
          ?.shadowRoot?.querySelector('admin-liveness-live')
          ?.shadowRoot?.querySelector('.score');
        return el !== null && el !== undefined && /\d/.test(el.textContent ?? '');
      },
      undefined,
      { timeout: 20_000 },
    );
    const value = Number(await score.textContent());
    assert.ok(value >= 0 && value <= 1, `liveness score ${value}`);
    await score.scrollIntoViewIfNeeded();
    await harness.screenshot('admin-liveness');
    await page.locator('admin-settings button[name="live"]').click();
  });

  test('calibration: distributions, the current threshold and a suggestion', async () => {
    await peopleEnrolled();
    const page = harness.page;
    await tab('calibration');
    const current = page.locator('admin-calibration strong.current');
    await page.waitForFunction(
      () =>
        /\d/.test(
          document
            .querySelector('tobira-app')
            ?.shadowRoot?.querySelector('admin-screen')
            ?.shadowRoot?.querySelector('admin-calibration')
            ?.shadowRoot?.querySelector('strong.current')?.textContent ?? '',
        ),
      undefined,
      { timeout: 15_000 },
    );
    const threshold = Number(await current.textContent());
    assert.ok(threshold > 0 && threshold < 1, `threshold ${threshold}`);
    await page.locator('admin-calibration select[name="targetFar"]').selectOption('0.01');
    await page.waitForTimeout(500);
    await harness.screenshot('admin-calibration');
    // The histogram really holds both distributions: read its pixels back.
    const colours = await page.locator('admin-calibration canvas.hist').evaluate((canvas) => {
      const { width, height } = canvas as HTMLCanvasElement;
      const data = (canvas as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, width, height).data;
      let genuine = 0;
      let impostor = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
        if (g > 150 && r < 120 && b > 80 && b < 160) genuine++;
        if (r > 150 && g > 90 && g < 180 && b < 60) impostor++;
      }
      return { genuine, impostor };
    });
    assert.ok(colours.genuine > 100 && colours.impostor > 100, JSON.stringify(colours));
    // Two people and a handful of pairs: too few to show a FAR of 1 % (about 3 / 0.01 = 300 pairs),
    // and what they would suggest lies below the recognizer's default. Before issue 10 it was
    // offered (0.12 at FAR 0.1 % from 3 pairs); now nothing is suggested, and the panel says why.
    const pairs = page.locator('admin-calibration .pairs');
    assert.equal(await pairs.getAttribute('data-need'), '300');
    const have = Number(await pairs.getAttribute('data-have'));
    assert.ok(have > 0 && have < 300, `${have} impostor pairs`);
    const refused = page.locator('admin-calibration .notice.refused');
    await refused.waitFor();
    assert.match(
      await refused.innerText(),
      /No suggestion: these \d+ pairs would suggest [\d.]+, below the recognizer default [\d.]+, .*about 300 impostor pairs/,
    );
    assert.equal((await page.locator('admin-calibration strong.suggested').textContent())?.trim(), '—');
    assert.equal(await page.locator('admin-calibration button[name="apply"]').isDisabled(), true);
    // A threshold set by hand goes back to the recognizer's own.
    await harness.page.evaluate(async (pin) => {
      const current = await window.tobira.getSettings(undefined);
      if (!current.ok) throw new Error(current.message);
      const set = await window.tobira.updateSettings({
        recognition: { ...current.value.recognition, threshold: 0.5 },
        pin,
      });
      if (!set.ok) throw new Error(set.message);
    }, PIN);
    await tab('people');
    await tab('calibration');
    await page.locator('admin-calibration button[name="use-default"]').click();
    await typePinAgain();
    await page.locator('admin-calibration .notice.ok', { hasText: 'default' }).waitFor();
    assert.equal(harness.services.settings.get().recognition.threshold, null);
  });

  test('calibration: a late answer for an older target FAR is dropped, never drawn', async () => {
    await peopleEnrolled();
    const page = harness.page;
    await tab('calibration');
    const pairs = page.locator('admin-calibration .pairs');
    // The panel opens at FAR 0.1 %: about 3 / 0.001 = 3000 pairs.
    await page.locator('admin-calibration .pairs[data-need="3000"]').waitFor();
    // Main's answer for FAR 10 % is held back until the answer for 1 % has been drawn.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const route = '**/__bridge/invoke/getCalibration';
    const farOf = (body: unknown) => (body as { arg: { targetFar: number } }).arg.targetFar;
    await page.route(route, async (r) => {
      if (farOf(r.request().postDataJSON()) === 0.1) await held;
      await r.continue();
    });
    try {
      const select = page.locator('admin-calibration select[name="targetFar"]');
      await select.selectOption('0.1');
      // While a request is in flight, its buttons are disabled.
      await page.locator('admin-calibration button[name="refresh"]:disabled').waitFor();
      await select.selectOption('0.01');
      await page.locator('admin-calibration .pairs[data-need="300"]').waitFor();
      const late = page.waitForResponse(
        (r) => r.url().endsWith('/getCalibration') && farOf(r.request().postDataJSON()) === 0.1,
      );
      release();
      await late;
      // Two frames for Lit to render anything the late answer could have changed.
      for (let i = 0; i < 2; i++) await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
      assert.equal(
        await pairs.getAttribute('data-need'),
        '300',
        'the answer for 10 % (30 pairs) was dropped',
      );
      assert.equal(await select.inputValue(), '0.01');
      assert.equal(await page.locator('admin-calibration button[name="refresh"]').isDisabled(), false);
      await page.locator('admin-calibration button[name="refresh"]').click();
      await page.locator('admin-calibration .pairs[data-need="300"]').waitFor();
    } finally {
      release();
      await page.unroute(route);
    }
  });

  test('audit: decisions and door tests are listed, and export writes a CSV', async () => {
    await doorTestFailed();
    const page = harness.page;
    await tab('audit');
    const rows = page.locator('admin-audit tbody tr');
    await rows.first().waitFor({ timeout: 10_000 });
    const text = (await rows.allTextContents()).join('\n');
    // Plain words, not codes; the failed door test is red; the `none` door never "opened".
    assert.match(text, /Door test/);
    assert.doesNotMatch(text, /door_test|none: opened/);
    const failed = page.locator('admin-audit tbody tr.failed[data-door="failed"]').first();
    await failed.waitFor();
    const red = await failed.locator('.outcome').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(red, 'rgb(140, 29, 42)');
    const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'tobira-audit-')), 'audit.csv');
    harness.picks.push([target]);
    await page.locator('admin-audit button[name="export"]').click();
    await page.locator('admin-audit .notice.ok', { hasText: target }).waitFor();
    assert.match(readFileSync(target, 'utf8'), /door_test/);
    await harness.screenshot('admin-audit');
  });

  test('compare: two camera frames a second apart, with boxes and similarity', async () => {
    await packsInstalled();
    const page = harness.page;
    await tab('compare');
    await page.locator('admin-compare camera-view').waitFor();
    await page.waitForTimeout(1500);
    await page.locator('admin-compare button[name="camera"]').click();
    const verdict = page.locator('admin-compare .verdict');
    await verdict.waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('admin-compare .shot img').count(), 2);
    assert.equal(await page.locator('admin-compare .shot rect').count(), 2);
    const similarity = Number(await verdict.locator('.similarity strong').textContent());
    assert.ok(similarity > 0.3, `same person across frames, similarity ${similarity}`);
    assert.equal(await verdict.getAttribute('data-same'), 'true');
    await harness.screenshot('admin-compare');

    harness.picks.push([
      facePath('photos/face_recognition/obama.jpg'),
      facePath('photos/face_recognition/biden.jpg'),
    ]);
    await page.locator('admin-compare button[name="photos"]').click();
    await page.locator('admin-compare .verdict[data-same="false"]').waitFor({ timeout: 20_000 });
    const different = Number(await verdict.locator('.similarity strong').textContent());
    assert.ok(different < similarity, `two people (${different}) score below one person (${similarity})`);
    await harness.screenshot('admin-compare-photos');
  });

  test('Japanese, and small screens (1024×600)', async () => {
    await packsInstalled();
    const page = harness.page;
    const setLocale = async (locale: 'en' | 'ja') => {
      await tab('settings');
      await page.locator('admin-settings select[name="locale"]').selectOption(locale);
      await page.waitForFunction((want) => document.documentElement.lang === want, locale);
    };
    const shoot = async (panels: string[], suffix: string) => {
      for (const name of panels) {
        await tab(name);
        await page.waitForTimeout(700);
        await harness.screenshot(`admin-${name}-${suffix}`);
      }
    };
    /** How far the admin screen's header, panel or tables spill past the window's right edge. */
    const overflow = () =>
      page.evaluate(() => {
        const root = document
          .querySelector('tobira-app')!
          .shadowRoot!.querySelector('admin-screen')!.shadowRoot!;
        const header = root.querySelector('header')!;
        const main = root.querySelector('main')!;
        // Tables scroll inside their own wrapper, so check those too.
        const tables = [...main.children].flatMap((panel) => [
          ...(panel.shadowRoot?.querySelectorAll('.table-wrap') ?? []),
        ]);
        return Math.max(
          header.scrollWidth - header.clientWidth,
          main.scrollWidth - main.clientWidth,
          ...tables.map((t) => t.scrollWidth - t.clientWidth),
        );
      });
    const all = ['people', 'models', 'settings', 'calibration', 'audit', 'compare'];

    await setLocale('ja');
    assert.equal(
      (await page.locator('admin-screen button[data-tab="people"]').textContent())?.trim(),
      '登録者',
    );
    await shoot(all, 'ja');
    await page.setViewportSize({ width: 1024, height: 600 });
    await shoot(['people', 'models', 'settings'], 'ja-1024x600');
    assert.ok((await overflow()) <= 0, 'nothing spills sideways at 1024×600 in Japanese');
    await setLocale('en');
    for (const name of all) {
      await tab(name);
      await page.waitForTimeout(700);
      await harness.screenshot(`admin-${name}-1024x600`);
      assert.ok((await overflow()) <= 0, `${name} spills sideways at 1024×600`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
