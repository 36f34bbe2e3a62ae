// The screen's admin actions in the chained audit log. The gate writes each audited channel's
// line through `record` (the contract declares which channels: preload/contract/define.ts);
// camera enrollment, which runs frame by frame, is logged from its status (enroll-events.ts).
import type { EnrollStatus } from '../../preload/contract/people.js';
import type { AuditLog } from './audit-log.js';
import { FailureBursts, type BurstSummary } from './bursts.js';
import { enrollEvents, type EnrollSeen } from './enroll-events.js';
import type { AdminAction, AdminRecord } from './types.js';
import { messageOf } from '../util/message-of.js';

export class AdminAudit {
  private enrollSeen: EnrollSeen | null = null;
  /**
   * Attempts a lockout turns away come from the renderer, as fast as it can call (about 1,000 a
   * second): counted in bursts (bursts.ts), one line per burst, so they cannot rotate history out.
   */
  private readonly bursts: FailureBursts;

  constructor(
    private readonly audit: Pick<AuditLog, 'appendAdmin'>,
    private readonly log: (message: string) => void,
    options: { now?: () => number; windowMs?: number } = {},
  ) {
    this.bursts = new FailureBursts((summary) => this.writeBurst(summary), options);
  }

  /**
   * Logs an admin action. Best effort: a full disk must not lock the admin out, so a failure
   * is logged here and the action goes on.
   */
  readonly record = async (
    action: AdminAction,
    detail: AdminRecord['detail'] = {},
    ok = true,
  ): Promise<void> => {
    if (action === 'lockout' && !ok && !this.bursts.admit('lockout')) return;
    await this.write(action, detail, ok);
  };

  /** Writes the line of every burst still open (before the log closes). */
  flush(): Promise<void> {
    return this.bursts.flush();
  }

  private async write(action: AdminAction, detail: AdminRecord['detail'], ok: boolean): Promise<void> {
    try {
      await this.audit.appendAdmin({ action, actor: 'screen', ok, detail });
    } catch (error) {
      this.log(`audit: could not log ${action}: ${messageOf(error)}`);
    }
  }

  /** "N attempts turned away by the lockout in S s": one line for the whole burst. */
  private writeBurst(summary: BurstSummary): Promise<void> {
    return this.write(
      'lockout',
      { burst: true, refused: summary.count, seconds: summary.seconds, since: summary.since },
      false,
    );
  }

  /** Camera enrollment, as the audit log sees it: each sample taken, and the end of a run. */
  enrollStatus(status: EnrollStatus): void {
    const { events, seen } = enrollEvents(this.enrollSeen, status);
    this.enrollSeen = seen;
    for (const e of events) void this.record(e.action, e.detail);
  }
}
