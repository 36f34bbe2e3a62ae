// The one kiosk window: sandboxed, isolated, no navigation, no popups, and a
// reload when its renderer dies.
import { BrowserWindow, Menu, app } from 'electron';
import path from 'node:path';
import { APP_ENTRY_URL, WEB_PREFERENCES, isEscapeShortcut, lockDownContents } from '../security.js';
import type { AppServices } from '../services.js';
import type { EventName, Events } from '../../preload/contract/events.js';
import { IPC_PREFIX } from '../../preload/contract/index.js';

export interface KioskWindow {
  load(): Promise<void>;
  focus(): void;
  contentsId(): number | null;
  send<E extends EventName>(event: E, payload: Events[E]): void;
  exitKiosk(): void;
  isKiosk(): boolean;
}

export function createKioskWindow(
  services: Pick<AppServices, 'settings' | 'adminSession' | 'log'>,
): KioskWindow {
  const kiosk = services.settings.get().kiosk.fullscreen && !process.argv.includes('--no-kiosk');
  let kioskMode = kiosk;
  Menu.setApplicationMenu(null);
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    kiosk,
    fullscreen: kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#0b1020',
    show: false,
    webPreferences: {
      ...WEB_PREFERENCES,
      preload: path.resolve(import.meta.dirname, '../preload/preload.cjs'),
    },
  });
  const contents = win.webContents;

  lockDownContents(contents);
  contents.on('before-input-event', (event, input) => {
    if (kioskMode && input.type === 'keyDown' && isEscapeShortcut(input)) event.preventDefault();
  });
  // A crash, reload or navigation ends the admin session, and with it any enrollment.
  contents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) services.adminSession.end('reloaded', contents.id);
  });
  contents.on('render-process-gone', (_event, details) => {
    services.adminSession.end('renderer-gone', contents.id);
    services.log(`renderer gone (${details.reason}, exit ${details.exitCode}); reloading`);
    if (!win.isDestroyed()) void win.loadURL(APP_ENTRY_URL);
  });
  win.on('close', (event) => {
    // Leaving kiosk mode needs the admin PIN (exitKiosk); a stray close must not.
    if (kioskMode) event.preventDefault();
  });
  win.once('ready-to-show', () => win.show());

  return {
    load: () => win.loadURL(APP_ENTRY_URL),
    focus() {
      if (win.isMinimized()) win.restore();
      win.focus();
    },
    contentsId: () => (win.isDestroyed() ? null : contents.id),
    send(event, payload) {
      if (!win.isDestroyed()) contents.send(IPC_PREFIX + event, payload);
    },
    exitKiosk() {
      kioskMode = false;
      win.setKiosk(false);
      win.setFullScreen(false);
      if (process.argv.includes('--quit-on-exit-kiosk')) app.quit();
    },
    isKiosk: () => kioskMode,
  };
}
