// At the door, beyond the face: the Call button (a doorbell on MQTT and to an HTTP door that
// tells events apart, audited) and the door screen's camera lost and found (audited once per
// change). Both come from the public door screen, so neither trusts it with more than a press
// or a state from a fixed list, and a held-down or bouncing button cannot flood the audit log.
import type { AuditLog } from '../audit/audit-log.js';
import { FailureBursts, type BurstSummary } from '../audit/bursts.js';
import type { DoorOutput } from './types.js';
import type { CallResult, DoorCameraState } from '../../preload/contract/door.js';

/** One ring per this long: a child pressing Call ten times rings once (then it says "called"). */
export const RING_EVERY_MS = 10_000;

export interface DoorbellDeps {
  audit: AuditLog;
  door: () => DoorOutput;
  /** Publishes the ring on a fleet door's MQTT; false where there is none. */
  mqtt: (id: string, time: string) => boolean;
  log: (message: string) => void;
  now?: () => number;
}

export class Doorbell {
  private lastRing: { at: number; result: CallResult } | null = null;
  private cameraSeen: DoorCameraState | null = null;
  /**
   * Camera reports come from the public door screen: a compromised renderer can report lost,
   * found, lost… as fast as it can call (issue 17), and one line per change would rotate the log's
   * history out. Counted in bursts (audit/bursts.ts): the first changes of a minute on their own
   * lines, the rest as one line. A real camera that drops and returns stays well inside that.
   */
  private readonly cameraBursts: FailureBursts;

  constructor(private readonly deps: DoorbellDeps) {
    this.cameraBursts = new FailureBursts((summary) => this.writeCameraBurst(summary), { now: deps.now });
  }

  async ring(): Promise<CallResult> {
    const now = (this.deps.now ?? Date.now)();
    if (this.lastRing && now - this.lastRing.at < RING_EVERY_MS) return this.lastRing.result;
    const record = await this.deps.audit.appendAdmin({
      action: 'doorbell',
      actor: 'screen',
      ok: true,
      detail: {},
    });
    const via: CallResult['via'] = [];
    if (this.deps.mqtt(record.id, record.time)) via.push('mqtt');
    const door = await this.deps.door().ring?.();
    if (door?.ok) via.push('door');
    else if (door) this.deps.log(`doorbell: the door did not take it: ${door.reason}`);
    const result = { delivered: via.length > 0, via };
    this.lastRing = { at: now, result };
    return result;
  }

  /** Audits the camera going away and coming back; the same state twice logs once. */
  async cameraChanged(state: DoorCameraState): Promise<boolean> {
    const was = this.cameraSeen;
    this.cameraSeen = state;
    if (was === state || (was === null && state === 'live')) return false;
    const lost = state !== 'live';
    if (lost && was !== null && was !== 'live') return false;
    if (!this.cameraBursts.admit('camera')) return false;
    await this.deps.audit.appendAdmin({
      action: lost ? 'camera_lost' : 'camera_found',
      actor: 'screen',
      ok: !lost,
      detail: lost ? { state } : {},
    });
    return true;
  }

  /** Writes the camera burst still open (before the log closes). */
  flush(): Promise<void> {
    return this.cameraBursts.flush();
  }

  /** "N camera changes reported in S s": one line for the burst. */
  private async writeCameraBurst(summary: BurstSummary): Promise<void> {
    await this.deps.audit.appendAdmin({
      action: 'camera_lost',
      actor: 'screen',
      ok: false,
      detail: { burst: true, changes: summary.count, seconds: summary.seconds, since: summary.since },
    });
  }
}
