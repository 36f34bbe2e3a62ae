// What the kiosk does with a concluded attempt: open the door for an unlock, then log the
// decision with the door's real result (a failed door is logged as failed, never as opened).
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditRecord } from '../audit/types.js';
import type { DoorOutput, DoorResult } from '../door/types.js';
import type { FinalDecision } from './decision.js';

export interface Concluded {
  record: AuditRecord;
  /** null when the door was not asked (rejections, lockouts). */
  door: DoorResult | null;
}

export async function concludeAttempt(
  final: FinalDecision,
  deps: { door: DoorOutput; audit: AuditLog; snapshot?: Uint8Array },
): Promise<Concluded> {
  const door =
    final.outcome === 'unlocked'
      ? await deps.door.open({ personId: final.personId, personName: final.personName })
      : null;
  const record = await deps.audit.append(
    { ...final, door: door && { ok: door.ok, kind: door.kind, reason: door.reason } },
    deps.snapshot,
  );
  return { record, door };
}
