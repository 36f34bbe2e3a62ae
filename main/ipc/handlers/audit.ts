// Audit log, door test, calibration and the Compare tool: thin. The gate (ipc/gate.ts) has
// checked the sender, the session and the payload; the use cases live in main/audit/audit-service.ts.
import type { auditChannels } from '../../../preload/contract/audit.js';
import type { AppServices } from '../../services.js';
import { AuditService } from '../../audit/audit-service.js';
import type { HandlersFor } from './common.js';

export { auditView } from '../../audit/audit-service.js';

export function auditHandlers(services: AppServices): HandlersFor<typeof auditChannels> {
  const audit = new AuditService(services);
  return {
    listAudit: ({ offset, limit }) => audit.list(offset, limit),
    exportAudit: () => audit.export(),
    testDoor: () => audit.testDoor(),
    getCalibration: ({ targetFar }) => audit.calibration(targetFar),
    getStrangerRate: ({ targetFpir }) => audit.strangerRate(targetFpir),
    compare: ({ source }) => audit.compare(source),
  };
}
