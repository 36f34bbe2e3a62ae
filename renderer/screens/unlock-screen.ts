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
import type { FrameResult, Guidance } from '../../preload/contract/frames.js';

/** How long a decision banner stays up. */
const DECISION_SHOW_MS = 4000;

export class UnlockScreen extends LitElement {
  static override properties = {
    engine: { attribute: false },
    cameraDeviceId: { attribute: false },
    cameraSize: { attribute: false },
    verifyMode: { attribute: false },
    guidance: { state: true },
    decision: { state: true },
    askingCode: { state: true },
    codeNote: { state: true },
  };
  declare engine: EngineStatus | null;
  declare cameraDeviceId: string | null;
  /** The resolution asked of the camera (settings.camera). */
  declare cameraSize: { width: number; height: number };
  /** 1:1 mode: people claim who they are with their code before looking at the camera. */
  declare verifyMode: boolean;
  declare guidance: Guidance | null;
  declare decision: DecisionEvent | null;
  declare askingCode: boolean;
  declare codeNote: string | null;

  private unsubscribe: (() => void)[] = [];
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
    this.askingCode = false;
    this.codeNote = null;
  }

  private async claim(pin: string): Promise<void> {
    this.askingCode = false;
    const outcome = await api().claimIdentity({ pin });
    this.codeNote = outcome.ok
      ? outcome.value.claimed
        ? t('unlock.codeAccepted')
        : t('unlock.codeUnknown')
      : outcome.message;
    clearTimeout(this.decisionTimer);
    this.decisionTimer = window.setTimeout(() => (this.codeNote = null), DECISION_SHOW_MS);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = [api().on('decision', (decision) => this.onDecision(decision))];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe.forEach((off) => off());
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
    this.decisionTimer = window.setTimeout(() => (this.decision = null), DECISION_SHOW_MS);
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
      const text =
        decision.reason === 'not_live'
          ? t('guidance.not_live')
          : decision.reason === 'challenge_failed'
            ? t('unlock.challengeFailed')
            : t('unlock.notRecognised');
      return { text, tone: 'warn' };
    }
    if (this.codeNote) return { text: this.codeNote, tone: 'info' };
    if (this.guidance) return { text: t(`guidance.${this.guidance}` as MessageKey), tone: 'info' };
    return { text: t('unlock.welcome'), tone: 'info' };
  }

  override render() {
    const status = this.statusLine();
    const engine = this.engine;
    return html`
      <camera-view
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
                @click=${() => this.dispatchEvent(new CustomEvent('request-admin', { bubbles: true, composed: true }))}
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
      </div>
      ${
        this.verifyMode && engine?.state === 'ready'
          ? html`<button class="code" @click=${() => (this.askingCode = true)}>
              ${t('unlock.enterCode')}
            </button>`
          : null
      }
      ${
        this.askingCode
          ? html`<pin-pad
              .prompt=${t('unlock.codePrompt')}
              @pin-submit=${(e: CustomEvent<{ pin: string }>) => this.claim(e.detail.pin)}
              @pin-cancel=${() => (this.askingCode = false)}
            ></pin-pad>`
          : null
      }
      ${
        engine?.state === 'ready' && !engine.livenessAvailable
          ? html`<div class="badge">${t('liveness.off')}</div>`
          : null
      }
    `;
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
    .status {
      position: absolute;
      left: 50%;
      bottom: 6vh;
      transform: translateX(-50%);
      min-width: min(80vw, 640px);
      max-width: 90vw;
      padding: 1.1rem 2rem;
      border-radius: 1rem;
      text-align: center;
      background: rgba(11, 16, 32, 0.82);
      color: #f3f6ff;
      font-size: clamp(1.2rem, 3.2vw, 2.2rem);
      box-shadow: 0 8px 30px rgba(0, 0, 0, 0.4);
    }
    .status[data-tone='ok'] {
      background: rgba(22, 120, 70, 0.92);
    }
    .status[data-tone='warn'] {
      background: rgba(150, 96, 10, 0.92);
    }
    .status[data-tone='error'] {
      background: rgba(150, 30, 40, 0.92);
    }
    .hint {
      font-size: 0.55em;
      opacity: 0.85;
      margin-top: 0.4rem;
    }
    progress {
      width: 100%;
      height: 0.8rem;
      margin-top: 0.8rem;
      accent-color: #4fc3f7;
    }
    .setup {
      margin-top: 0.8rem;
      font: inherit;
      font-size: 0.6em;
      padding: 0.5rem 1.4rem;
      border-radius: 0.6rem;
      border: none;
      background: #2a6df4;
      color: #fff;
      cursor: pointer;
    }
    .code {
      position: absolute;
      right: 2rem;
      bottom: 6vh;
      font: inherit;
      font-size: 1.2rem;
      padding: 0.9rem 1.4rem;
      border-radius: 0.8rem;
      border: none;
      background: #2a6df4;
      color: #fff;
    }
    .badge {
      position: absolute;
      top: 1rem;
      right: 1rem;
      padding: 0.4rem 0.8rem;
      border-radius: 0.5rem;
      background: rgba(150, 96, 10, 0.9);
      color: #fff;
      font-size: 0.9rem;
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
  }
}
