// The Electron shell: a thin, ordered boot. Everything it calls lives in
// modules that never import electron and are tested under Node.
import { app, powerSaveBlocker } from 'electron';
import { setupProtocolPrivileges, setupAppProtocol } from './protocol.js';
import { setupPermissions } from './permissions.js';
import { createKioskWindow, type KioskWindow } from './window.js';
import { createCaptureWindow, type CaptureWindow } from './capture-window.js';
import { setupIpc } from './ipc.js';
import { buildServices } from './build-services.js';
import { applyAutostartSwitch } from './autostart-switch.js';
import type { AppServices } from '../services.js';
import { limitYoungGeneration } from '../util/door-heap.js';

let kioskWindow: KioskWindow | null = null;
let captureWindow: CaptureWindow | null = null;
let services: AppServices | null = null;

function setupSingleInstance(): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => kioskWindow?.focus());
  return true;
}

function setupPowerSave(): void {
  // A door kiosk must never blank its screen.
  powerSaveBlocker.start('prevent-display-sleep');
}

async function boot(): Promise<void> {
  limitYoungGeneration();
  // Privileged schemes must be registered before 'ready': first, before any await.
  setupProtocolPrivileges();
  // `--autostart=on|off` sets login start and exits, even while a kiosk runs.
  if (await applyAutostartSwitch(process.argv)) return app.exit(0);
  if (!setupSingleInstance()) return;
  await app.whenReady();
  services = await buildServices(() => kioskWindow);
  setupAppProtocol();
  const appId = () => kioskWindow?.contentsId() ?? null;
  const captureId = () => captureWindow?.contentsId() ?? null;
  setupPermissions(appId, captureId);
  kioskWindow = createKioskWindow(services);
  // Door frames come only from this hidden page (main/frames/frame-routing.ts).
  captureWindow = createCaptureWindow(services);
  setupIpc(services, appId, captureId, (event, payload) => kioskWindow?.send(event, payload));
  services.settingsEffects.watch(() => captureWindow?.configure());
  setupPowerSave();
  // After IPC, so the window hears the engine's status and download progress.
  void services.engine.start();
  await Promise.all([kioskWindow.load(), captureWindow.load()]);
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => void services?.close());
}

boot().catch((error: unknown) => {
  console.error('[tobira] failed to start:', error);
  app.exit(1);
});
