import type { DoorEvent } from './types.js';

export type Escape = (value: string) => string;
export const rawValue: Escape = (v) => v;
/** For text inside a JSON string literal (and harmless for numbers). */
export const jsonStringContent: Escape = (v) => JSON.stringify(v).slice(1, -1);

/** Fills {{name}} placeholders; an unknown placeholder is an error, not silently empty. */
export function fillTemplate(template: string, event: DoorEvent, holdMs: number, escape: Escape): string {
  const values: Record<string, string> = {
    event: event.event,
    holdMs: String(holdMs),
    holdSeconds: String(holdMs / 1000),
    personId: event.personId ?? '',
    personName: event.personName ?? '',
  };
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`door template: unknown placeholder {{${name}}}`);
    return escape(value);
  });
}
