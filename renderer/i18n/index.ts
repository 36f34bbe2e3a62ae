// A small i18n layer: typed keys, {name} placeholders, and a change event so
// components re-render when the language switches.
import { en, type MessageKey } from './en.js';
import { ja } from './ja.js';

export type Locale = 'en' | 'ja';
export type { MessageKey };

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, ja };
let current: Locale = 'en';
const listeners = new Set<() => void>();

export function setLocale(locale: Locale): void {
  if (locale === current) return;
  current = locale;
  document.documentElement.lang = locale;
  for (const listener of listeners) listener();
}

export const getLocale = (): Locale => current;

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogs[current][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function onLocaleChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether `key` names a message: for codes from main that may or may not have words yet. */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}
