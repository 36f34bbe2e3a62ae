import { z } from 'zod';
import { channel } from './define.js';
import { NoArgs } from './app.js';

export interface AdminState {
  pinSet: boolean;
  /** True while this window holds an unlocked admin session. */
  unlocked: boolean;
  /** No PIN yet and the kiosk never used: the screen may choose the first PIN. Otherwise it is set on the PC. */
  firstPin: boolean;
  /** The fewest digits a new admin PIN may have (6, or 4 when the settings allow a weaker PIN). */
  pinMinDigits: number;
}

/** 4 to 12 digits: typed on a touch keypad at the door. */
export const PinSchema = z.string().regex(/^\d{4,12}$/, 'a PIN is 4 to 12 digits');

export const adminChannels = {
  getAdminState: channel<AdminState>()(NoArgs, 'public'),
  /** First launch: set the PIN. Later: change it, inside an admin session. */
  setAdminPin: channel<AdminState>()(
    // The new PIN's policy (digits, length) is checked in main, which answers with a code to translate.
    z.object({ pin: z.string().min(1).max(64), currentPin: z.string().min(1).max(64).optional() }).strict(),
    'public',
    'pin_change',
  ),
  adminLogin: channel<AdminState>()(
    z.object({ pin: z.string().min(1).max(64) }).strict(),
    'public',
    'admin_login',
  ),
  adminLogout: channel<AdminState>()(NoArgs, 'public', 'admin_logout'),
};
