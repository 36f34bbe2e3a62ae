// A remote-unlock command's audit line, for the kiosk (fleet-host.ts) and `tobira fleet run`
// (door-runtime.ts) alike. Refused commands come from anyone on the broker, unsigned, at about
// 350 a second: they are counted in bursts (audit/bursts.ts), one line per burst, so a flood
// cannot rotate the local log's history out. Accepted (signed) commands each get their line.
import { FailureBursts, type BurstSummary } from '../audit/bursts.js';
import type { AuditInput, AuditRecord } from '../audit/types.js';
import { remoteUnlockAudit, type RemoteUnlockRequest } from './mqtt-events.js';

export class RemoteUnlockAudit {
  private readonly bursts: FailureBursts;

  constructor(
    /** Writes the line (and ships and publishes it, where the caller does). */
    private readonly append: (input: AuditInput) => Promise<AuditRecord>,
    options: { now?: () => number; windowMs?: number } = {},
  ) {
    this.bursts = new FailureBursts((summary) => this.append(burstLine(summary)), options);
  }

  /** The command's own line, or null when it was a refusal counted into a burst. */
  async record(
    request: RemoteUnlockRequest,
    door: AuditRecord['door'],
    time?: string,
  ): Promise<AuditRecord | null> {
    if (!request.ok && !this.bursts.admit('remote_unlock')) return null;
    return this.append({ ...remoteUnlockAudit(request, door), ...(time ? { time } : {}) });
  }

  /** Writes the line of a burst still open (before the log closes). */
  flush(): Promise<void> {
    return this.bursts.flush();
  }
}

/** "412 refused remote-unlock commands in 60 s", as an audit line. */
function burstLine(summary: BurstSummary): AuditInput {
  return {
    ...remoteUnlockAudit({ ok: false, reason: 'refused_burst' }, null),
    burst: { count: summary.count, seconds: summary.seconds, since: summary.since },
  };
}
