// What a settings change changed, for the audit log: field paths with their old and
// new values, taken from the redacted settings so no secret is ever logged (a
// changed secret shows as a changed flag, not a value).
import type { Settings } from '../../preload/contract/settings.js';
import type { AuditDetailValue } from '../audit/types.js';
import { secretsOf } from './door-secrets.js';
import { redactSettings } from './settings-service.js';

type Flat = Map<string, AuditDetailValue>;

function flatten(value: unknown, prefix: string, out: Flat): Flat {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, (value ?? null) as AuditDetailValue);
  return out;
}

export function settingsDiff(previous: Settings, next: Settings): Record<string, AuditDetailValue> {
  const before = flatten(redactSettings(previous), '', new Map());
  const after = flatten(redactSettings(next), '', new Map());
  const changes: Record<string, AuditDetailValue> = {};
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(key) ?? null;
    const b = after.get(key) ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[key] = { from: a, to: b };
  }
  if (JSON.stringify(secretsOf(previous.door)) !== JSON.stringify(secretsOf(next.door))) {
    changes['door.secrets'] = 'changed';
  }
  return changes;
}
