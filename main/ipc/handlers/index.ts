// The handler table: one entry per contract channel, checked by the compiler. Each domain's
// handlers live beside this file and receive only what they use; this file keeps app, settings
// and admin, and builds the use cases they call (main/use-cases/).
import type { AppServices } from '../../services.js';
import type { AdminState } from '../../../preload/contract/admin.js';
import { ExpectedError } from '../errors.js';
import {
  adminPinMinDigits,
  checkNewAdminPin,
  firstPinAllowed,
  PIN_ON_PC_MESSAGE,
} from '../../admin/pin-policy.js';
import type { HandlerTable, Sender } from '../gate.js';
import { packHandlers } from './packs.js';
import { requirePinAgain, verifyAdminPin, type PinGuard } from './common.js';
import { sensitiveChanges } from '../../admin/sensitive-settings.js';
import { peopleHandlers } from './people.js';
import { auditHandlers } from './audit.js';
import { doorHandlers } from './door.js';
import { fleetHandlers } from './fleet.js';
import { redactSettings } from '../../settings/settings-service.js';
import { settingsDiff } from '../../settings/settings-diff.js';
import { PeopleService } from '../../use-cases/people.js';
import { AuditService } from '../../use-cases/audit.js';

export function createHandlers(services: AppServices): HandlerTable {
  const { options, pin, settings, engine, adminSession } = services;
  const { pickFiles } = options;
  const kiosk = () => engine.current;
  const guard: PinGuard = { pin, auditAdmin: services.adminAudit.record };
  const pinMinDigits = () => adminPinMinDigits(settings.get().adminPin.allowWeakFourDigits);
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
      // A folder joined to a fleet never offers its first PIN to whoever touches the screen.
      fleetJoined: services.joined,
    });
  const adminState = async (sender: Sender): Promise<AdminState> => ({
    pinSet: pin.isSet(),
    unlocked: adminSession.isActive(sender.contentsId),
    firstPin: await firstPin(),
    pinMinDigits: pinMinDigits(),
  });
  const people = new PeopleService({
    people: services.peopleSource,
    kiosk,
    pickFiles,
    settings: () => settings.get(),
    codes: services.codes,
    audit: services.audit,
    log: services.log,
  });
  return {
    getAppInfo: () => ({
      name: 'Tobira',
      version: options.version,
      platform: options.platform,
      kiosk: options.kiosk.isKiosk(),
      dataDir: options.paths.dataDir,
      settingsNotice: settings.notice,
    }),
    ping: ({ message }) => ({ pong: message, receivedAt: Date.now() }),
    exitKiosk: async ({ pin: given }) => {
      await verifyAdminPin(guard, given, 'exit_kiosk');
      const value = { exited: true };
      options.kiosk.exit();
      return { value, audit: { detail: {} } };
    },
    // Door secrets never leave main: the renderer sees REDACTED in their place.
    getSettings: () => settings.getRedacted(),
    updateSettings: async ({ pin: given, ...patch }) => {
      const previous = settings.get();
      await requirePinAgain(guard, sensitiveChanges(previous, patch, redactSettings(previous)), given);
      // A SettingsError becomes INVALID_SETTINGS in the gate's one mapping (ipc/errors.ts).
      const next = settings.update(patch);
      await services.settingsEffects.apply(previous, next);
      return { value: redactSettings(next), audit: { detail: settingsDiff(previous, next) } };
    },
    getEngineStatus: () => engine.getStatus(),
    getAdminState: (_arg, sender) => adminState(sender),
    setAdminPin: async ({ pin: next, currentPin }, sender) => {
      if (pin.isSet() && !adminSession.isActive(sender.contentsId)) {
        throw new ExpectedError('ADMIN_REQUIRED', 'Unlock the admin screen to change the PIN.');
      }
      if (!pin.isSet() && !(await firstPin())) throw new ExpectedError('ADMIN_PIN_ON_PC', PIN_ON_PC_MESSAGE);
      const problem = checkNewAdminPin(next, pinMinDigits());
      if (problem) throw new ExpectedError(problem.code, problem.message);
      const result = await pin.setPin(next, currentPin);
      if (!result.ok) {
        const code = {
          wrong_pin: 'WRONG_PIN',
          locked: 'LOCKED_OUT',
          not_set: 'NO_ADMIN_PIN',
          invalid: 'INVALID_PIN',
        };
        throw new ExpectedError(code[result.reason], result.message, { detail: { reason: result.reason } });
      }
      adminSession.begin(sender.contentsId);
      return { value: await adminState(sender), audit: { detail: {} } };
    },
    adminLogin: async ({ pin: given }, sender) => {
      await verifyAdminPin(guard, given, 'admin_login');
      adminSession.begin(sender.contentsId);
      return { value: await adminState(sender), audit: { detail: {} } };
    },
    adminLogout: async (_arg, sender) => {
      const wasAdmin = adminSession.isActive(sender.contentsId);
      adminSession.end('logout', sender.contentsId);
      return { value: await adminState(sender), audit: wasAdmin ? { detail: {} } : null };
    },
    ...packHandlers({ packs: services.packs, engine, pickFiles, guard }),
    ...peopleHandlers(people),
    ...auditHandlers({
      audit: new AuditService(services.audit, pickFiles),
      door: () => services.door.get(),
      kiosk,
      people: services.peopleSource,
      pickFiles,
    }),
    ...doorHandlers(options.paths.dataDir, () => services.doorbell),
    ...fleetHandlers(services),
  };
}
