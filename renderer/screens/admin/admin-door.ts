// The lock: none, a relay or program from doors.json, or an HTTPS webhook, with the
// unlock hold time (in seconds), and a test button. A failed test reads as a failure, in
// red, with main's message: it is never shown as success. On its own (the setup wizard) it
// saves itself; `embedded` in the settings panel, the panel's one Save reads it (doorValue).
// The webhook's expert values sit under "Advanced".
// A command door is chosen from doors.json on the PC, never typed here; HTTP
// secrets come back from main as REDACTED and are kept when sent back so.
import { LitElement, css, html, nothing } from 'lit';
import { api, call } from '../../api.js';
import { confirmWithPin, withPinAgain } from '../../components/pin-pad/ask-pin.js';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import { REDACTED, type DoorProgramList, type Settings } from '../../../preload/contract/settings.js';
import {
  errorMessage,
  panelStyles,
  sectionProblem,
  numberField,
  secondsField,
  msOf,
} from './admin-shared.js';
import { settingsFormStyles } from './settings-form.styles.js';

type Door = Settings['door'];
type DoorKind = Door['kind'];
type Status = { tone: 'ok' | 'error'; text: string };

/** A starting point when the admin switches to a kind, keeping the hold time; main's own defaults. */
export function doorDefaults(kind: DoorKind, holdMs: number, firstProgram = ''): Door {
  switch (kind) {
    case 'none':
      return { kind, holdMs };
    case 'command':
      return { kind, holdMs, doorId: firstProgram };
    case 'http':
      return {
        kind,
        holdMs,
        method: 'POST',
        url: '',
        insecureNetwork: false,
        headers: {},
        hmacKey: '',
        pinSha256: [],
        caPem: null,
        timeoutMs: 5000,
        retries: 2,
        backoffMs: 250,
      };
  }
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** "Name: value" lines ↔ a header record. A line without a colon is kept as a name with an empty value. */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = (colon < 0 ? line : line.slice(0, colon)).trim();
    headers[name] = colon < 0 ? '' : line.slice(colon + 1).trim();
  }
  return headers;
}

const headerLines = (headers: Record<string, string>): string =>
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');

/** A labelled text area across the form, for the webhook's expert values. */
const textField = (label: string, name: string, value: string, placeholder = '', rows = 2) =>
  html`<label class="wide"
    >${label}
    <textarea name=${name} rows=${rows} .value=${value} placeholder=${placeholder}></textarea>
  </label>`;

export class AdminDoor extends LitElement {
  static override properties = {
    settings: { attribute: false },
    draft: { state: true },
    status: { state: true },
    test: { state: true },
    testing: { state: true },
    programs: { state: true },
    embedded: { type: Boolean },
  };
  declare settings: Settings | null;
  /** The form's door kind and starting values, until saved. */
  declare draft: Door | null;
  declare status: Status | null;
  declare test: Status | null;
  declare testing: boolean;
  /** doors.json as main read it; null until loaded. */
  declare programs: DoorProgramList | null;
  /** In the settings panel: no Save of its own, the panel saves the door with the rest. */
  declare embedded: boolean;

  constructor() {
    super();
    new LocaleController(this);
    this.settings = null;
    this.draft = null;
    this.status = null;
    this.test = null;
    this.testing = false;
    this.programs = null;
    this.embedded = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadPrograms();
  }

  private async loadPrograms(): Promise<void> {
    try {
      this.programs = await call(api().listDoorPrograms(undefined));
    } catch (error) {
      this.programs = { programs: [], file: 'doors.json', problem: errorMessage(error) };
    }
  }

  override willUpdate(changed: Map<string, unknown>): void {
    // Embedded, the panel saves the door: what main kept (secrets as REDACTED) replaces the draft.
    if (changed.has('settings') && this.settings && (this.draft === null || this.embedded))
      this.draft = this.settings.door;
  }

  /** The door as the form holds it, for the settings panel's one Save; null before it is shown. */
  doorValue(): Door | null {
    const form = this.renderRoot.querySelector<HTMLFormElement>('form[name="door"]');
    return form ? this.read(form) : null;
  }

