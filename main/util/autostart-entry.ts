// Start Tobira on login, switched by `--autostart=on|off`. On Linux that is an
// XDG autostart entry (~/.config/autostart/tobira.desktop), written here; macOS
// and Windows use Electron's login items (main/electron/autostart-switch.ts).
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

export type AutostartMode = 'on' | 'off';

const SWITCH = '--autostart';

/** The `--autostart=on|off` switch from argv, or null when absent; any other value is an error. */
export function parseAutostartSwitch(argv: readonly string[]): AutostartMode | null {
  const arg = argv.find((a) => a === SWITCH || a.startsWith(`${SWITCH}=`));
  if (arg === undefined) return null;
  const value = arg.slice(SWITCH.length + 1);
  if (value === 'on' || value === 'off') return value;
  throw new Error(`${SWITCH} takes "on" or "off", got ${value ? `"${value}"` : 'no value'}`);
}

/** $XDG_CONFIG_HOME/autostart/tobira.desktop, with ~/.config as XDG's default. */
export function linuxAutostartPath(env: NodeJS.ProcessEnv, homeDir: string): string {
  const configHome =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.join(homeDir, '.config');
  return path.join(configHome, 'autostart', 'tobira.desktop');
}

/**
 * One argument of a desktop entry's Exec key. The spec applies the string
 * escape (`\\`) before its quoting rule (`\"`, `` \` ``, `\$`, `\\` inside
 * double quotes), so a literal backslash ends up as four; `%` is a field code.
 */
export function quoteExecArg(arg: string): string {
  if (/[\n\r\t]/.test(arg))
    throw new Error(`an autostart command argument cannot hold a line break or tab: ${JSON.stringify(arg)}`);
  const percent = arg.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_\-./=:,+@%]+$/.test(percent)) return percent;
  const quoted = `"${percent.replace(/[\\"`$]/g, '\\$&')}"`;
  return quoted.replace(/\\/g, '\\\\');
}

/** The autostart entry's text: launches `command` (the executable, then its arguments) at login. */
export function linuxAutostartEntry(name: string, command: readonly string[]): string {
  if (command.length === 0) throw new Error('an autostart command needs an executable');
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${name.replace(/[\n\r]/g, ' ')}`,
    'Comment=Face-unlock door kiosk, started at login',
    `Exec=${command.map(quoteExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Writes the entry (on) or removes it (off); removing an absent entry is not an error. */
export async function setLinuxAutostart(mode: AutostartMode, file: string, entry: string): Promise<void> {
  if (mode === 'off') {
    await rm(file, { force: true });
    return;
  }
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, entry, { mode: 0o644 });
}
