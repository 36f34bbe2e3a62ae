// The unattended screen: the camera, the overlay, and one line that tells the
// person at the door what is happening.
import { FrameLink } from '../components/frame-link.js';
import { LitElement, css, html } from 'lit';
import { api } from '../api.js';
import { t, type MessageKey } from '../i18n/index.js';
import { LocaleController } from '../i18n/locale-controller.js';
import type { CameraView } from '../components/camera-view/camera-view.js';
import '../components/camera-view/camera-view.js';
import '../components/pin-pad/pin-pad.js';
import type { DecisionEvent, EngineStatus } from '../../preload/contract/events.js';
import type { DoorFleetNotice } from '../../preload/contract/fleet.js';
import type { FrameResult, Guidance } from '../../preload/contract/frames.js';

/** How long a welcome stays up: a name is read at a glance. */
const DECISION_SHOW_MS = 4000;
/** A refusal carries a next step in a second line: long enough to read both from a metre away. */
const REFUSAL_SHOW_MS = 7000;
/** Portrait door tablets: the camera fills the screen instead of a band in a black screen. */
const PORTRAIT = '(orientation: portrait)';

export class UnlockScreen extends LitElement {
  static override properties = {
    engine: { attribute: false },
    cameraDeviceId: { attribute: false },
    cameraSize: { attribute: false },
    verifyMode: { attribute: false },
    livenessEnabled: { attribute: false },
    portrait: { state: true },
    guidance: { state: true },
    decision: { state: true },
    askingCode: { state: true },
    codeNote: { state: true },
    fleet: { state: true },
  };
  declare engine: EngineStatus | null;
  declare cameraDeviceId: string | null;
  /** The resolution asked of the camera (settings.camera). */
  declare cameraSize: { width: number; height: number };
  /** 1:1 mode: people claim who they are with their code before looking at the camera. */
  declare verifyMode: boolean;
  /** settings.liveness.enabled: with the models missing the door stays shut, and the screen says so. */
  declare livenessEnabled: boolean;
  declare portrait: boolean;
  declare guidance: Guidance | null;
  declare decision: DecisionEvent | null;
  declare askingCode: boolean;
  declare codeNote: string | null;
  /** A fleet door's offline grace (main pushes it); null on a lone kiosk until told otherwise. */
  declare fleet: DoorFleetNotice | null;

  private unsubscribe: (() => void)[] = [];
  private readonly orientation = window.matchMedia(PORTRAIT);
  private readonly onOrientation = () => (this.portrait = this.orientation.matches);
  private decisionTimer = 0;
  /** The door's results: the capture context's frames (this screen sends none). */
  protected readonly frames = new FrameLink(this, 'capture', (result) => this.onResult(result));

  constructor() {
    super();
    new LocaleController(this);
    this.engine = null;
    this.cameraDeviceId = null;
    this.cameraSize = { width: 1280, height: 720 };
    this.guidance = null;
    this.decision = null;
    this.verifyMode = false;
    this.livenessEnabled = true;
    this.portrait = window.matchMedia(PORTRAIT).matches;
    this.askingCode = false;
    this.codeNote = null;
    this.fleet = null;
  }

  private async claim(pin: string): Promise<void> {
    this.askingCode = false;
    const outcome = await api().claimIdentity({ pin });
    // The same words after any code, known or not: the screen never tells a passer-by which
    // codes exist (issue 19). A wrong code is still refused, by main, and audited.
    this.codeNote = outcome.ok
      ? t('unlock.codeLook')
      : outcome.code === 'LOCKED_OUT'
        ? t('unlock.codeLocked')
        : outcome.message;
    clearTimeout(this.decisionTimer);
    this.decisionTimer = window.setTimeout(() => (this.codeNote = null), DECISION_SHOW_MS);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = [
      api().on('decision', (decision) => this.onDecision(decision)),
      api().on('fleetStatus', (notice) => (this.fleet = notice)),
    ];
    this.orientation.addEventListener('change', this.onOrientation);
    this.onOrientation();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe.forEach((off) => off());
    this.orientation.removeEventListener('change', this.onOrientation);
    clearTimeout(this.decisionTimer);
  }

  private get camera(): CameraView | null {
    return this.renderRoot.querySelector('camera-view');
  }

  private onResult(result: FrameResult): void {
    // The door decides on the capture context's frames only (main/frames/frame-routing.ts):
    // this screen shows the camera and draws those results; it sends no frames itself.
    this.camera?.showFaces(result.id, result.faces, result.width);
    this.guidance = result.guidance;
  }

  private onDecision(decision: DecisionEvent): void {
    this.decision = decision;
    clearTimeout(this.decisionTimer);
    const showFor = decision.outcome === 'unlocked' ? DECISION_SHOW_MS : REFUSAL_SHOW_MS;
    this.decisionTimer = window.setTimeout(() => (this.decision = null), showFor);
  }

