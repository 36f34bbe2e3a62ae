// The admin screen's audit log: its lines as the screen shows them, and the CSV export. The log
// is the kiosk's own chained log in both modes (a fleet door writes it locally first and ships
// it, kiosk/kiosk-fleet.ts). The door test, calibration and Compare have their own use cases.
import { writeFile } from 'node:fs/promises';
import type { AuditShow, AuditView } from '../../preload/contract/audit.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditEntry } from '../audit/types.js';
import type { FilePicker } from '../util/file-picker.js';

/** An admin's door test, in the door's words: the `none` door only logs; a failure is red. */
function doorTestWords(ok: boolean, detail: Record<string, unknown>) {
  const kind = typeof detail.kind === 'string' ? detail.kind : null;
  const reason = typeof detail.reason === 'string' ? detail.reason : '';
  const doorState: AuditView['doorState'] = !ok ? 'failed' : kind === 'none' ? 'logged' : 'opened';
  return { result: 'door_test' as const, reason, doorState, doorKind: kind };
}

function adminWords(record: { action: string; ok: boolean }) {
  return {
    result: 'admin' as const,
    reason: record.ok ? record.action : `${record.action}: failed`,
    doorState: null,
    doorKind: null,
  };
}

/** An admin action's details, each value whole (a string as is, anything else as JSON). */
const adminDetails = (detail: Record<string, unknown>) =>
  Object.entries(detail).map(([name, v]) => ({ name, value: typeof v === 'string' ? v : JSON.stringify(v) }));

/** Which entries the audit view's filter keeps: a fault is a door that failed (an unlock's or a test's). */
export function auditShows(show: AuditShow, entry: AuditEntry): boolean {
  switch (show) {
    case 'all':
      return true;
    case 'decisions':
      return entry.kind !== 'admin';
    case 'admin':
      return entry.kind === 'admin';
    case 'faults':
      return entry.kind === 'admin'
        ? entry.action === 'door_test' && !entry.ok
        : entry.door !== null && !entry.door.ok;
  }
}

export function auditView(record: AuditEntry): AuditView {
  if (record.kind === 'admin') {
    const details = adminDetails(record.detail);
    const detail = details.map((d) => `${d.name}=${d.value}`).join(' ');
    return {
      time: record.time,
      mode: `admin (${record.actor})`,
      person: typeof record.detail.name === 'string' ? record.detail.name : null,
      score: null,
      gates: detail,
      liveness: null,
      door: '',
      outcome: record.ok ? record.action : `${record.action}: failed`,
      ...(record.action === 'door_test' ? doorTestWords(record.ok, record.detail) : adminWords(record)),
      admin: { action: record.action, actor: record.actor, ok: record.ok, details },
    };
  }
  const door = record.door;
  // The `none` door only logs: it never "opened" anything.
  const doorState = door ? (!door.ok ? 'failed' : door.kind === 'none' ? 'logged' : 'opened') : null;
  const doorFailed = door !== null && !door.ok;
  return {
    time: record.time,
    mode: record.mode,
    person: record.personName,
    score: record.score,
    gates: record.gates.map((g) => `${g.name}:${g.passed ? 'ok' : 'fail'}`).join(' '),
    liveness: record.liveness?.score ?? null,
    door: door
      ? doorState === 'opened'
        ? `${door.kind}: opened`
        : doorState === 'logged'
          ? 'none: logged only'
          : `${door.kind}: ${door.reason}`
      : '',
    // An unlock whose door failed must never read as a success.
    outcome:
      record.outcome === 'unlocked'
        ? doorFailed
          ? `door failed: ${door.reason ?? 'unknown error'}`
          : 'unlocked'
        : `${record.outcome}: ${record.reason}`,
    result:
      record.outcome === 'door_test'
        ? 'door_test'
        : record.outcome === 'locked_out'
          ? 'locked_out'
          : record.outcome === 'unlocked'
            ? doorFailed
              ? 'door_failed'
              : 'unlocked'
            : 'refused',
    reason: doorFailed ? (door.reason ?? 'unknown error') : record.reason,
    doorState,
    doorKind: door?.kind ?? null,
    admin: null,
  };
}

export class AuditService {
  constructor(
    private readonly log: Pick<AuditLog, 'readEntries' | 'exportCsv'>,
    private readonly pickFiles: FilePicker,
  ) {}

  async list(
    offset: number,
    limit: number,
    show: AuditShow = 'all',
  ): Promise<{ records: AuditView[]; total: number }> {
    const keep = (entry: AuditEntry) => auditShows(show, entry);
    const page = await this.log.readEntries({ offset, limit, keep });
    return { records: page.records.map(auditView), total: page.total };
  }

  async export(): Promise<{ path: string | null }> {
    const picked = await this.pickFiles({ kind: 'save', defaultName: 'tobira-audit.csv' });
    const target = picked?.[0];
    if (!target) return { path: null };
    await writeFile(target, await this.log.exportCsv(), 'utf8');
    return { path: target };
  }
}
