// At the door, beyond the face: the Call button (a doorbell on MQTT and to an HTTP door that
// tells events apart, audited) and the door screen's camera lost and found (audited once per
// change). Both come from the public door screen, so neither trusts it with more than a press
// or a state from a fixed list, and a held-down or bouncing button cannot flood the audit log.
import type { AuditLog } from '../audit/audit-log.js';
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

  constructor(private readonly deps: DoorbellDeps) {}

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
    await this.deps.audit.appendAdmin({
      action: lost ? 'camera_lost' : 'camera_found',
      actor: 'screen',
      ok: !lost,
      detail: lost ? { state } : {},
    });
    return true;
  }
}