  /** Reads the form into a door of the chosen kind. */
  private read(form: HTMLFormElement): Door {
    const field = (name: string) =>
      (form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | null)?.value ?? '';
    const int = (name: string) => (field(name).trim() === '' ? NaN : Number(field(name)));
    const ms = (name: string) => msOf(field(name));
    const holdMs = ms('holdSeconds');
    const kind = this.draft?.kind ?? 'none';
    if (kind === 'command') return { kind, holdMs, doorId: field('doorId') };
    if (kind === 'http') {
      const body = field('body');
      const ca = field('caPem').trim();
      const insecure = form.elements.namedItem('insecureNetwork') as HTMLInputElement | null;
      return {
        kind,
        holdMs,
        method: field('method') as 'GET' | 'POST' | 'PUT',
        url: field('url').trim(),
        insecureNetwork: insecure?.checked ?? false,
        headers: parseHeaders(field('headers')),
        hmacKey: field('hmacKey').trim(),
        pinSha256: lines(field('pinSha256')),
        caPem: ca === '' ? null : ca,
        ...(body.trim() === '' ? {} : { body }),
        timeoutMs: ms('timeoutSeconds'),
        retries: int('retries'),
        backoffMs: ms('backoffSeconds'),
      };
    }
    return { kind, holdMs };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const door = this.read(e.target as HTMLFormElement);
    const problem = sectionProblem('door', door);
    if (problem) {
      this.status = { tone: 'error', text: t('settings.invalid', { problem }) };
      return;
    }
    try {
      const settings = await call(
        withPinAgain((pin) => api().updateSettings(pin ? { door, pin } : { door })),
      );
      this.settings = settings;
      this.draft = settings.door;
      this.status = { tone: 'ok', text: t('admin.saved') };
      this.dispatchEvent(
        new CustomEvent('settings-changed', { detail: settings, bubbles: true, composed: true }),
      );
    } catch (error) {
      this.status = { tone: 'error', text: errorMessage(error) };
    }
  }

  private async testDoor(): Promise<void> {
    this.testing = true;
    this.test = null;
    try {
      const result = await call(
        confirmWithPin(t('admin.pinAgain.doorTest'), (pin) => api().testDoor({ pin })),
      );
      const params = { message: result.message, ms: Math.round(result.elapsedMs) };
      this.test = result.ok
        ? { tone: 'ok', text: t('door.testOk', params) }
        : { tone: 'error', text: t('door.testFailed', params) };
    } catch (error) {
      this.test = { tone: 'error', text: t('door.testFailed', { message: errorMessage(error), ms: 0 }) };
    } finally {
      this.testing = false;
    }
  }

  override render() {
    const door = this.draft;
    if (!door) return nothing;
    const unsaved = door.kind !== this.settings?.door.kind;
    // No heading of its own: the settings group and the wizard step each name it ("The lock", "Your lock").
    return html`<section>
      <form
        name="door"
        novalidate
        @submit=${(e: Event) => (this.embedded ? e.preventDefault() : this.save(e))}
      >
        <div class="grid">
          <label class="wide"
            >${t('door.kind')}
            <select
              name="kind"
              @change=${(e: Event) =>
                (this.draft = doorDefaults(
                  (e.target as HTMLSelectElement).value as DoorKind,
                  door.holdMs,
                  this.programs?.programs[0]?.id,
                ))}
            >
              <option value="none" ?selected=${door.kind === 'none'}>${t('door.kind.none')}</option>
              <option value="command" ?selected=${door.kind === 'command'}>${t('door.kind.command')}</option>
              <option value="http" ?selected=${door.kind === 'http'}>${t('door.kind.http')}</option>
            </select>
          </label>
          ${secondsField(t('door.holdSeconds'), 'holdSeconds', door.holdMs, { min: 0.1, max: 60, step: 0.1 })}
          ${door.kind === 'command' ? this.commandFields(door) : nothing}
          ${door.kind === 'http' ? this.httpFields(door) : nothing}
        </div>
        <div class="row">
          ${this.embedded ? nothing : html`<button class="primary" type="submit">${t('admin.save')}</button>`}
          <button type="button" name="test-door" ?disabled=${this.testing} @click=${() => this.testDoor()}>
            ${this.testing ? t('door.testing') : t('door.test')}
          </button>
          <span class="muted">${unsaved ? t('door.testUsesSaved') : t('door.testHint')}</span>
        </div>
      </form>
      ${
        this.status
          ? html`<p
              class="notice ${this.status.tone}"
              role=${this.status.tone === 'error' ? 'alert' : 'status'}
            >
              ${this.status.text}
            </p>`
          : nothing
      }
      ${
        this.test
          ? html`<p
              class="notice ${this.test.tone} door-test"
              data-ok=${this.test.tone === 'ok'}
              role="status"
            >
              ${this.test.text}
            </p>`
          : nothing
      }
    </section>`;
  }

