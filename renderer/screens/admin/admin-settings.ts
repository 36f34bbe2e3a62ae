// Settings panel: language and camera (saved on change), then recognition,
// liveness, door output and the admin PIN, each a form saved as one whole
// section. Forms are checked against main's own schema before sending, and
// main's refusals (INVALID_PAYLOAD) are shown under the form.
import { LitElement, html, nothing } from 'lit';
import { api, call } from '../../api.js';
import { setLocale, t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { Settings, SettingsPatch } from '../../../preload/contract/settings.js';
import { errorMessage, panelStyles, sectionProblem, numberField } from './admin-shared.js';
import { settingsFormStyles } from './settings-form.styles.js';
import { pinErrorText, withPinAgain } from '../../components/pin-pad/ask-pin.js';
import './admin-door.js';
import './admin-liveness-live.js';
import './liveness-levels-table.js';
import './admin-screen-sound.js';

declare global {
  interface HTMLElementTagNameMap {
    'admin-settings': AdminSettings;
  }
  interface GlobalEventHandlersEventMap {
    'settings-changed': CustomEvent<Settings>;
  }
}

type FormKey = 'general' | 'recognition' | 'liveness' | 'privacy' | 'pin';
type Status = { tone: 'ok' | 'error'; text: string };

const num = (form: HTMLFormElement, name: string): number => {
  const input = form.elements.namedItem(name) as HTMLInputElement | null;
  return input && input.value.trim() !== '' ? Number(input.value) : NaN;
};
const checked = (form: HTMLFormElement, name: string): boolean =>
  (form.elements.namedItem(name) as HTMLInputElement | null)?.checked ?? false;
const value = (form: HTMLFormElement, name: string): string =>
  (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value ?? '';

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
      // The threshold, liveness and the weak-PIN switch need the admin PIN again.
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

  /** Checks a section like main does; only a valid one is sent. */
  private submit<K extends 'recognition' | 'liveness'>(key: K, section: Settings[K]): void {
    const problem = sectionProblem(key, section);
    if (problem) this.setStatus(key, { tone: 'error', text: t('settings.invalid', { problem }) });
    else void this.save(key, { [key]: section });
  }

  private submitRecognition(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    this.submit('recognition', {
      mode: value(form, 'mode') === 'verify' ? 'verify' : 'identify',
      threshold: this.useDefaultThreshold ? null : num(form, 'threshold'),
      framesToAgree: num(form, 'framesToAgree'),
      agreeWithinMs: num(form, 'agreeWithinMs'),
      cooldownMs: num(form, 'cooldownMs'),
      secondFaceRatio: num(form, 'secondFaceRatio'),
    });
  }

  private submitLiveness(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    this.submit('liveness', {
      enabled: checked(form, 'enabled'),
      threshold: num(form, 'threshold'),
      level: (form.elements.namedItem('level') as HTMLSelectElement).value === 'high' ? 'high' : 'standard',
    });
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
      <section>
        <h2>${t('settings.general')}</h2>
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
            <select
              name="camera"
              @change=${(e: Event) => {
                const deviceId = (e.target as HTMLSelectElement).value || null;
                void this.save('general', { camera: { ...s.camera, deviceId } });
              }}
            >
              <option value="" ?selected=${s.camera.deviceId === null}>${t('settings.cameraDefault')}</option>
              ${this.cameras.map(
                (c, i) =>
                  html`<option value=${c.deviceId} ?selected=${s.camera.deviceId === c.deviceId}>
                    ${c.label || t('settings.cameraN', { n: i + 1 })}
                  </option>`,
              )}
            </select>
          </label>
        </div>
        ${this.statusLine('general')}
      </section>
      ${this.renderRecognition(s)} ${this.renderLiveness(s)}
      <admin-door .settings=${s}></admin-door>
      <admin-screen-sound .settings=${s}></admin-screen-sound>
      ${this.renderPrivacy(s)} ${this.renderPin()}
    `;
  }

  private renderRecognition(s: Settings) {
    const r = s.recognition;
    return html`<section>
      <h2>${t('settings.recognition')}</h2>
      <form name="recognition" novalidate @submit=${(e: Event) => this.submitRecognition(e)}>
        <div class="grid">
          <label
            >${t('settings.mode')}
            <select name="mode">
              <option value="identify" ?selected=${r.mode === 'identify'}>
                ${t('settings.modeIdentify')}
              </option>
              <option value="verify" ?selected=${r.mode === 'verify'}>${t('settings.modeVerify')}</option>
            </select>
          </label>
          <div class="field">
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
          ${numberField(t('settings.framesToAgree'), 'framesToAgree', r.framesToAgree, { min: 1, max: 30, step: 1 })}
          ${numberField(t('settings.agreeWithinMs'), 'agreeWithinMs', r.agreeWithinMs, { min: 100, max: 60000, step: 100 })}
          ${numberField(t('settings.cooldownMs'), 'cooldownMs', r.cooldownMs, { min: 0, max: 600000, step: 500 })}
          ${numberField(t('settings.secondFaceRatio'), 'secondFaceRatio', r.secondFaceRatio, { min: 0.2, max: 1, step: 0.05 })}
          <p class="muted">${t('settings.secondFaceHelp')}</p>
        </div>
        <div class="row"><button class="primary" type="submit">${t('admin.save')}</button></div>
      </form>
      ${this.statusLine('recognition')}
    </section>`;
  }

  private renderLiveness(s: Settings) {
    const l = s.liveness;
    return html`<section>
      <h2>${t('settings.liveness')}</h2>
      <form name="liveness" novalidate @submit=${(e: Event) => this.submitLiveness(e)}>
        <div class="grid">
          <label class="check"
            ><input
              type="checkbox"
              name="enabled"
              .checked=${l.enabled}
            />${t('settings.livenessEnabled')}</label
          >
          ${numberField(t('settings.livenessThreshold'), 'threshold', l.threshold, { min: 0, max: 1, step: 0.01 })}
          <label
            >${t('settings.livenessLevel')}
            <select name="level">
              ${(['standard', 'high'] as const).map(
                (level) =>
                  html`<option value=${level} ?selected=${l.level === level}>
                    ${t(level === 'high' ? 'settings.levelHigh' : 'settings.levelStandard')}
                  </option>`,
              )}
            </select></label
          >
          <liveness-levels-table></liveness-levels-table>
        </div>
        <div class="row">
          <button class="primary" type="submit">${t('admin.save')}</button>
          <button type="button" name="live" @click=${() => (this.showLive = !this.showLive)}>
            ${this.showLive ? t('liveness.hideLive') : t('liveness.showLive')}
          </button>
        </div>
      </form>
      ${this.statusLine('liveness')}
      ${this.showLive ? html`<admin-liveness-live .threshold=${l.threshold}></admin-liveness-live>` : nothing}
    </section>`;
  }

  private renderPrivacy(s: Settings) {
    const p = s.privacy;
    const toggle = (key: keyof Settings['privacy']) => (e: Event) =>
      void this.save('privacy', { privacy: { ...p, [key]: (e.target as HTMLInputElement).checked } });
    return html`<section>
      <h2>${t('settings.privacy')}</h2>
      <div class="options">
        <div class="option">
          <label class="check"
            ><input
              type="checkbox"
              name="allowInsecureKeyStorage"
              aria-describedby="hint-insecure"
              .checked=${p.allowInsecureKeyStorage}
              @change=${toggle('allowInsecureKeyStorage')}
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
              @change=${toggle('auditSnapshots')}
            />${t('settings.auditSnapshots')}</label
          >
          <p class="muted hint" id="hint-snapshots">${t('settings.auditSnapshotsHint')}</p>
        </div>
      </div>
      ${this.statusLine('privacy')}
    </section>`;
  }

  private renderPin() {
    return html`<section>
      <h2>${t('settings.adminPin')}</h2>
      <label class="check">
        <input
          type="checkbox"
          name="allowWeakFourDigits"
          .checked=${this.settings?.adminPin.allowWeakFourDigits ?? false}
          @change=${(e: Event) =>
            void this.save('pin', {
              adminPin: { allowWeakFourDigits: (e.target as HTMLInputElement).checked },
            })}
        />
        ${t('settings.weakPin')}
      </label>
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

  static override styles = [panelStyles, settingsFormStyles];
}
customElements.define('admin-settings', AdminSettings);
