// The security values the Electron shell applies, asserted where they are defined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  WEB_PREFERENCES,
  appFileFor,
  appResponseHeaders,
  isEscapeShortcut,
  isPermissionAllowed,
  lockDownContents,
  webPreferencesFor,
} from '../../../main/security.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../helpers/fixtures.js';

test('the window is isolated and sandboxed with no Node', () => {
  assert.equal(WEB_PREFERENCES.contextIsolation, true);
  assert.equal(WEB_PREFERENCES.sandbox, true);
  assert.equal(WEB_PREFERENCES.nodeIntegration, false);
  assert.equal(WEB_PREFERENCES.nodeIntegrationInWorker, false);
  assert.equal(WEB_PREFERENCES.webSecurity, true);
  assert.equal(WEB_PREFERENCES.webviewTag, false);
  assert.equal(WEB_PREFERENCES.allowRunningInsecureContent, false);
  assert.equal(WEB_PREFERENCES.disableBlinkFeatures, 'Auxclick');
});

test('dev tools exist only outside a packaged build', () => {
  assert.equal(webPreferencesFor(true).devTools, false);
  assert.equal(webPreferencesFor(false).devTools, true);
  assert.equal(webPreferencesFor(true).sandbox, true);
  assert.equal(webPreferencesFor(true).disableBlinkFeatures, 'Auxclick');
});

test('the CSP allows no inline script, eval, or remote origin', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'"]);
  assert.deepEqual(directives.get('object-src'), ["'none'"]);
  for (const values of directives.values()) {
    assert.ok(!values.includes("'unsafe-eval'") && !values.includes("'unsafe-inline'"));
    assert.ok(!values.some((v) => v.startsWith('http') || v === '*'));
  }
});

test('index.html carries the same CSP as a meta tag, so it holds however the page is loaded', () => {
  const html = readFileSync(path.join(projectRoot, 'renderer/index.html'), 'utf8');
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
  assert.ok(meta, 'no CSP meta tag');
  // frame-ancestors is ignored in a meta tag, so the header alone carries it.
  const header = CONTENT_SECURITY_POLICY.split('; ').filter((d) => !d.startsWith('frame-ancestors'));
  assert.deepEqual(meta.split('; '), header);
});

test('only the camera, only for the app page', () => {
  assert.equal(isPermissionAllowed('media', APP_ORIGIN, APP_ORIGIN, ['video']), true);
  assert.equal(isPermissionAllowed('media', APP_ORIGIN, APP_ORIGIN, ['video', 'audio']), false);
  assert.equal(isPermissionAllowed('media', 'https://evil.example', APP_ORIGIN, ['video']), false);
  for (const permission of [
    'geolocation',
    'notifications',
    'clipboard-read',
    'openExternal',
    'fullscreen',
    'hid',
  ]) {
    assert.equal(isPermissionAllowed(permission, APP_ORIGIN, APP_ORIGIN), false, permission);
  }
});

test('escape shortcuts are recognised, ordinary typing is not', () => {
  const key = (
    k: string,
    mods: Partial<{ control: boolean; meta: boolean; alt: boolean; shift: boolean }> = {},
  ) => ({
    key: k,
    control: false,
    meta: false,
    alt: false,
    shift: false,
    ...mods,
  });
  for (const combo of [
    key('F4', { alt: true }),
    key('w', { control: true }),
    key('q', { meta: true }),
    key('F11'),
    key('r', { control: true }),
    key('I', { control: true, shift: true }),
  ]) {
    assert.equal(isEscapeShortcut(combo), true, JSON.stringify(combo));
  }
  for (const combo of [
    key('1'),
    key('a'),
    key('Enter'),
    key('Backspace'),
    key('a', { control: true, alt: true }),
  ]) {
    assert.equal(isEscapeShortcut(combo), false, JSON.stringify(combo));
  }
});

/** A WebContents stand-in: Electron's EventEmitter events, and the window-open handler it was given. */
class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
}

test('every window blocks navigation, redirects, webviews and new windows, whatever the URL', () => {
  const contents = new FakeContents();
  lockDownContents(contents);
  for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
    for (const url of ['https://evil.example/', APP_ENTRY_URL, 'file:///etc/passwd']) {
      // Electron emits (event, url, ...): the guard must call preventDefault, for any URL.
      let prevented = false;
      const emitted = contents.emit(name, { preventDefault: () => (prevented = true) }, url);
      assert.ok(emitted, `${name} has a listener`);
      assert.equal(prevented, true, `${name} ${url} was let through`);
    }
  }
  for (const url of ['https://evil.example/', APP_ENTRY_URL, 'about:blank']) {
    assert.deepEqual(contents.openHandler?.({ url }), { action: 'deny' }, url);
  }
});

test('app:// serves only files inside the renderer folder, and only for its own host', () => {
  const dir = path.resolve('/opt/tobira/renderer');
  const cases: [string, string | null][] = [
    [`${APP_ORIGIN}/index.html`, path.join(dir, 'index.html')],
    [`${APP_ORIGIN}/capture/capture.html`, path.join(dir, 'capture/capture.html')],
    [`${APP_ORIGIN}/a%20b.css`, path.join(dir, 'a b.css')],
    // The URL parser resolves a literal or encoded dot segment before the path is read.
    [`${APP_ORIGIN}/../main/main.js`, path.join(dir, 'main/main.js')],
    [`${APP_ORIGIN}/%2e%2e/main/main.js`, path.join(dir, 'main/main.js')],
    // An encoded slash survives the parser: decoded, it climbs out.
    [`${APP_ORIGIN}/..%2f..%2fmain%2fmain.js`, null],
    [`${APP_ORIGIN}/..%2fmain%2fmain.js`, null],
    [`${APP_ORIGIN}/%E0%A4%A`, null],
    ['app://other/index.html', null],
    ['https://tobira/index.html', null],
  ];
  for (const [url, file] of cases) assert.equal(appFileFor(url, dir), file, url);
});

test("every app:// response carries the CSP and nosniff, over the file's own headers", () => {
  const headers = appResponseHeaders(
    new Headers({ 'content-type': 'text/html', 'content-security-policy': "script-src 'unsafe-inline'" }),
  );
  assert.equal(headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
  assert.equal(headers.get('x-content-type-options'), 'nosniff');
  assert.equal(headers.get('content-type'), 'text/html');
});
