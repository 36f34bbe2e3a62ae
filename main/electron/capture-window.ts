// The capture context: a hidden window with its own page (capture.html) and preload that only
// open the camera and forward frames. Decision frames come only from here; why a hidden window
// rather than native capture in main is in main/frames/frame-routing.ts.
import { BrowserWindow } from 'electron';
import path from 'node:path';
import { APP_ORIGIN, WEB_PREFERENCES, lockDownContents } from '../security.js';
import type { AppServices } from '../services.js';
import { CAPTURE_CONFIG_CHANNEL, captureConfigOf } from '../../preload/contract/capture.js';

export const CAPTURE_ENTRY_URL = `${APP_ORIGIN}/capture/capture.html`;

export interface CaptureWindow {
  load(): Promise<void>;
  contentsId(): number | null;
  /** Settings changed: tell the page which camera to open. */
  configure(): void;
}

export function createCaptureWindow(services: Pick<AppServices, 'settings' | 'log'>): CaptureWindow {
  const win = new BrowserWindow({
    show: false,
    width: 320,
    height: 240,
    skipTaskbar: true,
    webPreferences: {
      ...WEB_PREFERENCES,
      // Hidden, yet it must keep its camera and timers at full rate.
      backgroundThrottling: false,
      preload: path.resolve(import.meta.dirname, '../preload/capture-preload.cjs'),
    },
  });
  const contents = win.webContents;
  lockDownContents(contents);
  const configure = () => {
    if (!win.isDestroyed())
      contents.send(CAPTURE_CONFIG_CHANNEL, captureConfigOf(services.settings.get().camera));
  };
  contents.on('did-finish-load', configure);
  contents.on('render-process-gone', (_event, details) => {
    services.log(`capture page gone (${details.reason}); reloading`);
    if (!win.isDestroyed()) void win.loadURL(CAPTURE_ENTRY_URL);
  });
  return {
    load: () => win.loadURL(CAPTURE_ENTRY_URL),
    contentsId: () => (win.isDestroyed() ? null : contents.id),
    configure,
  };
}
