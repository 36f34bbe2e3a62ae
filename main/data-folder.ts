// Opens what the data folder holds, before the composition root (services.ts) wires it: the folder
// made owner-only, the settings, the model packs, the enrollment store and door secrets, the
// chained audit log, the admin PIN and the 1:1 code lockout. A store that cannot be opened is
// reported (storeProblem), never replaced: its file is left as it was.
import path from 'node:path';
import { SettingsService } from './settings/settings-service.js';
import { PackManager } from './packs/manager.js';
import type { EnrollmentStore } from './store/enrollment-store.js';
import { openAuditLog, openStore } from './store/open-store.js';
import type { AuditLog } from './audit/audit-log.js';
import { securePrivateDir } from './settings/private-dir.js';
import { AdminPin } from './admin/pin.js';
import { CodeEntry } from './recognition/code-entry.js';
import type { ServicesOptions } from './services-options.js';

export interface DataFolder {
  settings: SettingsService;
  packs: PackManager;
  store: EnrollmentStore | null;
  /** Why the enrollment store could not be opened; its file is left as it was. */
  storeProblem: string | null;
  audit: AuditLog;
  pin: AdminPin;
  /** 1:1 code entry and its lockout: in the composition root, not the kiosk, so an engine reload keeps it. */
  codes: CodeEntry;
}

export async function openDataFolder(options: ServicesOptions): Promise<DataFolder> {
  const { paths } = options;
  const log = options.log ?? ((message: string) => console.log(`[tobira] ${message}`));
  // Owner-only before anything is read or written in it, on every way the folder is named.
  await securePrivateDir(paths.dataDir);
  const settings = SettingsService.open(paths.settingsDir, options.createSettingsStore);
  if (settings.notice)
    log(`settings were unreadable (${settings.notice.reason}); kept at ${settings.notice.backupPath}`);
  const packs = new PackManager({
    root: paths.modelsDir,
    ...(paths.catalogFile ? { catalogPath: paths.catalogFile } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { store, problem } = await openStore(paths, options.keyWrapper, settings, options.log);
  const audit = openAuditLog(paths.auditDir, store, settings.get().privacy.auditSnapshots);
  const pin = await AdminPin.open(path.join(paths.dataDir, 'admin-pin.json'), {
    ...(options.pinCost ? { cost: options.pinCost } : {}),
  });
  const codes = await CodeEntry.open(path.join(paths.dataDir, 'code-lockout.json'), {
    ...(options.log ? { log: options.log } : {}),
  });
  return { settings, packs, store, storeProblem: problem, audit, pin, codes };
}
