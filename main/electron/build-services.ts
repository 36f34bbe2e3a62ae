// Builds AppServices with Electron's pieces: userData, electron-store,
// safeStorage for the store's key, net.fetch (system proxy) and file dialogs.
import { app, dialog, net } from 'electron';
import ElectronStore from 'electron-store';
import { AppServices } from '../services.js';
import type { FilePicker } from '../util/file-picker.js';
import { resolvePaths } from '../paths.js';
import { createSafeStorageKeyWrapper } from './safe-storage-key.js';
import type { KioskWindow } from './window.js';
import type { Settings } from '../../preload/contract/settings.js';
import type { FetchLike } from '../packs/download.js';

const pickFiles: FilePicker = async (request) => {
  if (request.kind === 'save') {
    const result = await dialog.showSaveDialog({ defaultPath: request.defaultName });
    return result.canceled || !result.filePath ? null : [result.filePath];
  }
  const result = await dialog.showOpenDialog({
    properties:
      request.kind === 'folder'
        ? ['openDirectory']
        : request.kind === 'images'
          ? ['openFile', 'multiSelections']
          : ['openFile'],
    filters:
      request.kind === 'zip'
        ? [{ name: 'Model pack', extensions: ['zip'] }]
        : request.kind === 'images'
          ? [{ name: 'Photos', extensions: ['jpg', 'jpeg', 'png', 'webp'] }]
          : [],
  });
  return result.canceled ? null : result.filePaths;
};

export async function buildServices(window: () => KioskWindow | null): Promise<AppServices> {
  const paths = resolvePaths(app.getPath('userData'), process.argv);
  app.setPath('userData', paths.dataDir);
  return AppServices.create({
    paths,
    createSettingsStore: ({ configName, ...options }) =>
      new ElectronStore<Settings>({ ...options, name: configName ?? 'settings' }),
    version: app.getVersion(),
    platform: process.platform,
    kiosk: { isKiosk: () => window()?.isKiosk() ?? false, exit: () => window()?.exitKiosk() },
    keyWrapper: createSafeStorageKeyWrapper,
    // Electron's net honours the system proxy settings.
    fetch: ((url, init) => net.fetch(url, init)) as FetchLike,
    pickFiles,
  });
}
