// <tobira-app>: the shell. It starts on the unlock screen; the admin screen is
// behind a hidden gesture (hold the top-left corner for 2 s, or Ctrl+Alt+A)
// and the admin PIN. The cursor hides after a while without movement.
import { LitElement, css, html } from 'lit';
import { api, call } from './api.js';
import { setLocale, t } from './i18n/index.js';
import { LocaleController } from './i18n/locale-controller.js';
import type { AppInfo } from '../preload/contract/app.js';
import { DEFAULT_SETTINGS, type Settings } from '../preload/contract/settings.js';
import type { EngineStatus } from '../preload/contract/events.js';
import type { AdminState } from '../preload/contract/admin.js';
import './screens/unlock-screen.js';
import './screens/admin-screen.js';
import './screens/setup-wizard.js';
import './components/pin-pad/pin-pad.js';
import { pinErrorText } from './components/pin-pad/ask-pin.js';

type Screen = 'unlock' | 'pin' | 'admin' | 'setup';
const HOLD_TO_ADMIN_MS = 2000;

export class TobiraApp extends LitElement {
  static override properties = {
    screen: { state: true },
    info: { state: true },
    settings: { state: true },
    engine: { state: true },
    admin: { state: true },
    pinError: { state: true },
    noticeDismissed: { state: true },
  };
  declare screen: Screen;
  declare info: AppInfo | null;
  declare settings: Settings | null;
  declare engine: EngineStatus | null;
  declare admin: AdminState | null;
  declare pinError: string | null;
  declare noticeDismissed: boolean;

  private holdTimer = 0;
  private cursorTimer = 0;
  private offEngine: (() => void) | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.screen = 'unlock';
    this.info = null;
    this.settings = null;
    this.engine = null;
    this.admin = null;
    this.pinError = null;
    this.noticeDismissed = false;
  }

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
    window.addEventListener('pointermove', this.onPointerMove);
    this.offEngine = api().on('engineStatus', (status) => (this.engine = status));
    const [info, settings, engine] = await Promise.all([
      call(api().getAppInfo(undefined)),
      call(api().getSettings(undefined)),
      call(api().getEngineStatus(undefined)),
    ]);
    this.info = info;
    this.settings = settings;
    this.engine = engine;
    setLocale(settings.locale);
    this.onPointerMove();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
    window.removeEventListener('pointermove', this.onPointerMove);
    this.offEngine?.();
  }

  private readonly onKey = (event: KeyboardEvent) => {
    if (event.ctrlKey && event.altKey && event.key.toLowerCase() === 'a') void this.askForAdmin();
  };

  private readonly onPointerMove = () => {
    document.body.classList.remove('cursor-hidden');
    clearTimeout(this.cursorTimer);
    const after = this.settings?.kiosk.hideCursorAfterMs ?? 3000;
    if (after > 0)
      this.cursorTimer = window.setTimeout(() => document.body.classList.add('cursor-hidden'), after);
  };

  private async askForAdmin(): Promise<void> {
    this.admin = await call(api().getAdminState(undefined));
    this.pinError = null;
    this.screen = this.admin.unlocked ? 'admin' : 'pin';
  }

  private async submitPin(pin: string): Promise<void> {
    try {
      this.admin = await call(this.admin?.pinSet ? api().adminLogin({ pin }) : api().setAdminPin({ pin }));
      this.screen = this.admin.unlocked ? 'admin' : 'pin';
    } catch (error) {
      this.pinError = pinErrorText(error, this.admin?.pinMinDigits ?? 6);
    }
  }

  private pinPrompt(): string {
    const admin = this.admin;
    if (!admin || admin.pinSet) return t('admin.pinPrompt');
    // A kiosk in use without a PIN file: the screen may not choose one (main says so too).
    return admin.firstPin ? t('admin.pinSetPrompt', { min: admin.pinMinDigits }) : t('admin.pinOnPc');
  }

  /** Leaving the guided setup: the door screen, with the admin session closed. */
  private async closeSetup(): Promise<void> {
    await api().adminLogout(undefined);
    this.settings = await call(api().getSettings(undefined));
    this.screen = 'unlock';
  }

  override render() {
    const notice = this.info?.settingsNotice;
    return html`
      ${
        this.screen === 'setup'
          ? html`<setup-wizard @setup-close=${() => this.closeSetup()}></setup-wizard>`
          : this.screen === 'admin'
            ? html`<admin-screen
                @admin-close=${() => (this.screen = 'unlock')}
                @settings-changed=${(e: CustomEvent<Settings>) => (this.settings = e.detail)}
              ></admin-screen>`
            : html`<unlock-screen
                @request-admin=${() => void this.askForAdmin()}
                @request-setup=${() => (this.screen = 'setup')}
                .engine=${this.engine}
                .cameraDeviceId=${this.settings?.camera.deviceId ?? null}
                .verifyMode=${this.settings?.recognition.mode === 'verify'}
                .livenessEnabled=${this.settings?.liveness.enabled ?? true}
                .cameraSize=${this.settings?.camera ?? { width: 1280, height: 720 }}
                .screenSettings=${this.settings?.screen ?? DEFAULT_SETTINGS.screen}
                .doorKind=${this.settings?.door.kind ?? 'none'}
              ></unlock-screen>`
      }
      ${
        // The hidden hold-to-admin corner exists only on the unlock screen, so it
        // can never sit over a control of the admin screen or the PIN pad.
        this.screen === 'unlock'
          ? html`<div
              class="corner"
              aria-hidden="true"
              @pointerdown=${() =>
                (this.holdTimer = window.setTimeout(() => void this.askForAdmin(), HOLD_TO_ADMIN_MS))}
              @pointerup=${() => clearTimeout(this.holdTimer)}
              @pointerleave=${() => clearTimeout(this.holdTimer)}
            ></div>`
          : null
      }
      ${
        this.screen === 'pin'
          ? html`<pin-pad
              .prompt=${this.pinPrompt()}
              .confirm=${this.admin?.pinSet === false}
              .minLength=${this.admin?.pinSet === false ? this.admin.pinMinDigits : 1}
              .error=${this.pinError}
              @pin-submit=${(e: CustomEvent<{ pin: string }>) => this.submitPin(e.detail.pin)}
              @pin-cancel=${() => (this.screen = 'unlock')}
            ></pin-pad>`
          : null
      }
      ${
        notice
          ? html`<div class="notice" role="alert">
              ${t('settings.notice', { reason: notice.reason, path: notice.backupPath })}
            </div>`
          : null
      }
    `;
  }

  static override styles = css`
    :host {
      display: block;
      position: fixed;
      inset: 0;
    }
    unlock-screen,
    admin-screen,
    setup-wizard {
      position: absolute;
      inset: 0;
    }
    .corner {
      position: absolute;
      top: 0;
      left: 0;
      width: 80px;
      height: 80px;
      z-index: 5;
    }
    .notice button {
      margin-left: 1rem;
      font: inherit;
      padding: 0.2rem 0.9rem;
      border-radius: 0.4rem;
      border: 1px solid #fff8;
      background: transparent;
      color: inherit;
      cursor: pointer;
    }
    .notice {
      display: flex;
      align-items: center;
      justify-content: space-between;
      position: absolute;
      top: 0;
      left: 0;
      right: 0;
      padding: 0.7rem 1.2rem;
      background: #8a5a00;
      color: #fff;
      z-index: 6;
      font-size: 0.95rem;
    }
  `;
}

customElements.define('tobira-app', TobiraApp);

declare global {
  interface HTMLElementTagNameMap {
    'tobira-app': TobiraApp;
  }
}
