// The kiosk shell end to end in Chromium: a real camera stream from real
// photos, frames crossing the bridge into main's gate and back, the admin
// screen behind the PIN, and screenshots of both screens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { facePath, TEST_PACK_FILES } from '../helpers/fixtures.js';
import { makeY4m, expectedFrameRgba } from '../helpers/y4m.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import type { FrameResult } from '../../preload/contract/frames.js';

const photos = [facePath('photos/face_recognition/obama.jpg'), facePath('photos/inspireface/view.jpg')];

function meanLuma(rgba: Uint8Array, width: number, height: number, region = 0.5): number {
  const x0 = Math.floor((width * (1 - region)) / 2);
  const y0 = Math.floor((height * (1 - region)) / 2);
  let sum = 0;
  let n = 0;
  for (let y = y0; y < height - y0; y++) {
    for (let x = x0; x < width - x0; x++) {
      const i = (y * width + x) * 4;
      sum += 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
      n++;
    }
  }
  return sum / n;
}

describe('kiosk shell in Chromium with a fake camera', () => {
  let harness: Harness;
  const results: FrameResult[] = [];

  before(async () => {
    const y4m = await makeY4m(photos, { secondsEach: 1 });
    harness = await startHarness({ y4m });
    harness.services.events.subscribe((event, payload) => {
      if (event === 'frameResult') results.push(payload as FrameResult);
    });
    await harness.open();
  });

  after(async () => harness?.close());

  test('the camera goes live and frames reach main intact', async () => {
    await harness.page
      .waitForFunction(
        () =>
          document
            .querySelector('tobira-app')
            ?.shadowRoot?.querySelector('unlock-screen')
            ?.shadowRoot?.querySelector('camera-view')
            ?.getAttribute('data-state') !== null,
        undefined,
        { timeout: 5000 },
      )
      .catch(() => undefined);
    const deadline = Date.now() + 15_000;
    while (results.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(results.length >= 20, `only ${results.length} frames reached main`);
    const first = results[0]!;
    assert.equal(first.width, 640);
    assert.equal(first.height, 480);
    // Each frame is answered at most once. (The HTTP bridge may deliver two requests out of order;
    // Electron's MessagePort does not, and the renderer drops any result older than one it showed.)
    assert.equal(new Set(results.map((r) => r.id)).size, results.length);

    // Main's luma of what it received matches the two photos as ffmpeg renders them.
    const expected = await Promise.all(
      photos.map(async (p) => meanLuma(await expectedFrameRgba(p), 640, 480, 1)),
    );
    assert.ok(Math.abs(expected[0]! - expected[1]!) > 10, `photos too alike to tell apart: ${expected}`);
    for (const want of expected) {
      const closest = Math.min(...results.map((r) => Math.abs(r.meanLuma - want)));
      assert.ok(
        closest < 4,
        `no received frame near luma ${want.toFixed(1)} (closest off by ${closest.toFixed(1)})`,
      );
    }
  });

  test('the canvas shows the video, and its pixels change with it', async () => {
    const sample = () =>
      harness.page.evaluate(() => {
        const view = document
          .querySelector('tobira-app')!
          .shadowRoot!.querySelector('unlock-screen')!
          .shadowRoot!.querySelector('camera-view')!;
        const canvas = view.shadowRoot!.querySelector('canvas')!;
        const ctx = canvas.getContext('2d')!;
        // The middle of the picture: symmetric, so mirroring does not move it.
        const w = Math.floor(canvas.height * (640 / 480) * 0.5);
        const h = Math.floor(canvas.height * 0.5);
        const data = ctx.getImageData((canvas.width - w) / 2, (canvas.height - h) / 2, w, h).data;
        let sum = 0;
        for (let i = 0; i < data.length; i += 4)
          sum += 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
        return {
          luma: sum / (data.length / 4),
          drawn: (view as unknown as { drawnFrames: number }).drawnFrames,
        };
      });
    const expected = await Promise.all(
      photos.map(async (p) => meanLuma(await expectedFrameRgba(p), 640, 480)),
    );
    const seen: number[] = [];
    const drawn: number[] = [];
    const deadline = Date.now() + 6000;
    while (Date.now() < deadline) {
      const s = await sample();
      seen.push(s.luma);
      drawn.push(s.drawn);
      await new Promise((r) => setTimeout(r, 150));
    }
    for (const want of expected) {
      const closest = Math.min(...seen.map((l) => Math.abs(l - want)));
      assert.ok(
        closest < 6,
        `canvas never showed the photo with centre luma ${want.toFixed(1)}; saw ${seen.map((l) => l.toFixed(0))}`,
      );
    }
    // Frames are drawn, and drawn in order: the count only grows. (How fast is the
    // benchmark's business, not a test's: a busy CI machine must not fail this.)
    assert.ok(drawn.at(-1)! > drawn[0]!, `the overlay drew no frame in 6 s: ${drawn.join(',')}`);
    assert.ok(
      drawn.every((n, i) => i === 0 || n >= drawn[i - 1]!),
      `the drawn-frame count went backwards: ${drawn.join(',')}`,
    );
  });

  test('a call goes through the gate to a main handler and back', async () => {
    const outcome = await harness.page.evaluate(() => window.tobira.ping({ message: 'hello door' }));
    assert.equal(outcome.ok, true);
    assert.equal(outcome.ok && outcome.value.pong, 'hello door');
    const refused = await harness.page.evaluate(() => window.tobira.updateSettings({ locale: 'ja' }));
    assert.deepEqual(
      { ok: refused.ok, code: !refused.ok && refused.code },
      { ok: false, code: 'ADMIN_REQUIRED' },
    );
    const bad = await harness.page.evaluate(() =>
      (window.tobira.ping as (arg: unknown) => Promise<unknown>)({ message: 42 }),
    );
    assert.equal((bad as { code: string }).code, 'INVALID_PAYLOAD');
    await harness.screenshot('unlock-screen');
  });

  test('the admin screen is behind a PIN, and settings changes reach main', async () => {
    const page = harness.page;
    await page.keyboard.press('Control+Alt+A');
    await page.locator('pin-pad').waitFor();
    await harness.screenshot('admin-set-pin');
    // Too short: the pad says so itself, in a sentence, and sends nothing.
    await page.keyboard.type('2468');
    await page.keyboard.press('Enter');
    await page.locator('pin-pad .error', { hasText: 'at least 6 digits' }).waitFor();
    // Two different entries: refused, and the first has to be chosen again.
    await page.keyboard.type('246810');
    await page.keyboard.press('Enter');
    await page.locator('pin-pad .prompt', { hasText: 'again' }).waitFor();
    await page.keyboard.type('246811');
    await page.keyboard.press('Enter');
    await page.locator('pin-pad .error', { hasText: 'The two PINs differ' }).waitFor();
    assert.equal(harness.services.pin.isSet(), false, 'a PIN was sent before it was typed twice');
    // A first PIN: 6 digits, typed twice.
    for (let i = 0; i < 2; i++) {
      await page.keyboard.type('246810');
      await page.keyboard.press('Enter');
    }
    await page.locator('admin-screen').waitFor();
    await page.locator('admin-screen button[data-tab="settings"]').click();
    await page.locator('admin-settings select[name="locale"]').selectOption('ja');
    await page.waitForFunction(() => document.documentElement.lang === 'ja');
    assert.equal(harness.services.settings.get().locale, 'ja');
    const title = await page.locator('admin-screen h1').textContent();
    assert.equal(title?.trim(), '管理');
    await harness.screenshot('admin-screen-ja');
    await page.locator('admin-settings select[name="locale"]').selectOption('en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await harness.screenshot('admin-screen');
    await page.locator('admin-screen button.back').click();
    await page.locator('unlock-screen').waitFor();
    assert.equal(harness.services.adminSession.isActive(1), false);
  });
});

describe('camera and settings problems are shown on screen', () => {
  test("a denied camera is said in the door screen's large line instead of a black view", async () => {
    // Models installed, so the camera is the one fault on the door.
    const harness = await startHarness({ grantCamera: false, facePack: TEST_PACK_FILES });
    try {
      await harness.open();
      // The door screen says it in its large line (screens/door/door-words.ts), in plain words.
      const line = harness.page.locator('unlock-screen .status .line');
      await line.filter({ hasText: /The camera is turned off for this door/ }).waitFor({ timeout: 10_000 });
      assert.doesNotMatch(await line.innerText(), /Look at the camera/);
      await harness.screenshot('unlock-camera-denied');
    } finally {
      await harness.close();
    }
  });

  test('removing the camera view stops its tracks', async () => {
    const harness = await startHarness({});
    try {
      await harness.open();
      const states = await harness.page.evaluate(async () => {
        const screen = document.querySelector('tobira-app')!.shadowRoot!.querySelector('unlock-screen')!;
        const view = screen.shadowRoot!.querySelector('camera-view')! as HTMLElement & {
          tracks: MediaStreamTrack[];
        };
        for (let i = 0; i < 100 && view.tracks.length === 0; i++)
          await new Promise((r) => setTimeout(r, 100));
        const tracks = view.tracks;
        const before = tracks.map((t) => t.readyState);
        view.remove();
        return { before, after: tracks.map((t) => t.readyState) };
      });
      assert.deepEqual(states.before, ['live']);
      assert.deepEqual(states.after, ['ended']);
    } finally {
      await harness.close();
    }
  });

  test('a corrupt settings file is kept aside and reported on screen', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tobira-corrupt-'));
    writeFileSync(path.join(dataDir, 'settings.json'), '{"locale": "ja", "camera": ');
    const harness = await startHarness({ dataDir });
    try {
      await harness.open();
      const notice = harness.page.locator('tobira-app .notice');
      await notice.waitFor();
      const text = await notice.innerText();
      assert.match(text, /settings file was unreadable/);
      const backup = harness.services.settings.notice!.backupPath;
      assert.ok(text.includes(backup));
      assert.equal(readFileSync(backup, 'utf8'), '{"locale": "ja", "camera": ');
      await harness.screenshot('unlock-settings-notice');
    } finally {
      await harness.close();
    }
  });
});
