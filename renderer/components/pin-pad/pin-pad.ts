// A touch-friendly PIN keypad. It only collects digits; the caller decides
// what the PIN is for and shows the answer through `error`. With `confirm`, a
// new PIN is typed twice and only sent when both agree; `minLength` is checked
// before anything is sent.
import { LitElement, css, html } from 'lit';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';

declare global {
  interface HTMLElementTagNameMap {
    'pin-pad': PinPad;
  }
  interface GlobalEventHandlersEventMap {
    'pin-submit': CustomEvent<{ pin: string }>;
    'pin-cancel': CustomEvent<void>;
  }
}

export class PinPad extends LitElement {
  static override properties = {
    prompt: { type: String },
    error: { type: String },
    busy: { type: Boolean },
    confirm: { type: Boolean },
    minLength: { type: Number },
    pin: { state: true },
    first: { state: true },
  };
  declare prompt: string;
  declare error: string | null;
  declare busy: boolean;
  /** A new PIN: typed twice. */
  declare confirm: boolean;
  /** Fewer digits are refused here, with a sentence, before anything is sent. */
  declare minLength: number;
  declare pin: string;
  /** In confirm mode, the first entry while the second is typed. */
  declare first: string | null;

  constructor() {
    super();
    new LocaleController(this);
    this.prompt = '';
    this.error = null;
    this.busy = false;
    this.confirm = false;
    this.minLength = 1;
    this.pin = '';
    this.first = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
  }

  private readonly onKey = (event: KeyboardEvent) => {
    if (/^\d$/.test(event.key)) this.press(event.key);
    else if (event.key === 'Backspace') this.pin = this.pin.slice(0, -1);
    else if (event.key === 'Enter') this.submit();
    else if (event.key === 'Escape') this.cancel();
    else return;
    // The pad is modal: Enter must not also press the button that opened it.
    event.preventDefault();
  };

  private press(digit: string): void {
    if (this.pin.length < 12) this.pin += digit;
  }

  private submit(): void {
    if (this.busy || this.pin.length === 0) return;
    const pin = this.pin;
    this.pin = '';
    if (pin.length < this.minLength) {
      this.error = t('admin.pinTooShort', { min: this.minLength });
      return;
    }
    if (this.confirm && this.first === null) {
      this.first = pin;
      this.error = null;
      return;
    }
    if (this.confirm && this.first !== pin) {
      this.first = null;
      this.error = t('admin.pinMismatch');
      return;
    }
    this.first = null;
    this.dispatchEvent(new CustomEvent('pin-submit', { detail: { pin }, bubbles: true, composed: true }));
  }

  private cancel(): void {
    this.pin = '';
    this.first = null;
    this.dispatchEvent(new CustomEvent('pin-cancel', { bubbles: true, composed: true }));
  }

  override render() {
    const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '⌫', '0', '✓'];
    return html`
      <div class="panel" role="dialog" aria-label=${this.prompt}>
        <div class="prompt">${this.first === null ? this.prompt : t('admin.pinConfirmPrompt')}</div>
        <div class="dots" aria-live="polite">${'●'.repeat(this.pin.length) || '\u00a0'}</div>
        <div class="error" role="alert">${this.error ?? '\u00a0'}</div>
        <div class="keys">
          ${keys.map(
            (key) =>
              html`<button
                data-key=${key}
                ?disabled=${this.busy}
                @click=${() => (key === '⌫' ? (this.pin = this.pin.slice(0, -1)) : key === '✓' ? this.submit() : this.press(key))}
              >
                ${key}
              </button>`,
          )}
        </div>
        <button class="cancel" @click=${() => this.cancel()}>${t('admin.cancel')}</button>
      </div>
    `;
  }

  static override styles = css`
    :host {
      position: fixed;
      inset: 0;
      display: grid;
      place-items: center;
      background: rgba(5, 8, 18, 0.7);
      z-index: 10;
    }
    .panel {
      background: #151c33;
      color: #eef2ff;
      padding: 1.6rem;
      border-radius: 1rem;
      width: min(90vw, 340px);
      text-align: center;
      box-shadow: 0 10px 40px rgba(0, 0, 0, 0.5);
    }
    .prompt {
      font-size: 1.1rem;
      margin-bottom: 0.6rem;
    }
    .dots {
      font-size: 1.6rem;
      letter-spacing: 0.4rem;
      min-height: 2rem;
    }
    .error {
      color: #ff8a80;
      min-height: 1.3rem;
      font-size: 0.95rem;
    }
    .keys {
      display: grid;
      grid-template-columns: repeat(3, 1fr);
      gap: 0.6rem;
      margin: 0.8rem 0;
    }
    button {
      font: inherit;
      font-size: 1.4rem;
      padding: 0.8rem 0;
      border-radius: 0.6rem;
      border: none;
      background: #24305a;
      color: #eef2ff;
      cursor: pointer;
    }
    button:active {
      background: #34457f;
    }
    .cancel {
      width: 100%;
      font-size: 1rem;
      background: transparent;
      border: 1px solid #3a4775;
    }
  `;
}

customElements.define('pin-pad', PinPad);
