import type { DoorEvent } from './types.js';

export type Escape = (value: string) => string;
export const rawValue: Escape = (v) => v;
/** For text inside a JSON string literal (and harmless for numbers). */
export const jsonStringContent: Escape = (v) => JSON.stringify(v).slice(1, -1);

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** Fills {{name}} placeholders; an unknown placeholder is an error, not silently empty. */
export function fillTemplate(template: string, event: DoorEvent, holdMs: number, escape: Escape): string {
  const values: Record<string, string> = {
    event: event.event,
    holdMs: String(holdMs),
    holdSeconds: String(holdMs / 1000),
    personId: event.personId ?? '',
    personName: event.personName ?? '',
  };
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`door template: unknown placeholder {{${name}}}`);
    return escape(value);
  });
}

/**
 * One program argument. It stays one argument (no shell, no splitting), and a
 * placeholder never makes it an option: a person named "--config=/tmp/x" must not
 * reach the relay tool as a flag. Only a literal leading '-' in doors.json may.
 */
export function fillArgument(template: string, event: DoorEvent, holdMs: number): string {
  const filled = fillTemplate(template, event, holdMs, rawValue);
  if (filled.startsWith('-') && !template.startsWith('-')) {
    throw new Error(`door argument '${template}' would start with '-' after filling in; refused`);
  }
  if (filled.includes('\0')) throw new Error(`door argument '${template}' holds a NUL byte; refused`);
  return filled;
}