  /** Liveness as it really is: off, on, or on without its models (then nobody gets in). */
  private livenessState(): 'on' | 'off' | 'missing' | null {
    const engine = this.engine;
    if (engine?.state !== 'ready') return null;
    if (!this.livenessEnabled) return 'off';
    return engine.livenessAvailable ? 'on' : 'missing';
  }

  private statusLine(): { text: string; tone: 'info' | 'ok' | 'warn' | 'error'; hint?: string } {
    const engine = this.engine;
    if (engine && engine.state !== 'ready') {
      switch (engine.state) {
        case 'no-models':
          return { text: t('engine.noModels'), tone: 'warn', hint: t('engine.noModelsHint') };
        case 'downloading':
          return {
            text: t('engine.downloading', { percent: Math.floor((engine.progress ?? 0) * 100) }),
            tone: 'info',
          };
        case 'loading':
          return { text: t('engine.loading'), tone: 'info' };
        case 'error':
          return { text: t('engine.error', { message: engine.message ?? '' }), tone: 'error' };
      }
    }
    const decision = this.decision;
    if (decision?.outcome === 'unlocked')
      return { text: t('unlock.welcomeName', { name: decision.personName ?? '' }), tone: 'ok' };
    if (decision?.outcome === 'door_failed')
      return { text: t('unlock.doorFailed', { reason: decision.reason }), tone: 'error' };
    if (decision?.outcome === 'refused') {
      // Liveness refusals name their layer (main/liveness/levels.ts): 'not_live:passive', …
      const reason = decision.reason ?? '';
      if (reason === 'not_live' || reason === 'not_live:passive')
        return this.livenessState() === 'missing'
          ? { text: t('liveness.missing'), tone: 'error', hint: t('liveness.missingHint') }
          : { text: t('guidance.not_live'), tone: 'warn', hint: t('unlock.notLiveNext') };
      if (reason === 'not_live:structure')
        return { text: t('guidance.not_live_structure'), tone: 'warn', hint: t('unlock.notLiveNext') };
      if (reason === 'challenge_failed' || reason === 'not_live:challenge')
        return { text: t('unlock.challengeFailed'), tone: 'warn' };
      // A fleet door's rules (main/fleet/kiosk-fleet.ts), in plain words.
      if (reason === 'not_permitted_now')
        return { text: t('unlock.notPermittedNow'), tone: 'warn', hint: t('unlock.notPermittedNowNext') };
      if (reason === 'offline_too_long')
        return { text: t('unlock.offlineTooLong'), tone: 'error', hint: t('unlock.offlineTooLongNext') };
      if (reason === 'person_disabled')
        return { text: t('unlock.personDisabled'), tone: 'warn', hint: t('unlock.personDisabledNext') };
      return { text: t('unlock.notRecognised'), tone: 'warn', hint: t('unlock.notRecognisedNext') };
    }
    if (this.codeNote) return { text: this.codeNote, tone: 'info' };
    if (this.guidance) return { text: t(`guidance.${this.guidance}` as MessageKey), tone: 'info' };
    return { text: t('unlock.welcome'), tone: 'info' };
  }

  override render() {
    const status = this.statusLine();
    const engine = this.engine;
    const liveness = this.livenessState();
    return html`
      <camera-view
        .fit=${this.portrait ? 'cover' : 'contain'}
        .showScores=${false}
        .showNames=${this.decision?.outcome !== 'refused'}
        .deviceId=${this.cameraDeviceId}
        .idealWidth=${this.cameraSize.width}
        .idealHeight=${this.cameraSize.height}
        .frameIntervalMs=${0}
      ></camera-view>
      <div class="status" data-tone=${status.tone} role="status" aria-live="polite">
        <div class="line">${status.text}</div>
        ${status.hint ? html`<div class="hint">${status.hint}</div>` : null}
        ${
          engine?.state === 'no-models' || engine?.state === 'error'
            ? html`<button
                class="setup"
                @click=${() =>
                  this.dispatchEvent(
                    // No pack yet: the guided first run; a pack that fails to load: the admin screen.
                    new CustomEvent(engine.state === 'no-models' ? 'request-setup' : 'request-admin', {
                      bubbles: true,
                      composed: true,
                    }),
                  )}
              >
                ${t('unlock.setUp')}
              </button>`
            : null
        }
        ${
          engine?.state === 'downloading'
            ? html`<progress max="1" .value=${engine.progress ?? 0}></progress>`
            : null
        }
        ${
          this.verifyMode && engine?.state === 'ready'
            ? html`<button class="code" @click=${() => (this.askingCode = true)}>
                ${t('unlock.enterCode')}
              </button>`
            : null
        }
      </div>
      ${
        this.askingCode
          ? html`<pin-pad
              .prompt=${t('unlock.codePrompt')}
              @pin-submit=${(e: CustomEvent<{ pin: string }>) => this.claim(e.detail.pin)}
              @pin-cancel=${() => (this.askingCode = false)}
            ></pin-pad>`
          : null
      }
      <div class="badges">
        ${
          liveness === 'missing'
            ? html`<div class="badge" data-liveness="missing" role="alert">${t('liveness.missing')}</div>`
            : liveness === 'off'
              ? html`<div class="badge" data-liveness="off">${t('liveness.off')}</div>`
              : null
        }
        ${this.fleetBadge()}
      </div>
    `;
  }

