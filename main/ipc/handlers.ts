// The handler table: one entry per contract channel, checked by the compiler.
// Each domain's handlers live in handlers/; this file keeps app, settings and admin.
import type { AppServices } from '../services.js';
import { ExpectedError } from './errors.js';
import type { HandlerTable, Sender } from './gate.js';
import { requireAdmin } from './handlers/common.js';
import { packHandlers } from './handlers/packs.js';
import { peopleHandlers } from './handlers/people.js';
import { auditHandlers } from './handlers/audit.js';
import { doorHandlers } from './handlers/door.js';
import { redactSettings } from '../settings/settings-service.js';
import { settingsDiff } from '../settings/settings-diff.js';

export function createHandlers(services: AppServices): HandlerTable {
  const { options, pin } = services;
  const adminState = (sender: Sender) => ({
    pinSet: pin.isSet(),
    unlocked: services.isAdmin(sender.contentsId),
  });
  const verifyPinOrThrow = async (given: string, purpose: string) => {
    const check = await pin.verify(given);
    if (check.ok) return;
    // Refused PINs are logged too: a string of them is someone guessing.
    if (check.reason === 'wrong_pin') await services.auditAdmin('wrong_pin', { purpose }, false);
    if (check.reason === 'locked' || (check.reason === 'wrong_pin' && check.retryAfterMs > 0)) {
      // Logged when a lockout starts, and for each attempt it turns away.
      await services.auditAdmin('lockout', { purpose, retryAfterMs: check.retryAfterMs }, false);
    }
    switch (check.reason) {
      case 'not_set':
        throw new ExpectedError(
          'NO_ADMIN_PIN',
          'No admin PIN is set yet: set one on the admin screen first.',
        );
      case 'locked':
        throw new ExpectedError(
          'LOCKED_OUT',
          `Too many wrong PINs: try again in ${Math.ceil(check.retryAfterMs / 1000)} s.`,
        );
      case 'wrong_pin':
        throw new ExpectedError('WRONG_PIN', 'Wrong PIN.');
      case 'invalid':
        throw new ExpectedError('INVALID_PIN', check.message);
    }
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
    exitKiosk: async ({ pin: given }) => {
      await verifyPinOrThrow(given, 'exit_kiosk');
      await services.auditAdmin('exit_kiosk');
      options.kiosk.exit();
      return { exited: true };
    },
    // Door secrets never leave main: the renderer sees REDACTED in their place.
    getSettings: () => services.settings.getRedacted(),
    updateSettings: async (patch, sender) => {
      requireAdmin(services, sender);
      const previous = services.settings.get();
      // A SettingsError becomes INVALID_SETTINGS in the gate's one mapping (ipc/errors.ts).
      const next = services.settings.update(patch);
      await services.auditAdmin('settings_change', settingsDiff(previous, next));
      await services.applySettings(previous, next);
      return redactSettings(next);
    },
    getEngineStatus: () => services.getEngineStatus(),
    getAdminState: (_arg, sender) => adminState(sender),
    setAdminPin: async ({ pin: next, currentPin }, sender) => {
      if (pin.isSet() && !services.isAdmin(sender.contentsId)) {
        throw new ExpectedError('ADMIN_REQUIRED', 'Unlock the admin screen to change the PIN.');
      }
      const result = await pin.setPin(next, currentPin);
      await services.auditAdmin('pin_change', result.ok ? {} : { reason: result.reason }, result.ok);
      if (!result.ok) {
        throw new ExpectedError(result.reason === 'wrong_pin' ? 'WRONG_PIN' : 'INVALID_PIN', result.message);
      }
      services.setAdmin(sender.contentsId, true);
      return adminState(sender);
    },
    adminLogin: async ({ pin: given }, sender) => {
      await verifyPinOrThrow(given, 'admin_login');
      services.setAdmin(sender.contentsId, true);
      await services.auditAdmin('admin_login');
      return adminState(sender);
    },
    adminLogout: async (_arg, sender) => {
      if (services.isAdmin(sender.contentsId)) await services.auditAdmin('admin_logout');
      services.setAdmin(sender.contentsId, false);
      return adminState(sender);
    },
    ...packHandlers(services),
    ...peopleHandlers(services),
    ...auditHandlers(services),
    ...doorHandlers(services),
  };
}
