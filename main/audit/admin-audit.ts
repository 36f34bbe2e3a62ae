// The screen's admin actions in the chained audit log. The gate writes each audited channel's
// line through `record` (the contract declares which channels: preload/contract/define.ts);
// camera enrollment, which runs frame by frame, is logged from its status (enroll-events.ts).
import type { EnrollStatus } from '../../preload/contract/people.js';
import type { AuditLog } from './audit-log.js';
import { enrollEvents, type EnrollSeen } from './enroll-events.js';
import type { AdminAction, AdminRecord } from './types.js';
import { messageOf } from '../util/message-of.js';

export class AdminAudit {
  private enrollSeen: EnrollSeen | null = null;

  constructor(
    private readonly audit: Pick<AuditLog, 'appendAdmin'>,
    private readonly log: (message: string) => void,
  ) {}

  /**
   * Logs an admin action. Best effort: a full disk must not lock the admin out, so a failure
   * is logged here and the action goes on.
   */
  readonly record = async (
    action: AdminAction,
    detail: AdminRecord['detail'] = {},
    ok = true,
  ): Promise<void> => {
    try {
      await this.audit.appendAdmin({ action, actor: 'screen', ok, detail });
    } catch (error) {
      this.log(`audit: could not log ${action}: ${messageOf(error)}`);
    }
  };

  /** Camera enrollment, as the audit log sees it: each sample taken, and the end of a run. */
  enrollStatus(status: EnrollStatus): void {
    const { events, seen } = enrollEvents(this.enrollSeen, status);
    this.enrollSeen = seen;
    for (const e of events) void this.record(e.action, e.detail);
  }
}
