// RFC 4180 CSV, with spreadsheet formula injection defused in text cells
// (OWASP "CSV Injection": cells starting with = + - @ tab or CR run as formulas).
import type { AuditEntry } from './types.js';

export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const CSV_COLUMNS = [
  'time',
  'mode',
  'outcome',
  'reason',
  'person_name',
  'person_id',
  'score',
  'threshold',
  'recognizer',
  'gates_passed',
  'gates_failed',
  'liveness_live',
  'liveness_score',
  'door_ok',
  'door_kind',
  'door_reason',
  'snapshot',
] as const;

export function csvRow(r: AuditEntry): string {
  if (r.kind === 'admin') {
    // An admin action: what was done in `outcome`, its details (never secrets) in `reason`.
    const outcome = r.ok ? r.action : `${r.action}:failed`;
    const cells = [r.time, `admin:${r.actor}`, outcome, JSON.stringify(r.detail)];
    return [...cells, ...Array<null>(CSV_COLUMNS.length - cells.length).fill(null)].map(csvCell).join(',');
  }
  const cells: (string | number | boolean | null)[] = [
    r.time,
    r.mode,
    r.outcome,
    r.burst ? `${r.reason} (${r.burst.count} in ${r.burst.seconds} s)` : r.reason,
    r.personName,
    r.personId,
    r.score,
    r.threshold,
    r.recognizerId,
    r.gates
      .filter((g) => g.passed)
      .map((g) => g.name)
      .join(' '),
    r.gates
      .filter((g) => !g.passed)
      .map((g) => g.name)
      .join(' '),
    r.liveness?.live ?? null,
    r.liveness?.score ?? null,
    r.door?.ok ?? null,
    r.door?.kind ?? null,
    r.door?.reason ?? null,
    r.snapshot,
  ];
  return cells.map(csvCell).join(',');
}
