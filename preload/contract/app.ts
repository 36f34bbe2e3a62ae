import { z } from 'zod';
import { channel } from './define.js';

export type Locale = 'en' | 'ja';

export interface SettingsNotice {
  /** Why the settings file was replaced by defaults. */
  reason: string;
  /** Where the unreadable file was kept. */
  backupPath: string;
}

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
  kiosk: boolean;
  dataDir: string;
  /** Set when the settings file was corrupt at start-up and defaults were used. */
  settingsNotice: SettingsNotice | null;
}

export const NoArgs = z.undefined().or(z.null()).optional();

export const appChannels = {
  getAppInfo: channel<AppInfo>()(NoArgs, 'public'),
  /** Leave kiosk mode (admin only: needs the admin PIN). */
  exitKiosk: channel<{ exited: boolean }>()(
    z.object({ pin: z.string().min(1).max(64) }).strict(),
    'public',
    'exit_kiosk',
  ),
  /** Echo for transport tests: returns what it was given. */
  ping: channel<{ pong: string; receivedAt: number }>()(
    z.object({ message: z.string().max(1024) }).strict(),
    'public',
  ),
};
