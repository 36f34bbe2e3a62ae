// Camera enrollment as the audit log sees it: each sample taken is a template
// added, and the end of a run is an enrollment. Enrollment reports its status
// frame by frame; this turns the changes between two statuses into admin events.
import type { EnrollStatus } from '../../preload/contract/people.js';
import type { AdminAction, AdminRecord } from './types.js';

export interface EnrollSeen {
  personId: string | null;
  accepted: number;
  done: boolean;
}

export function enrollEvents(
  last: EnrollSeen | null,
  status: EnrollStatus,
): { events: { action: AdminAction; detail: AdminRecord['detail'] }[]; seen: EnrollSeen } {
  const same = last !== null && last.personId === status.personId;
  const detail = {
    personId: status.personId,
    source: 'camera',
    accepted: status.accepted,
    target: status.target,
  };
  const events: { action: AdminAction; detail: AdminRecord['detail'] }[] = [];
  if (status.personId && status.accepted > (same ? last.accepted : 0))
    events.push({ action: 'template_add', detail });
  if (status.personId && status.done && !(same && last.done)) {
    // The duplicate check's flag and what the admin decided, as the CLI's and the import's lines say it.
    const l = status.lookalike;
    events.push({ action: 'enroll', detail: { ...detail, ...(l ? { lookalikes: [l] } : {}) } });
  }
  return { events, seen: { personId: status.personId, accepted: status.accepted, done: status.done } };
}
