// `--autostart=on|off`: an admin action run once from a terminal; it sets or
// clears starting Tobira at login, then the process exits.
import { app } from 'electron';
import os from 'node:os';
import {
  linuxAutostartEntry,
  linuxAutostartPath,
  parseAutostartSwitch,
  setLinuxAutostart,
} from '../util/autostart-entry.js';

/** Applies the switch when present; true means it was handled and the app should exit. */
export async function applyAutostartSwitch(argv: readonly string[]): Promise<boolean> {
  const mode = parseAutostartSwitch(argv);
  if (mode === null) return false;
  // Unpackaged (`electron .`), the Electron binary needs the app folder as its argument.
  const appArgs = app.isPackaged ? [] : [app.getAppPath()];
  if (process.platform === 'linux') {
    // An AppImage runs from a temporary mount: $APPIMAGE names the file itself.
    const executable = process.env.APPIMAGE ?? process.execPath;
    const file = linuxAutostartPath(process.env, os.homedir());
    await setLinuxAutostart(mode, file, linuxAutostartEntry(app.getName(), [executable, ...appArgs]));
    console.log(`[tobira] autostart ${mode}: ${file}`);
  } else {
    app.setLoginItemSettings({ openAtLogin: mode === 'on', path: process.execPath, args: appArgs });
    console.log(`[tobira] autostart ${mode}`);
  }
  return true;
}
