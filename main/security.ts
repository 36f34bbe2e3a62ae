// Security policy shared by the Electron shell and the browser test harness,
// so the tests assert the very values the app applies.
import path from 'node:path';

/** The app's own origin: pages are served from a custom protocol, never from disk URLs. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'tobira';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * No inline script, no eval, no remote anything. Lit's styles use constructable
 * stylesheets, which style-src does not govern, so 'unsafe-inline' is not needed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The window's webPreferences: Electron's security checklist, asserted by tests. */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
  // Middle-click (auxclick) can open links in ways the navigation guards do not see;
  // Electron's checklist and third-party scanners ask for it off.
  disableBlinkFeatures: 'Auxclick',
} as const;

/** Dev tools stay for `npm start` from a checkout, never in an installed (packaged) kiosk. */
export function webPreferencesFor(packaged: boolean) {
  return { ...WEB_PREFERENCES, devTools: !packaged };
}

/** The only permission the page ever gets: the camera, for the app's own page. */
export function isPermissionAllowed(
  permission: string,
  requestingOrigin: string,
  appOrigin: string,
  mediaTypes: readonly string[] = [],
): boolean {
  if (permission !== 'media') return false;
  if (requestingOrigin !== appOrigin) return false;
  return mediaTypes.every((type) => type === 'video');
}

/** Keys that would leave or reload the kiosk: swallowed while it runs. */
export function isEscapeShortcut(input: {
  key: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
}): boolean {
  const key = input.key.toLowerCase();
  const mod = input.control || input.meta;
  if (input.alt && (key === 'f4' || key === 'tab')) return true;
  if (['f5', 'f11', 'f12'].includes(key)) return true;
  if (mod && ['w', 'q', 'r', 'n', 't', 'm', 'h', 'p', '+', '-', '=', '0'].includes(key)) return true;
  if (mod && input.shift && ['i', 'j', 'c', 'r'].includes(key)) return true;
  return false;
}

/** The part of Electron's `WebContents` that the guards below use (tests pass a stand-in). */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'will-redirect', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Every window's page stays where it is: no navigation, no redirect, no <webview>, no new window,
 * whatever the URL (the app has no link that leaves it; Electron's checklist, items 13 and 14).
 */
export function lockDownContents(contents: GuardedContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/**
 * The file an app:// request asks for under `rendererDir`, or null (404): another host, or a
 * path that climbs out of the renderer folder, encoded or not.
 */
export function appFileFor(requestUrl: string, rendererDir: string): string | null {
  let url: URL;
  let pathname: string;
  try {
    url = new URL(requestUrl);
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  const file = path.normalize(path.join(rendererDir, pathname));
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  return file.startsWith(rendererDir + path.sep) ? file : null;
}

/** The headers every app:// response carries, whatever the file's own: the CSP and nosniff. */
export function appResponseHeaders(fileHeaders: Headers): Headers {
  const headers = new Headers(fileHeaders);
  headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  headers.set('X-Content-Type-Options', 'nosniff');
  return headers;
}
