// Settings panel, grouped by what an office manager wants: who gets in, how strict, the
// lock, the screen and sound, then the expert values under "Advanced". One Save sends every
// section together (asking for the PIN again when a setting that decides who gets in
// changed); times are typed in seconds. Sections are checked against main's own schema
// before sending, and main's refusals (INVALID_PAYLOAD) are shown by the Save button. The
// language applies at once; the admin PIN is changed with its own button.
import { LitElement, css, html, nothing } from 'lit';
import { api, call } from '../../api.js';
import { setLocale, t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { Settings, SettingsPatch } from '../../../preload/contract/settings.js';
import {
  errorMessage,
  msOf,
  panelStyles,
  sectionProblem,
  numberField,
  secondsField,
} from './admin-shared.js';
import { settingsFormStyles } from './settings-form.styles.js';
import { pinErrorText, withPinAgain } from '../../components/pin-pad/ask-pin.js';
import type { AdminDoor } from './admin-door.js';
import './admin-door.js';
import './admin-liveness-live.js';
import './liveness-levels-table.js';
import './admin-stranger-rate.js';
import './admin-screen-sound.js';

declare global {
  interface HTMLElementTagNameMap {
    'admin-settings': AdminSettings;
  }
  interface GlobalEventHandlersEventMap {
    'settings-changed': CustomEvent<Settings>;
  }
}

type FormKey = 'general' | 'settings' | 'pin';
type Status = { tone: 'ok' | 'error'; text: string };

const num = (form: HTMLFormElement, name: string): number => {
  const input = form.elements.namedItem(name) as HTMLInputElement | null;
  return input && input.value.trim() !== '' ? Number(input.value) : NaN;
};
const checked = (form: HTMLFormElement, name: string): boolean =>
  (form.elements.namedItem(name) as HTMLInputElement | null)?.checked ?? false;
const value = (form: HTMLFormElement, name: string): string =>
  (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value ?? '';

/** The sections the one Save sends, each checked against main's schema first. */
const SAVED = ['recognition', 'liveness', 'door', 'camera', 'privacy', 'adminPin'] as const;
type Saved = (typeof SAVED)[number];

/** Where main's field names and the form's differ (times are typed in seconds). */
const FIELD_NAMES: Record<string, string> = {
  'recognition.agreeWithinMs': 'agreeWithinSeconds',
  'recognition.cooldownMs': 'cooldownSeconds',
  'liveness.threshold': 'livenessThreshold',
  'door.holdMs': 'holdSeconds',
  'door.timeoutMs': 'timeoutSeconds',
  'door.backoffMs': 'backoffSeconds',
};

export class AdminSettings extends LitElement {
  static override properties = {
    settings: { state: true },
    cameras: { state: true },
    status: { state: true },
    useDefaultThreshold: { state: true },
    showLive: { state: true },
  };
  declare settings: Settings | null;
  declare cameras: MediaDeviceInfo[];
  /** The last save's outcome, per form. */
  declare status: Partial<Record<FormKey, Status>>;
  declare useDefaultThreshold: boolean;
  declare showLive: boolean;

  constructor() {
    super();
    new LocaleController(this);
    this.settings = null;
    this.cameras = [];
    this.status = {};
    this.useDefaultThreshold = true;
    this.showLive = false;
    this.addEventListener('settings-changed', (e) => {
      if (e.target !== this) this.settings = e.detail;
    });
  }

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    try {
      this.settings = await call(api().getSettings(undefined));
      this.useDefaultThreshold = this.settings.recognition.threshold === null;
    } catch (error) {
      this.status = { general: { tone: 'error', text: errorMessage(error) } };
    }
    const devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
    this.cameras = devices.filter((d) => d.kind === 'videoinput');
  }

  private setStatus(key: FormKey, status: Status | null): void {
    const { [key]: _old, ...rest } = this.status;
    this.status = status ? { ...rest, [key]: status } : rest;
  }

  private async save(key: FormKey, patch: SettingsPatch): Promise<void> {
    try {
      // The door, the threshold, liveness and the weak-PIN switch need the admin PIN again.
      this.settings = await call(
        withPinAgain((pin) => api().updateSettings(pin ? { ...patch, pin } : patch)),
      );
      setLocale(this.settings.locale);
      this.dispatchEvent(
        new CustomEvent('settings-changed', { detail: this.settings, bubbles: true, composed: true }),
      );
      this.setStatus(key, key === 'general' ? null : { tone: 'ok', text: t('admin.saved') });
    } catch (error) {
      this.setStatus(key, { tone: 'error', text: errorMessage(error) });
    }
  }

  /** Every section the form holds, as main keeps it (seconds back to milliseconds). */
  private read(form: HTMLFormElement, s: Settings): Pick<Settings, Saved> | null {
    const door = this.renderRoot.querySelector<AdminDoor>('admin-door')?.doorValue() ?? null;
    if (!door) return null;
    return {
      recognition: {
        mode: value(form, 'mode') === 'verify' ? 'verify' : 'identify',
        threshold: this.useDefaultThreshold ? null : num(form, 'threshold'),
        framesToAgree: num(form, 'framesToAgree'),
        agreeWithinMs: msOf(value(form, 'agreeWithinSeconds')),
        cooldownMs: msOf(value(form, 'cooldownSeconds')),
        secondFaceRatio: num(form, 'secondFaceRatio'),
      },
      liveness: {
        enabled: checked(form, 'enabled'),
        threshold: num(form, 'livenessThreshold'),
        level: value(form, 'level') === 'high' ? 'high' : 'standard',
      },
      door,
      camera: { ...s.camera, deviceId: value(form, 'camera') || null },
      privacy: {
        allowInsecureKeyStorage: checked(form, 'allowInsecureKeyStorage'),
        auditSnapshots: checked(form, 'auditSnapshots'),
      },
      adminPin: { allowWeakFourDigits: checked(form, 'allowWeakFourDigits') },
    };
  }

  /** The label a person sees for a field main named ("framesToAgree" → "Camera images that must agree"). */
  private labelOf(field: string): string {
    const label = this.renderRoot.querySelector(`[name="${field}"]`)?.closest('label');
    const text = [...(label?.childNodes ?? [])].find(
      (n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '',
    );
    return text?.textContent?.trim() || field;
  }

  /** The one Save: every section checked like main does, then sent together. */
  private submitAll(e: Event): void {
    e.preventDefault();
    const s = this.settings;
    if (!s) return;
    const sections = this.read(e.target as HTMLFormElement, s);
    if (!sections) return;
    for (const key of SAVED) {
      const problem = sectionProblem(key, sections[key]);
      if (problem) {
        // main's field names, from the form's own names where they differ.
        const named = problem.replace(/^(?:[a-z]+\.)*([A-Za-z]+)(?=:)/, (_, field: string) =>
          this.labelOf(FIELD_NAMES[`${key}.${field}`] ?? field),
        );
        return this.setStatus('settings', { tone: 'error', text: t('settings.invalid', { problem: named }) });
      }
    }
    void this.save('settings', sections);
  }

  private async submitPin(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const pin = value(form, 'pin');
    // The same rule as main (main/admin/pin-policy.ts), checked before sending.
    const min = this.settings?.adminPin.allowWeakFourDigits ? 4 : 6;
    const problem = !/^\d*$/.test(pin)
      ? t('admin.pinNotDigits')
      : pin.length < min
        ? t('admin.pinTooShort', { min })
        : pin.length > 12
          ? t('admin.pinTooLong')
          : null;
    if (problem) return this.setStatus('pin', { tone: 'error', text: problem });
    if (pin !== value(form, 'pin2'))
      return this.setStatus('pin', { tone: 'error', text: t('settings.pinMismatch') });
    try {
      await call(api().setAdminPin({ pin, currentPin: value(form, 'current') }));
      form.reset();
      this.setStatus('pin', { tone: 'ok', text: t('settings.pinChanged') });
    } catch (error) {
      this.setStatus('pin', { tone: 'error', text: pinErrorText(error, min) });
    }
  }

  private statusLine(key: FormKey) {
    const status = this.status[key];
    return status
      ? html`<p
          class="notice ${status.tone}"
          role=${status.tone === 'error' ? 'alert' : 'status'}
          data-form=${key}
        >
          ${status.text}
        </p>`
      : nothing;
  }

  override render() {
    const s = this.settings;
    if (!s)
      return html`${this.statusLine('general')}
        <p class="muted">${t('admin.loading')}</p>`;
    return html`
      <form name="settings" novalidate @submit=${(e: Event) => this.submitAll(e)}>
        ${this.renderWho(s)} ${this.renderStrict(s)}
        <section class="group" data-group="lock">
          <h2>${t('settings.group.lock')}</h2>
          <admin-door embedded .settings=${s}></admin-door>
        </section>
        ${this.renderScreen(s)} ${this.renderAdvanced(s)}
        <div class="save-bar">
          <button class="primary" type="submit" name="save">${t('settings.saveAll')}</button>
          ${this.statusLine('settings')}
        </div>
      </form>
      ${this.showLive ? html`<admin-liveness-live .threshold=${s.liveness.threshold}></admin-liveness-live>` : nothing}
      ${this.renderPin()}
    `;
  }

  /** Who gets in: how a person proves who they are (the people themselves are under People). */
  private renderWho(s: Settings) {
    const r = s.recognition;
    return html`<section class="group" data-group="who">
      <h2>${t('settings.group.who')}</h2>
      <div class="grid">
        <label class="wide"
          >${t('settings.mode')}
          <select name="mode">
            <option value="identify" ?selected=${r.mode === 'identify'}>${t('settings.modeIdentify')}</option>
            <option value="verify" ?selected=${r.mode === 'verify'}>${t('settings.modeVerify')}</option>
          </select>
        </label>
        <p class="muted wide">${t('settings.group.whoHint')}</p>
      </div>
    </section>`;
  }

  /** How strict: the match threshold and the defence against photos and screens. */
  private renderStrict(s: Settings) {
    const r = s.recognition;
    const l = s.liveness;
    return html`<section class="group" data-group="strict">
      <h2>${t('settings.group.strict')}</h2>
      <div class="grid">
        <div class="field wide">
          <span>${t('settings.threshold')}</span>
          <div class="row">
            <label class="check"
              ><input
                type="checkbox"
                name="thresholdDefault"
                .checked=${this.useDefaultThreshold}
                @change=${(e: Event) => (this.useDefaultThreshold = (e.target as HTMLInputElement).checked)}
              />${t('settings.thresholdDefault')}</label
            >
            <input
              type="number"
              name="threshold"
              min="-1"
              max="1"
              step="0.01"
              .value=${r.threshold === null ? '' : String(r.threshold)}
              ?disabled=${this.useDefaultThreshold}
              aria-label=${t('settings.threshold')}
            />
          </div>
        </div>
        <admin-stranger-rate class="wide"></admin-stranger-rate>
        <label class="check wide"
          ><input
            type="checkbox"
            name="enabled"
            .checked=${l.enabled}
          />${t('settings.livenessEnabled')}</label
        >
        <label class="wide"
          >${t('settings.livenessLevel')}
          <select name="level">
            ${(['standard', 'high'] as const).map(
              (level) =>
                html`<option value=${level} ?selected=${l.level === level}>
                  ${t(level === 'high' ? 'settings.levelHigh' : 'settings.levelStandard')}
                </option>`,
            )}
          </select>
        </label>
        <p class="muted wide">${t('settings.levelStandardStops')}</p>
        <p class="muted wide">${t('settings.levelHighStops')}</p>
        <p class="muted wide">${t('settings.levelDefaultWhy')}</p>
        <div class="wide table-wrap"><liveness-levels-table></liveness-levels-table></div>
        <div class="wide row">
          <button type="button" name="live" @click=${() => (this.showLive = !this.showLive)}>
            ${this.showLive ? t('liveness.hideLive') : t('liveness.showLive')}
          </button>
        </div>
      </div>
    </section>`;
  }

  /** The screen and sound: language (at once) and camera. */
  private renderScreen(s: Settings) {
    return html`<section class="group" data-group="screen">
      <h2>${t('settings.group.screen')}</h2>
      <div class="grid">
        <label
          >${t('settings.language')}
          <select
            name="locale"
            @change=${(e: Event) =>
              this.save('general', { locale: (e.target as HTMLSelectElement).value as Settings['locale'] })}
          >
            <option value="en" ?selected=${s.locale === 'en'}>English</option>
            <option value="ja" ?selected=${s.locale === 'ja'}>日本語</option>
          </select>
        </label>
        <label
          >${t('settings.camera')}
          <select name="camera">
            <option value="" ?selected=${s.camera.deviceId === null}>${t('settings.cameraDefault')}</option>
            ${this.cameras.map(
              (c, i) =>
                html`<option value=${c.deviceId} ?selected=${s.camera.deviceId === c.deviceId}>
                  ${c.label || t('settings.cameraN', { n: i + 1 })}
                </option>`,
            )}
          </select>
        </label>
        <admin-screen-sound class="wide" .settings=${s}></admin-screen-sound>
      </div>
      ${this.statusLine('general')}
    </section>`;
  }

  /** The expert values: how many frames agree and how fast, the second face, storage, a weaker PIN. */
  private renderAdvanced(s: Settings) {
    const r = s.recognition;
    const l = s.liveness;
    const p = s.privacy;
    return html`<details class="group advanced" data-group="advanced">
      <summary><h2>${t('settings.group.advanced')}</h2></summary>
      <div class="grid">
        ${numberField(t('settings.framesToAgree'), 'framesToAgree', r.framesToAgree, { min: 1, max: 30, step: 1 })}
        ${secondsField(t('settings.agreeWithinSeconds'), 'agreeWithinSeconds', r.agreeWithinMs, { min: 0.1, max: 60, step: 0.1 })}
        ${secondsField(t('settings.cooldownSeconds'), 'cooldownSeconds', r.cooldownMs, { min: 0, max: 600, step: 0.5 })}
        ${numberField(t('settings.livenessThreshold'), 'livenessThreshold', l.threshold, { min: 0, max: 1, step: 0.01 })}
        ${numberField(t('settings.secondFaceRatio'), 'secondFaceRatio', r.secondFaceRatio, { min: 0.2, max: 1, step: 0.05 })}
        <p class="muted wide">${t('settings.secondFaceHelp')}</p>
      </div>
      <div class="options">
        <div class="option">
          <label class="check"
            ><input
              type="checkbox"
              name="allowInsecureKeyStorage"
              aria-describedby="hint-insecure"
              .checked=${p.allowInsecureKeyStorage}
            />${t('settings.allowInsecureKeyStorage')}</label
          >
          <p class="muted hint" id="hint-insecure">${t('settings.allowInsecureKeyStorageHint')}</p>
        </div>
        <div class="option">
          <label class="check"
            ><input
              type="checkbox"
              name="auditSnapshots"
              aria-describedby="hint-snapshots"
              .checked=${p.auditSnapshots}
            />${t('settings.auditSnapshots')}</label
          >
          <p class="muted hint" id="hint-snapshots">${t('settings.auditSnapshotsHint')}</p>
        </div>
        <div class="option">
          <label class="check"
            ><input
              type="checkbox"
              name="allowWeakFourDigits"
              .checked=${s.adminPin.allowWeakFourDigits}
            />${t('settings.weakPin')}</label
          >
        </div>
      </div>
    </details>`;
  }

  private renderPin() {
    return html`<section>
      <h2>${t('settings.adminPin')}</h2>
      <form name="pin" class="row" novalidate @submit=${(e: Event) => this.submitPin(e)}>
        <input
          type="password"
          name="current"
          inputmode="numeric"
          autocomplete="current-password"
          maxlength="12"
          placeholder=${t('settings.pinCurrent')}
          aria-label=${t('settings.pinCurrent')}
        />
        <input
          type="password"
          name="pin"
          inputmode="numeric"
          autocomplete="new-password"
          maxlength="12"
          placeholder=${t('settings.pinNew')}
          aria-label=${t('settings.pinNew')}
        />
        <input
          type="password"
          name="pin2"
          inputmode="numeric"
          autocomplete="new-password"
          maxlength="12"
          placeholder=${t('settings.pinRepeat')}
          aria-label=${t('settings.pinRepeat')}
        />
        <button class="primary" type="submit">${t('settings.pinChange')}</button>
      </form>
      ${this.statusLine('pin')}
    </section>`;
  }

  static override styles = [
    panelStyles,
    settingsFormStyles,
    css`
      form[name='settings'] {
        display: grid;
        gap: 1rem;
      }
      details.group > summary h2 {
        display: inline;
        margin: 0;
      }
      details.group[open] > summary {
        margin-bottom: 0.6rem;
      }
      /* The embedded lock keeps its own layout, without a second frame. */
      admin-door {
        display: block;
      }
      /* A long option (the security level) is read whole, never cut off. */
      select {
        max-width: 100%;
        white-space: normal;
      }
      .table-wrap {
        overflow-x: auto;
      }
      /* The one Save stays in reach at the bottom while scrolling. */
      .save-bar {
        position: sticky;
        bottom: 0;
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.8rem;
        padding: 0.7rem 1.1rem;
        background: #0e1428;
        border-top: 1px solid #26305a;
        z-index: 1;
      }
      .save-bar .notice {
        margin: 0;
      }
    `,
  ];
}
customElements.define('admin-settings', AdminSettings);
