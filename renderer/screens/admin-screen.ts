// The admin screen: tabs for people, models, settings, calibration, audit, compare and fleet.
import { LitElement, css, html } from 'lit';
import { api, call } from '../api.js';
import { t, type MessageKey } from '../i18n/index.js';
import { LocaleController } from '../i18n/locale-controller.js';
import './admin/admin-people.js';
import './admin/admin-models.js';
import './admin/admin-settings.js';
import './admin/admin-calibration.js';
import './admin/admin-audit.js';
import './admin/admin-compare.js';
import './admin/admin-fleet.js';
import '../components/pin-pad/pin-pad.js';
import { pinErrorText } from '../components/pin-pad/ask-pin.js';

type Tab = 'people' | 'models' | 'settings' | 'calibration' | 'audit' | 'compare' | 'fleet';
const TABS: Tab[] = ['people', 'models', 'settings', 'calibration', 'audit', 'compare', 'fleet'];

declare global {
  interface HTMLElementTagNameMap {
    'admin-screen': AdminScreen;
  }
  interface GlobalEventHandlersEventMap {
    'admin-close': CustomEvent<void>;
  }
}

export class AdminScreen extends LitElement {
  static override properties = { tab: { state: true }, message: { state: true }, askingPin: { state: true } };
  declare tab: Tab;
  declare message: string | null;
  declare askingPin: boolean;

  constructor() {
    super();
    new LocaleController(this);
    this.tab = 'people';
    this.message = null;
    this.askingPin = false;
  }

  private async close(): Promise<void> {
    await api().adminLogout(undefined);
    this.dispatchEvent(new CustomEvent('admin-close', { bubbles: true, composed: true }));
  }

  private async exitKiosk(pin: string): Promise<void> {
    this.askingPin = false;
    try {
      await call(api().exitKiosk({ pin }));
      this.message = null;
    } catch (error) {
      this.message = pinErrorText(error, 6);
    }
  }

  private panel() {
    switch (this.tab) {
      case 'people':
        return html`<admin-people></admin-people>`;
      case 'models':
        return html`<admin-models></admin-models>`;
      case 'settings':
        return html`<admin-settings></admin-settings>`;
      case 'calibration':
        return html`<admin-calibration></admin-calibration>`;
      case 'audit':
        return html`<admin-audit></admin-audit>`;
      case 'compare':
        return html`<admin-compare></admin-compare>`;
      case 'fleet':
        return html`<admin-fleet></admin-fleet>`;
    }
  }

  override render() {
    return html`
      <header>
        <h1>${t('admin.title')}</h1>
        <nav role="tablist">
          ${TABS.map(
            (tab) =>
              html`<button
                role="tab"
                data-tab=${tab}
                aria-selected=${this.tab === tab}
                @click=${() => (this.tab = tab)}
              >
                ${t(`admin.tab.${tab}` as MessageKey)}
              </button>`,
          )}
        </nav>
        <div class="actions">
          <button class="exit" @click=${() => (this.askingPin = true)}>${t('admin.exitKiosk')}</button>
          <button class="back" @click=${() => this.close()}>${t('admin.back')}</button>
        </div>
      </header>
      ${this.message ? html`<p class="message" role="alert">${this.message}</p>` : null}
      <main role="tabpanel">${this.panel()}</main>
      ${
        this.askingPin
          ? html`<pin-pad
              .prompt=${t('admin.pinPrompt')}
              @pin-submit=${(e: CustomEvent<{ pin: string }>) => this.exitKiosk(e.detail.pin)}
              @pin-cancel=${() => (this.askingPin = false)}
            ></pin-pad>`
          : null
      }
    `;
  }

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      height: 100%;
      background: #0e1428;
      color: #e8ecf8;
    }
    /* The header wraps instead of scrolling: on a narrow (800 px) screen every tab stays in sight. */
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.6rem 1.5rem;
      padding: 0.8rem 1.5rem;
      background: #151c33;
      border-bottom: 1px solid #26305a;
    }
    h1 {
      font-size: 1.3rem;
      margin: 0;
    }
    nav {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem;
      flex: 1 1 auto;
    }
    /* Touched with a finger: at least 44×44 CSS px. */
    button {
      min-width: 44px;
      min-height: 44px;
      font: inherit;
      padding: 0.5rem 0.9rem;
      border-radius: 0.5rem;
      border: 1px solid transparent;
      background: transparent;
      color: inherit;
      cursor: pointer;
      white-space: nowrap;
    }
    nav button[aria-selected='true'] {
      background: #24305a;
      border-color: #3a4775;
    }
    .actions {
      display: flex;
      gap: 0.5rem;
      margin-left: auto;
    }
    .back {
      background: #2a6df4;
    }
    .exit {
      border-color: #3a4775;
    }
    main {
      flex: 1;
      overflow: auto;
      padding: 1.5rem;
    }
    .message {
      margin: 0.5rem 1.5rem 0;
      color: #ff8a80;
    }
    /* Small kiosk screens (1024 px wide and less): tighter; below that the tabs wrap. */
    @media (max-width: 1150px) {
      header {
        gap: 0.8rem;
        padding: 0.6rem 1rem;
      }
      h1 {
        font-size: 1.1rem;
      }
      nav {
        gap: 0.1rem;
      }
      button {
        padding: 0.45rem 0.6rem;
      }
      main {
        padding: 1rem;
      }
    }
  `;
}
customElements.define('admin-screen', AdminScreen);
