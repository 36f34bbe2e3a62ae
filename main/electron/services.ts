// Builds AppServices with Electron's pieces: userData, electron-store, the window.
import { app } from 'electron';
import ElectronStore from 'electron-store';
import { AppServices } from '../services.js';
import { resolvePaths } from '../paths.js';
import type { KioskWindow } from './window.js';
import type { Settings } from '../../preload/contract/settings.js';

export async function buildServices(window: () => KioskWindow | null): Promise<AppServices> {
  const paths = resolvePaths(app.getPath('userData'), process.argv);
  app.setPath('userData', paths.dataDir);
  return new AppServices({
    paths,
    createSettingsStore: ({ configName, ...options }) => new ElectronStore<Settings>({ ...options, name: configName }),
    version: app.getVersion(),
    platform: process.platform,
    kiosk: { isKiosk: () => window()?.isKiosk() ?? false, exit: () => window()?.exitKiosk() },
    admin: { isPinSet: async () => false, setPin: async () => undefined, verifyPin: async () => ({ ok: false, retryAfterMs: 0 }) },
  });
}
