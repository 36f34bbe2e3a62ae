// The real Electron shell, driven by Playwright's _electron: the window opens
// on app://tobira, its security settings are the ones main/security.ts states,
// the page has the contract API and no Node, and IPC goes through the gate.
// Runs where an Electron binary is installed; otherwise it skips and says why.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron } from 'playwright-core';
import { projectRoot } from '../helpers/fixtures.js';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, WEB_PREFERENCES } from '../../main/security.js';

/**
 * Where `require('electron')` points, found without calling it: with no binary,
 * electron's index.js would try to download one.
 */
function electronBinary(): { executable: string } | { missing: string } {
  const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) return { executable: path.join(override, relative ?? 'electron') };
  if (relative === null) return { missing: path.join(pkgDir, 'dist') };
  const executable = path.join(pkgDir, 'dist', relative);
  return existsSync(executable) ? { executable } : { missing: executable };
}

function skipReason(): string | null {
  const found = electronBinary();
  if ('missing' in found) {
    const why = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD
      ? 'ELECTRON_SKIP_BINARY_DOWNLOAD was set here'
      : "electron's install script did not download it here";
    return `Electron binary not found at ${found.missing}: npm install downloads it on a machine with internet; ${why}`;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'Electron needs a display: run the tests under a desktop session or xvfb-run';
  }
  return null;
}

test('the Electron shell: a secure window, the contract API, and IPC through the gate', async (t: TestContext) => {
  const reason = skipReason();
  if (reason) {
    t.skip(reason);
    return;
  }
  const found = electronBinary();
  assert.ok('executable' in found);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tobira-electron-'));
  const app = await _electron.launch({
    executablePath: found.executable,
    args: [path.join(projectRoot, 'dist/main/main.js'), '--no-kiosk', `--data-dir=${dataDir}`],
    cwd: projectRoot,
    timeout: 60_000,
  });
  try {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    assert.ok(page.url().startsWith(`${APP_ORIGIN}/`), `window loaded ${page.url()}`);

    // getLastWebPreferences: undocumented (absent from electron.d.ts) but the only read-back of the
    // preferences a window actually got.
    type WithPrefs = { getLastWebPreferences(): Record<string, unknown> | null };
    const prefs = await app.evaluate(({ BrowserWindow }) =>
      (BrowserWindow.getAllWindows()[0]!.webContents as unknown as WithPrefs).getLastWebPreferences(),
    );
    assert.ok(prefs, 'the window has no webPreferences');
    for (const [key, value] of Object.entries(WEB_PREFERENCES)) {
      assert.equal(prefs[key], value, `webPreferences.${key}`);
    }
    assert.match(String(prefs.preload), /preload\.cjs$/);

    // The CSP comes as a header from the app:// handler and as a meta tag in the page.
    const header = await page.evaluate(async () =>
      (await fetch('/index.html')).headers.get('content-security-policy'),
    );
    assert.equal(header, CONTENT_SECURITY_POLICY);
    const meta = await page.evaluate(() =>
      document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'),
    );
    assert.match(meta ?? '', /default-src 'none'; script-src 'self'/);
    assert.doesNotMatch(meta ?? '', /unsafe/);
    // ...and it is enforced: no eval.
    const evalResult = await page.evaluate(() => {
      try {
        return String((0, eval)('1 + 1'));
      } catch (error) {
        return (error as Error).name;
      }
    });
    assert.equal(evalResult, 'EvalError');

    const globals = await page.evaluate(() => ({
      tobira: typeof window.tobira,
      ping: typeof window.tobira?.ping,
      require: typeof (window as unknown as Record<string, unknown>).require,
      process: typeof (globalThis as unknown as Record<string, unknown>).process,
      ipcRenderer: typeof (window.tobira as unknown as Record<string, unknown>)?.ipcRenderer,
    }));
    assert.deepEqual(globals, {
      tobira: 'object',
      ping: 'function',
      require: 'undefined',
      process: 'undefined',
      ipcRenderer: 'undefined',
    });

    const pong = await page.evaluate(() => window.tobira.ping({ message: 'hello from the renderer' }));
    assert.equal(pong.ok, true, JSON.stringify(pong));
    if (pong.ok) assert.equal(pong.value.pong, 'hello from the renderer');
    // The gate validates payloads in the real main process too.
    const refused = await page.evaluate(() => window.tobira.ping({ message: 'x'.repeat(5000) }));
    assert.equal(refused.ok, false, JSON.stringify(refused));

    // No popups, no navigation away from the app.
    const popup = await page.evaluate(() => window.open('https://example.com') === null);
    assert.equal(popup, true);
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(page.url().startsWith(`${APP_ORIGIN}/`), `navigated to ${page.url()}`);
  } finally {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
