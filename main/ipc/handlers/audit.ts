// Audit log, door test, calibration and the Compare tool: thin. The gate (ipc/gate.ts) has
// checked the sender, the session and the payload; the use cases live in main/use-cases/.
import type { auditChannels } from '../../../preload/contract/audit.js';
import type { DoorOutput } from '../../door/types.js';
import type { Kiosk } from '../../kiosk/kiosk.js';
import type { PeopleSource } from '../../people/people-directory.js';
import type { AuditService } from '../../use-cases/audit.js';
import { calibration } from '../../use-cases/calibration.js';
import { compare } from '../../use-cases/compare.js';
import { testDoor } from '../../use-cases/door-test.js';
import { strangerRate } from '../../use-cases/stranger-rate.js';
import type { FilePicker } from '../../util/file-picker.js';
import type { HandlersFor } from './common.js';

export { auditView } from '../../use-cases/audit.js';

export interface AuditHandlerDeps {
  audit: AuditService;
  door: () => DoorOutput;
  kiosk: () => Kiosk | null;
  people: PeopleSource;
  pickFiles: FilePicker;
}

export function auditHandlers(deps: AuditHandlerDeps): HandlersFor<typeof auditChannels> {
  const { audit, door, kiosk, people, pickFiles } = deps;
  return {
    listAudit: ({ offset, limit, show }) => audit.list(offset, limit, show),
    exportAudit: () => audit.export(),
    testDoor: () => testDoor(door),
    getCalibration: ({ targetFar }) => calibration(kiosk(), people, targetFar),
    getStrangerRate: ({ targetFpir }) => strangerRate(kiosk(), people, targetFpir),
    compare: ({ source }) => compare(kiosk(), pickFiles, source),
  };
}
