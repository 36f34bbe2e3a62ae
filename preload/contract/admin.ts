import { z } from 'zod';
import { channel } from './define.js';
import { NoArgs } from './app.js';

export interface AdminState {
  pinSet: boolean;
  /** True while this window holds an unlocked admin session. */
  unlocked: boolean;
}

/** 4 to 12 digits: typed on a touch keypad at the door. */
export const PinSchema = z.string().regex(/^\d{4,12}$/, 'a PIN is 4 to 12 digits');

export const adminChannels = {
  getAdminState: channel<AdminState>()(NoArgs, 'public'),
  /** First launch: set the PIN. Later: change it, inside an admin session. */
  setAdminPin: channel<AdminState>()(
    z.object({ pin: PinSchema, currentPin: z.string().min(1).max(64).optional() }).strict(),
    'public',
  ),
  adminLogin: channel<AdminState>()(z.object({ pin: z.string().min(1).max(64) }).strict(), 'public'),
  adminLogout: channel<AdminState>()(NoArgs, 'public'),
};
