// The door screen as seen and heard, for the admin: the door's name on the idle screen, the
// chime's volume and the spoken result (settings.screen), each saved on change; whether this PC
// has a voice for the screen's language (else the door plays the chimes alone); and a button
// that plays the three chimes. The admin screen's "screen and sound" group can hold it as is.
import { LitElement, html } from 'lit';
import { api, call } from '../../api.js';
import { getLocale, t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { Settings } from '../../../preload/contract/settings.js';
import { errorMessage, panelStyles } from './admin-shared.js';
import { settingsFormStyles } from './settings-form.styles.js';
import { DoorSound, voiceFor } from '../door/door-sound.js';

export class AdminScreenSound extends LitElement {
  static override properties = {
    settings: { attribute: false },
    problem: { state: true },
    voiceName: { state: true },
  };
  declare settings: Settings | null;
  declare problem: string | null;
  /** The platform voice for the screen's language; null: none (chimes alone). */
  declare voiceName: string | null;
  private readonly sound = new DoorSound();
  // Voices load after the page: the list is read again when the platform says it changed.
  private readonly onVoices = () => (this.voiceName = voiceFor(getLocale())?.name ?? null);

  constructor() {
    super();
    new LocaleController(this);
    this.settings = null;
    this.problem = null;
    this.voiceName = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    globalThis.speechSynthesis?.addEventListener('voiceschanged', this.onVoices);
    this.onVoices();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    globalThis.speechSynthesis?.removeEventListener('voiceschanged', this.onVoices);
    this.sound.close();
  }

  private async save(screen: Settings['screen']): Promise<void> {
    try {
      this.settings = await call(api().updateSettings({ screen }));
      this.problem = null;
      this.dispatchEvent(
        new CustomEvent('settings-changed', { detail: this.settings, bubbles: true, composed: true }),
      );
    } catch (error) {
      this.problem = errorMessage(error);
    }
  }

  /** Open, refused, ask for help, one after the other, at the volume set. */
  private playChimes(): void {
    const volume = this.settings?.screen.volume ?? 0;
    (['open', 'refused', 'help'] as const).forEach((chime, i) =>
      window.setTimeout(() => this.sound.chime(chime, volume), i * 900),
    );
  }

  override render() {
    this.onVoices();
    const s = this.settings?.screen;
    if (!s) return null;
    return html`<section>
      <h2>${t('settings.screen')}</h2>
      <div class="grid">
        <label
          >${t('settings.screen.doorName')}
          <input
            name="doorName"
            maxlength="64"
            .value=${s.doorName}
            @change=${(e: Event) => void this.save({ ...s, doorName: (e.target as HTMLInputElement).value.trim() })}
          />
        </label>
        <label
          >${t('settings.screen.volume')} (${Math.round(s.volume * 100)} %)
          <input
            type="range"
            name="volume"
            min="0"
            max="100"
            step="10"
            .value=${String(Math.round(s.volume * 100))}
            @change=${(e: Event) =>
              void this.save({ ...s, volume: Number((e.target as HTMLInputElement).value) / 100 })}
          />
        </label>
      </div>
      <label class="check"
        ><input
          type="checkbox"
          name="voice"
          .checked=${s.voice}
          @change=${(e: Event) => void this.save({ ...s, voice: (e.target as HTMLInputElement).checked })}
        />${t('settings.screen.voice')}</label
      >
      <p class="muted" data-voice=${this.voiceName ? 'found' : 'missing'}>
        ${
          this.voiceName
            ? t('settings.screen.voiceFound', { name: this.voiceName })
            : t('settings.screen.voiceMissing')
        }
      </p>
      <button type="button" name="chimes" @click=${() => this.playChimes()}>
        ${t('settings.screen.test')}
      </button>
      ${this.problem ? html`<p class="notice error" role="alert">${this.problem}</p>` : null}
    </section>`;
  }

  static override styles = [panelStyles, settingsFormStyles];
}

customElements.define('admin-screen-sound', AdminScreenSound);

declare global {
  interface HTMLElementTagNameMap {
    'admin-screen-sound': AdminScreenSound;
  }
}
