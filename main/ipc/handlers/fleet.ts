// The admin screen's Fleet panel: thin. The gate (ipc/gate.ts) has checked the sender, the admin
// session and the payload (preload/contract/fleet.ts); the use cases live in main/use-cases/fleet-admin.ts.
import type { fleetChannels } from '../../../preload/contract/fleet.js';
import type { AppServices } from '../../services.js';
import { FleetAdmin } from '../../use-cases/fleet-admin.js';
import type { HandlersFor } from './common.js';

export function fleetHandlers(services: AppServices): HandlersFor<typeof fleetChannels> {
  const fleet = new FleetAdmin({
    host: services.fleetHost,
    dataDir: services.paths.dataDir,
    keyWrapper: services.options.keyWrapper,
    auditAdmin: (action, detail, ok) => services.adminAudit.record(action, detail, ok),
    reloadEngine: () => services.engine.reload(),
  });
  return {
    getFleetStatus: () => fleet.status(),
    joinFleet: (input) => fleet.join(input),
    openFleetAdminKey: (input) => fleet.openAdminKey(input.keyFile, input.passphrase),
    listFleetGroups: () => fleet.groups(),
    saveFleetGroup: (input) => fleet.saveGroup(input),
    removeFleetGroup: ({ id }) => fleet.removeGroup(id),
    setFleetGroupMembers: ({ id, personIds }) => fleet.setMembers(id, personIds),
    listFleetAudit: (filter) => fleet.audit(filter),
  };
}
