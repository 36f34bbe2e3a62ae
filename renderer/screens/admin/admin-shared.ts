// What the admin panels share: the dark theme's controls, and small formatters.
import { css, html } from 'lit';
import { getLocale, hasMessage, t } from '../../i18n/index.js';
import { SettingsSchema, type Settings } from '../../../preload/contract/settings.js';
import { pinErrorText } from '../../components/pin-pad/ask-pin.js';

/** Buttons, inputs, tables and notices in the admin screen's dark theme. */
export const panelStyles = css`
  :host {
    display: block;
    color: #e8ecf8;
  }
  h2 {
    font-size: 1.15rem;
    margin: 0 0 0.8rem;
  }
  h3 {
    font-size: 1rem;
    margin: 1.2rem 0 0.5rem;
    color: #b8c3e6;
  }
  /* A licence, quoted before it is acknowledged (licence-text.ts). */
  blockquote {
    margin: 0;
    padding: 0.8rem 1rem;
    border-left: 4px solid #8a5a00;
    background: #2a2110;
  }
  blockquote + blockquote {
    margin-top: 0.5rem;
  }
  /* Every control is touched with a finger: at least 44×44 CSS px (WCAG 2.5.5). */
  button {
    min-width: 44px;
    min-height: 44px;
    font: inherit;
    padding: 0.45rem 0.85rem;
    border-radius: 0.45rem;
    border: 1px solid #3a4775;
    background: #1f2a4d;
    color: inherit;
    cursor: pointer;
    white-space: nowrap;
  }
  button:hover:not(:disabled) {
    background: #2a3866;
  }
  button:disabled {
    opacity: 0.45;
    cursor: default;
  }
  button.primary {
    background: #2a6df4;
    border-color: #2a6df4;
  }
  button.danger {
    background: #8c1d2a;
    border-color: #b3303f;
  }
  input,
  select,
  textarea {
    min-height: 44px;
    box-sizing: border-box;
    font: inherit;
    padding: 0.4rem 0.5rem;
    background: #1b2444;
    color: inherit;
    border: 1px solid #34406b;
    border-radius: 0.4rem;
    min-width: 0;
  }
  /* A checkbox is drawn large, and its label (44 px tall at least) takes the touch too. */
  input[type='checkbox'] {
    min-height: 0;
    width: 26px;
    height: 26px;
    margin: 0;
    flex: none;
    accent-color: #2a6df4;
  }
  label:has(> input[type='checkbox']) {
    min-height: 44px;
    cursor: pointer;
  }
  input:invalid {
    border-color: #d9534f;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.95rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.45rem 0.6rem;
    border-bottom: 1px solid #26305a;
    vertical-align: middle;
  }
  th {
    color: #9fb0e0;
    font-weight: 600;
    font-size: 0.85rem;
  }
  .table-wrap {
    overflow-x: auto;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .error {
    color: #ff8a80;
  }
  .ok {
    color: #7ee2a8;
  }
  .muted {
    color: #9aa6c8;
  }
  .notice {
    padding: 0.6rem 0.9rem;
    border-radius: 0.5rem;
    background: #1b2444;
    border: 1px solid #34406b;
    margin: 0.6rem 0;
  }
  .notice.error {
    background: #3a1520;
    border-color: #8c1d2a;
  }
  .notice.ok {
    background: #123524;
    border-color: #1f7a4a;
  }
  .badge {
    display: inline-block;
    padding: 0.1rem 0.5rem;
    border-radius: 999px;
    font-size: 0.8rem;
    background: #26305a;
    white-space: nowrap;
  }
  .badge.warn {
    background: #8a5a00;
    color: #fff;
  }
  .badge.good {
    background: #1f7a4a;
    color: #fff;
  }
`;

/**
 * A sentence in the screen's language for anything thrown: main's expected failures by their
 * code (`error.<CODE>`, with main's message as the detail where it names the field, file or
 * URL), PIN failures as the PIN pad words them; main's own text only for a code without words.
 */
export function errorMessage(error: unknown): string {
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  // PIN failures (a wrong or missing PIN typed again, a lockout) are sentences in the screen's language.
  if (PIN_CODES.has(code ?? '')) return pinErrorText(error, 6);
  const key = `error.${code ?? 'INTERNAL'}`;
  return hasMessage(key) ? t(key, { detail }) : detail;
}

const PIN_CODES = new Set(['WRONG_PIN', 'PIN_REQUIRED', 'LOCKED_OUT', 'NO_ADMIN_PIN']);

/** The code of an expected failure thrown by `call()`, if any. */
export function errorCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** 1536 → "1.5 KB": binary units, as disks and download sizes are usually shown. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 || value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** 125 → "2:05"; null → "—". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function formatScore(score: number | null | undefined, digits = 3): string {
  return score === null || score === undefined ? '—' : score.toFixed(digits);
}

/** A timestamp in the current language's local format. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(getLocale() === 'ja' ? 'ja-JP' : 'en-GB');
}

/**
 * Checks one settings section against the same schema main applies, so the
 * form can say what is wrong before sending; main's answer is shown as well.
 */
export function sectionProblem<K extends keyof Settings>(key: K, value: Settings[K]): string | null {
  const result = SettingsSchema.shape[key].safeParse(value);
  if (result.success) return null;
  return result.error.issues
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Seconds typed by a person → the milliseconds main keeps (NaN when empty, so the schema says so). */
export const msOf = (seconds: string): number =>
  seconds.trim() === '' ? NaN : Math.round(Number(seconds) * 1000);

/** A number kept in milliseconds, shown and typed in seconds: people think in seconds. */
export function secondsField(
  label: string,
  name: string,
  ms: number,
  range: { min: number; max: number; step: number },
) {
  return numberField(label, name, ms / 1000, range);
}

/** A labelled number input, as every settings form uses it. */
export function numberField(
  label: string,
  name: string,
  value: number,
  range: { min: number; max: number; step: number },
) {
  return html`<label
    >${label}
    <input
      type="number"
      name=${name}
      min=${range.min}
      max=${range.max}
      step=${range.step}
      .value=${String(value)}
    />
  </label>`;
}