  /** A fleet door near the end of its offline grace warns; past it, says nobody gets in. */
  private fleetBadge() {
    const fleet = this.fleet;
    if (!fleet?.joined) return null;
    if (fleet.offlineTooLong)
      return html`<div class="badge fleet" data-fleet="offline" role="alert">
        ${t('unlock.offlineBadge')}
      </div>`;
    if (!fleet.graceWarning || fleet.graceLeftMs === null) return null;
    // Whole hours, rounded up: "in 1 h" until the last minute.
    const hours = Math.max(1, Math.ceil(fleet.graceLeftMs / 3_600_000));
    return html`<div class="badge fleet" data-fleet="grace" role="status">
      ${t('unlock.graceWarning', { hours })}
    </div>`;
  }

  static override styles = css`
    :host {
      position: relative;
      display: block;
      height: 100%;
    }
    camera-view {
      position: absolute;
      inset: 0;
    }
    /* Read from a metre away: text follows the smaller side of the screen (vmin), so a
       portrait tablet (800×1280) gets the same size as a landscape one (1280×800). */
    .status {
      position: absolute;
      left: 50%;
      bottom: 5vh;
      transform: translateX(-50%);
      box-sizing: border-box;
      width: min(92vw, 900px);
      padding: 2.2vmin 4vmin;
      border-radius: 2vmin;
      text-align: center;
      background: rgba(11, 16, 32, 0.82);
      color: #f3f6ff;
      font-size: clamp(1.4rem, 5vmin, 3.2rem);
      line-height: 1.25;
      box-shadow: 0 8px 30px rgba(0, 0, 0, 0.4);
    }
    /* Lines of even length: no lone last word ("you.") under a full line. */
    .line,
    .hint {
      text-wrap: balance;
    }
    .status[data-tone='ok'] {
      background: rgba(22, 120, 70, 0.94);
    }
    .status[data-tone='warn'] {
      background: rgba(150, 96, 10, 0.94);
    }
    .status[data-tone='error'] {
      background: rgba(150, 30, 40, 0.94);
    }
    .hint {
      /* 0.68 × 5vmin: 27 px on an 800 px side, the next step read from a metre away too. */
      font-size: 0.68em;
      opacity: 0.92;
      margin-top: 0.5rem;
    }
    progress {
      width: 100%;
      height: 1rem;
      margin-top: 0.8rem;
      accent-color: #4fc3f7;
    }
    /* Buttons a finger presses: at least 44×44 CSS px (WCAG 2.5.5). */
    .setup,
    .code {
      min-width: 44px;
      min-height: 56px;
      font: inherit;
      border-radius: 0.8rem;
      border: none;
      background: #2a6df4;
      color: #fff;
      cursor: pointer;
    }
    .setup {
      margin-top: 1rem;
      font-size: 0.75em;
      padding: 0.6rem 2rem;
    }
    .code {
      display: block;
      margin: 1rem auto 0;
      font-size: 0.7em;
      padding: 0.6rem 2rem;
    }
    .badges {
      position: absolute;
      top: 3vmin;
      left: 50%;
      transform: translateX(-50%);
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 1.5vmin;
      width: max-content;
      max-width: 86vw;
    }
    .badge {
      max-width: 80vw;
      padding: 0.5rem 1rem;
      border-radius: 0.6rem;
      background: rgba(150, 96, 10, 0.92);
      color: #fff;
      font-size: clamp(1rem, 2.8vmin, 1.6rem);
      text-align: center;
    }
    /* Read from a metre away, like the status line: sized by the screen's smaller side. */
    .badge.fleet {
      font-size: clamp(1.2rem, 4vmin, 2.4rem);
      padding: 1vmin 2.5vmin;
    }
    .badge[data-fleet='offline'] {
      background: rgba(150, 30, 40, 0.94);
    }
    .badge[data-liveness='missing'] {
      background: rgba(150, 30, 40, 0.94);
    }
  `;
}

customElements.define('unlock-screen', UnlockScreen);

declare global {
  interface HTMLElementTagNameMap {
    'unlock-screen': UnlockScreen;
  }
  interface GlobalEventHandlersEventMap {
    'request-admin': CustomEvent<void>;
    'request-setup': CustomEvent<void>;
  }
}