  private commandFields(door: Extract<Door, { kind: 'command' }>) {
    const list = this.programs;
    const chosen = list?.programs.find((p) => p.id === door.doorId) ?? null;
    return html`<label class="wide"
        >${t('door.programChoice')}
        <select
          name="doorId"
          @change=${(e: Event) => (this.draft = { ...door, doorId: (e.target as HTMLSelectElement).value })}
        >
          ${list?.programs.map(
            (p) => html`<option value=${p.id} ?selected=${p.id === door.doorId}>${p.label ?? p.id}</option>`,
          )}
        </select>
      </label>
      ${
        chosen
          ? html`<p class="muted wide program">
              ${t('door.programRuns', { command: [chosen.program, ...chosen.args].join(' ') })}
            </p>`
          : nothing
      }
      ${
        list?.problem
          ? html`<p class="notice error wide" role="alert">
              ${t('door.programProblem', { problem: list.problem })}
            </p>`
          : list && list.programs.length === 0
            ? html`<p class="notice error wide" role="alert">
                ${t('door.programNone', { file: list.file })}
              </p>`
            : nothing
      }
      <p class="muted wide">${t('door.programHint')}</p>`;
  }

  private httpFields(door: Extract<Door, { kind: 'http' }>) {
    return html`<label
        >${t('door.method')}
        <select name="method">
          ${(['GET', 'POST', 'PUT'] as const).map(
            (m) => html`<option value=${m} ?selected=${door.method === m}>${m}</option>`,
          )}
        </select>
      </label>
      <label class="wide"
        >${t('door.url')}
        <input
          name="url"
          type="url"
          maxlength="2048"
          .value=${door.url}
          placeholder="https://relay.local/open"
        />
      </label>
      <label class="wide check"
        ><input
          type="checkbox"
          name="insecureNetwork"
          .checked=${door.insecureNetwork}
          @change=${(e: Event) =>
            (this.draft = { ...door, insecureNetwork: (e.target as HTMLInputElement).checked })}
        />
        ${t('door.insecureNetwork')}
      </label>
      ${
        door.insecureNetwork
          ? html`<p class="notice error wide insecure-warning" role="alert">${t('door.insecureWarning')}</p>`
          : nothing
      }
      <label class="wide"
        >${t('door.hmacKey')}
        <input name="hmacKey" type="password" autocomplete="off" maxlength="256" .value=${door.hmacKey} />
      </label>
      <p class="muted wide">${t('door.secretKept', { redacted: REDACTED })}</p>
      <details class="wide advanced">
        <summary>${t('door.advanced')}</summary>
        <div class="grid">
          ${secondsField(t('door.timeoutSeconds'), 'timeoutSeconds', door.timeoutMs, { min: 0.1, max: 60, step: 0.1 })}
          ${numberField(t('door.retries'), 'retries', door.retries, { min: 0, max: 5, step: 1 })}
          ${secondsField(t('door.backoffSeconds'), 'backoffSeconds', door.backoffMs, { min: 0, max: 10, step: 0.05 })}
          ${textField(t('door.headers'), 'headers', headerLines(door.headers), 'Authorization: Bearer …')}
          ${textField(t('door.body'), 'body', door.body ?? '', '{"event": "{{event}}"}')}
          ${textField(t('door.pinSha256'), 'pinSha256', door.pinSha256.join('\n'))}
          ${textField(t('door.caPem'), 'caPem', door.caPem ?? '', '-----BEGIN CERTIFICATE-----', 3)}
        </div>
      </details>`;
  }

  static override styles = [
    panelStyles,
    settingsFormStyles,
    css`
      :host {
        display: block;
      }
      textarea {
        resize: vertical;
        font-family: ui-monospace, monospace, 'BIZ UDPGothic';
      }
      .program {
        font-family: ui-monospace, monospace, 'BIZ UDPGothic';
        overflow-wrap: anywhere;
      }
      /* A finger-sized checkbox: the admin screen is a touchscreen too. */
      label.check {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        min-height: 44px;
      }
      label.check input {
        width: 28px;
        height: 28px;
      }
      /* Inside the settings panel's "The lock" group: one frame, not two. */
      :host([embedded]) section {
        background: none;
        border: 0;
        padding: 0;
      }
      details.advanced > summary {
        color: #c7d0ee;
      }
    `,
  ];
}

customElements.define('admin-door', AdminDoor);

declare global {
  interface HTMLElementTagNameMap {
    'admin-door': AdminDoor;
  }
}
