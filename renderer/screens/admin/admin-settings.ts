// Settings panel: language and camera. Each change is one validated update.
import { LitElement, css, html } from 'lit';
import { api, call } from '../../api.js';
import { setLocale, t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { Settings } from '../../../preload/contract/settings.js';

export class AdminSettings extends LitElement {
  static override properties = {
    settings: { state: true },
    cameras: { state: true },
    error: { state: true },
  };
  declare settings: Settings | null;
  declare cameras: MediaDeviceInfo[];
  declare error: string | null;

  constructor() {
    super();
    new LocaleController(this);
    this.settings = null;
    this.cameras = [];
    this.error = null;
  }

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    this.settings = await call(api().getSettings(undefined));
    const devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
    this.cameras = devices.filter((d) => d.kind === 'videoinput');
  }

  private async save(patch: Partial<Omit<Settings, 'schemaVersion'>>): Promise<void> {
    try {
      this.settings = await call(api().updateSettings(patch));
      setLocale(this.settings.locale);
      this.dispatchEvent(new CustomEvent('settings-changed', { detail: this.settings, bubbles: true, composed: true }));
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    const s = this.settings;
    if (!s) return html`…`;
    return html`
      <label
        >${t('settings.language')}
        <select
          name="locale"
          @change=${(e: Event) => this.save({ locale: (e.target as HTMLSelectElement).value as Settings['locale'] })}
        >
          <option value="en" ?selected=${s.locale === 'en'}>English</option>
          <option value="ja" ?selected=${s.locale === 'ja'}>日本語</option>
        </select>
      </label>
      <label
        >Camera
        <select
          name="camera"
          @change=${(e: Event) => {
            const deviceId = (e.target as HTMLSelectElement).value || null;
            void this.save({ camera: { ...s.camera, deviceId } });
          }}
        >
          <option value="" ?selected=${s.camera.deviceId === null}>Default</option>
          ${this.cameras.map(
            (c, i) =>
              html`<option value=${c.deviceId} ?selected=${s.camera.deviceId === c.deviceId}>
                ${c.label || `Camera ${i + 1}`}
              </option>`,
          )}
        </select>
      </label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
    `;
  }

  static override styles = css`
    :host {
      display: grid;
      gap: 1rem;
      max-width: 520px;
    }
    label {
      display: grid;
      gap: 0.3rem;
    }
    select {
      font: inherit;
      padding: 0.4rem;
      background: #1b2444;
      color: inherit;
      border: 1px solid #34406b;
      border-radius: 0.4rem;
    }
    .error {
      color: #ff8a80;
    }
  `;
}
customElements.define('admin-settings', AdminSettings);
declare global {
  interface HTMLElementTagNameMap {
    'admin-settings': AdminSettings;
  }
}
