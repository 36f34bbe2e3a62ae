// The handler table: one entry per contract channel, checked by the compiler.
// Each domain's handlers live in handlers/; this file keeps app, settings and admin.
import type { AppServices } from '../services.js';
import type { AdminState } from '../../preload/contract/admin.js';
import { ExpectedError } from './errors.js';
import {
  adminPinMinDigits,
  checkNewAdminPin,
  firstPinAllowed,
  PIN_ON_PC_MESSAGE,
} from '../admin/pin-policy.js';
import type { HandlerTable, Sender } from './gate.js';
import { packHandlers } from './handlers/packs.js';
import { requirePinAgain, verifyAdminPin } from './handlers/common.js';
import { sensitiveChanges } from '../admin/sensitive-settings.js';
import { peopleHandlers } from './handlers/people.js';
import { auditHandlers } from './handlers/audit.js';
import { doorHandlers } from './handlers/door.js';
import { fleetHandlers } from './handlers/fleet.js';
import { redactSettings } from '../settings/settings-service.js';
import { settingsDiff } from '../settings/settings-diff.js';
import { isJoined } from '../fleet/local.js';

export function createHandlers(services: AppServices): HandlerTable {
  const { options, pin } = services;
  const pinMinDigits = () => adminPinMinDigits(services.settings.get().adminPin.allowWeakFourDigits);
  const auditLines = async () => {
    const page = await services.audit.readEntries({ offset: 0, limit: 1 });
    return page.total + page.skipped;
  };
  const firstPin = async () =>
    firstPinAllowed({
      pinSet: pin.isSet(),
      enrolledPeople: services.store ? services.store.listPeople().length : null,
      // Decisions and admin actions alike; unreadable lines count too (a log was there).
      auditRecords: pin.isSet() ? 0 : await auditLines(),
      fleetJoined: isJoined(options.paths.dataDir),
    });
  const adminState = async (sender: Sender): Promise<AdminState> => ({
    pinSet: pin.isSet(),
    unlocked: services.isAdmin(sender.contentsId),
    firstPin: await firstPin(),
    pinMinDigits: pinMinDigits(),
  });
  const verifyPinOrThrow = (given: string, purpose: string) => verifyAdminPin(services, given, purpose);
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
    updateSettings: async ({ pin: given, ...patch }) => {
      const previous = services.settings.get();
      await requirePinAgain(services, sensitiveChanges(previous, patch, redactSettings(previous)), given);
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
      if (!pin.isSet() && !(await firstPin())) throw new ExpectedError('ADMIN_PIN_ON_PC', PIN_ON_PC_MESSAGE);
      const problem = checkNewAdminPin(next, pinMinDigits());
      if (problem) throw new ExpectedError(problem.code, problem.message);
      const result = await pin.setPin(next, currentPin);
      await services.auditAdmin('pin_change', result.ok ? {} : { reason: result.reason }, result.ok);
      if (!result.ok) {
        const code = {
          wrong_pin: 'WRONG_PIN',
          locked: 'LOCKED_OUT',
          not_set: 'NO_ADMIN_PIN',
          invalid: 'INVALID_PIN',
        };
        throw new ExpectedError(code[result.reason], result.message);
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
    ...fleetHandlers(services),
  };
}
