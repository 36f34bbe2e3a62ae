// The handler table: one entry per contract channel, checked by the compiler.
import type { AppServices } from '../services.js';
import { ExpectedError } from './errors.js';
import type { HandlerTable, Sender } from './gate.js';

export function createHandlers(services: AppServices): HandlerTable {
  const { options } = services;
  const { admin } = options;
  const adminState = async (sender: Sender) => ({
    pinSet: await admin.isPinSet(),
    unlocked: services.isAdmin(sender.contentsId),
  });
  /** Admin-only channels call this first. */
  const requireAdmin = (sender: Sender) => {
    if (!services.isAdmin(sender.contentsId)) throw new ExpectedError('ADMIN_REQUIRED', 'Unlock the admin screen first.');
  };
  const verifyPinOrThrow = async (pin: string) => {
    if (!(await admin.isPinSet())) {
      throw new ExpectedError('NO_ADMIN_PIN', 'No admin PIN is set yet: set one on the admin screen first.');
    }
    const result = await admin.verifyPin(pin);
    if (result.retryAfterMs > 0) {
      const seconds = Math.ceil(result.retryAfterMs / 1000);
      throw new ExpectedError('LOCKED_OUT', `Too many wrong PINs: try again in ${seconds} s.`);
    }
    if (!result.ok) throw new ExpectedError('WRONG_PIN', 'Wrong PIN.');
  };
  return {
    getAppInfo: () => ({
      name: 'Tobira',
      version: options.version,
      platform: options.platform,
      kiosk: options.kiosk.isKiosk(),
      dataDir: services.paths.dataDir,
      settingsNotice: services.settings.notice,
    }),
    ping: ({ message }) => ({ pong: message, receivedAt: Date.now() }),
    exitKiosk: async ({ pin }) => {
      await verifyPinOrThrow(pin);
      options.kiosk.exit();
      return { exited: true };
    },
    getSettings: () => services.settings.get(),
    updateSettings: (patch, sender) => {
      requireAdmin(sender);
      return services.settings.update(patch);
    },
    getAdminState: (_arg, sender) => adminState(sender),
    setAdminPin: async ({ pin }, sender) => {
      if ((await admin.isPinSet()) && !services.isAdmin(sender.contentsId)) {
        throw new ExpectedError('ADMIN_REQUIRED', 'Unlock the admin screen to change the PIN.');
      }
      await admin.setPin(pin);
      services.setAdmin(sender.contentsId, true);
      return adminState(sender);
    },
    adminLogin: async ({ pin }, sender) => {
      await verifyPinOrThrow(pin);
      services.setAdmin(sender.contentsId, true);
      return adminState(sender);
    },
    adminLogout: (_arg, sender) => {
      services.setAdmin(sender.contentsId, false);
      return adminState(sender);
    },
    getEngineStatus: () => services.getEngineStatus(),
  };
}
