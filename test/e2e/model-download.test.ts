// Model packs in Chromium: the first launch without models, the licence shown
// once, and a download from a pack server on loopback with a progress bar that
// moves, on the admin screen and on the unlock screen.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../helpers/harness.js';
import {
  buildZip,
  catalogEntry,
  startPackServer,
  testPackFiles,
  type PackServer,
} from '../helpers/pack-server.js';
import type { EngineStatus } from '../../preload/contract/events.js';

const PACK = 'buffalo_test';
const LICENSE = 'The InsightFace pretrained models are available for non-commercial research purposes only.';

describe('model pack download in the kiosk', () => {
  let server: PackServer;
  let catalog: string;

  before(async () => {
    server = await startPackServer();
    const files = await testPackFiles();
    const zip = await buildZip(files);
    // ~6 MB in 64 KiB chunks, 25 ms apart: a few seconds, long enough to watch the bar move.
    server.routes.set(`/${PACK}.zip`, { body: zip, chunkDelayMs: 25 });
    const entry = {
      ...catalogEntry(PACK, server.url(`/${PACK}.zip`), zip, files),
      default: true,
      license: LICENSE,
      licenseAck: 'insightface',
    };
    catalog = path.join(mkdtempSync(path.join(os.tmpdir(), 'tobira-catalog-')), 'catalog.json');
    writeFileSync(catalog, JSON.stringify({ packs: [entry] }));
  });
  after(() => server.close());

  async function progressValues(h: Harness, selector: string, ms: number): Promise<number[]> {
    const seen: number[] = [];
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const value = await h.page
        .locator(selector)
        .first()
        .evaluate((el) => (el as HTMLProgressElement).value / ((el as HTMLProgressElement).max || 1))
        .catch(() => null);
      if (value !== null) seen.push(value);
      // Full, or gone once it had shown: the download finished.
      if (value === 1 || (value === null && seen.length > 0)) break;
      await new Promise((r) => setTimeout(r, 150));
    }
    return seen;
  }

  test('an admin acknowledges the licence once and downloads the pack, watching the progress bar', async () => {
    const h = await startHarness({ argv: [`--catalog=${catalog}`] });
    try {
      await h.open();
      assert.equal(h.services.engine.getStatus().state, 'no-models');
      await h.page.locator('unlock-screen .status').getByText('Face models are not installed').waitFor();
      await h.screenshot('unlock-no-models');

      await h.page.keyboard.press('Control+Alt+A');
      await h.page.locator('pin-pad').waitFor();
      for (let i = 0; i < 2; i++) {
        await h.page.keyboard.type('135790');
        await h.page.keyboard.press('Enter');
      }
      await h.page.locator('admin-screen button[data-tab="models"]').click();
      await h.page.locator(`tr[data-pack="${PACK}"] button[name="download"]`).click();
      const licence = h.page.locator('section.license');
      await licence.waitFor();
      assert.match(await licence.innerText(), /non-commercial research purposes only/);
      await h.screenshot('admin-models-license');
      await licence.locator('button[name="acknowledge"]').click();

      const bar = `tr[data-progress="${PACK}"] progress`;
      await h.page.locator(bar).waitFor({ timeout: 10_000 });
      const screenshotTaken = (async () => {
        await new Promise((r) => setTimeout(r, 1200));
        await h.screenshot('admin-models-downloading');
      })();
      const values = await progressValues(h, bar, 30_000);
      await screenshotTaken;
      assert.ok(values.length >= 3, `saw the bar only ${values.length} times`);
      const distinct = new Set(values.map((v) => v.toFixed(3)));
      assert.ok(distinct.size >= 3, `the bar did not move: ${[...distinct].join(', ')}`);
      for (let i = 1; i < values.length; i++)
        assert.ok(values[i]! >= values[i - 1]!, `the bar went backwards: ${values}`);

      const ready = await waitForEngine(h, 'ready');
      assert.equal(ready.pack, PACK);
      assert.ok(server.requests.some((r) => r.path === `/${PACK}.zip`));
      const listed = await h.services.packs.list();
      assert.deepEqual(
        listed.filter((p) => p.name === PACK).map((p) => [p.installed, p.active, p.licenseAcknowledged]),
        [[true, true, true]],
      );
      await h.screenshot('admin-models-installed');
    } finally {
      await h.close();
    }
  });

  test('on first launch after the licence was acknowledged, the unlock screen shows the download with a progress bar', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tobira-firstrun-'));
    const h = await startHarness({ dataDir, argv: [`--catalog=${catalog}`], deferStart: true });
    try {
      await h.services.packs.acknowledgeLicense(PACK);
      await h.open();
      const starting = h.services.engine.start();
      const values = await progressValues(h, 'unlock-screen progress', 30_000);
      await starting;
      assert.ok(values.length >= 2, `saw the unlock screen's bar ${values.length} times`);
      assert.ok(new Set(values.map((v) => v.toFixed(3))).size >= 2, 'the unlock screen bar did not move');
      assert.equal((await waitForEngine(h, 'ready')).pack, PACK);
    } finally {
      await h.close();
    }
  });
});

async function waitForEngine(h: Harness, state: EngineStatus['state']): Promise<EngineStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = h.services.engine.getStatus();
    if (status.state === state) return status;
    if (Date.now() > deadline) throw new Error(`engine is ${status.state} (${status.message}), not ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
