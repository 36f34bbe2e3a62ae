// The unattended screen: the camera, the overlay, and one large line that tells the person at
// the door what is happening. A result fills the screen (open ✓, refused ✗, ask for help), with
// a chime and a short spoken result (door/door-sound.ts); the lockout shows its time left; the
// head-turn challenge shows an arrow, "1 of 2" and its countdown near the camera; the idle
// screen names the door, tells the time, shows small status icons and offers a Call button.
// Every sentence is chosen here by code (door/door-words.ts): no raw error reaches this screen.
import { FrameLink } from '../components/frame-link.js';
import { LitElement, css, html, svg, type TemplateResult } from 'lit';
// Set through the CSSOM, which the page's CSP allows (a style attribute it refuses).
import { styleMap } from 'lit/directives/style-map.js';
import { api } from '../api.js';
import { getLocale, t } from '../i18n/index.js';
import { LocaleController } from '../i18n/locale-controller.js';
import type { CameraState, CameraView } from '../components/camera-view/camera-view.js';
import '../components/camera-view/camera-view.js';
import '../components/pin-pad/pin-pad.js';
import type { DecisionEvent, EngineStatus } from '../../preload/contract/events.js';
import type { DoorFleetNotice } from '../../preload/contract/fleet.js';
import type { ChallengeView, FrameResult, Guidance } from '../../preload/contract/frames.js';
import type { Settings } from '../../preload/contract/settings.js';
import { DEFAULT_SETTINGS } from '../../preload/contract/settings.js';
import {
  faultLine,
  promptLine,
  restLine,
  resultLine,
  type DoorLine,
  type DoorTone,
} from './door/door-words.js';
import { DoorSound } from './door/door-sound.js';

/** How long a welcome stays up: a name is read at a glance. */
const DECISION_SHOW_MS = 4000;
/** A refusal carries a next step in a second line: long enough to read both from a metre away. */
const REFUSAL_SHOW_MS = 7000;
/** How long "Reception has been called" stays up. */
const CALL_SHOW_MS = 8000;
/** Portrait door tablets: the camera fills the screen instead of a band in a black screen. */
const PORTRAIT = '(orientation: portrait)';
/** The large line's data-tone, as the door's tests and styles have always read it. */
const TONE_ATTR: Record<DoorTone, 'info' | 'ok' | 'warn' | 'error'> = {
  info: 'info',
  open: 'ok',
  refused: 'warn',
  rest: 'warn',
  help: 'error',
  fault: 'error',
};
type IconState = 'ok' | 'problem' | 'none';

export class UnlockScreen extends LitElement {
  static override properties = {
    engine: { attribute: false },
    cameraDeviceId: { attribute: false },
    cameraSize: { attribute: false },
    verifyMode: { attribute: false },
    livenessEnabled: { attribute: false },
    screenSettings: { attribute: false },
    doorKind: { attribute: false },
    portrait: { state: true },
    guidance: { state: true },
    decision: { state: true },
    askingCode: { state: true },
    codeNote: { state: true },
    fleet: { state: true },
    cameraState: { state: true },
    lockedUntil: { state: true },
    challenge: { state: true },
    call: { state: true },
    now: { state: true },
  };
  declare engine: EngineStatus | null;
  declare cameraDeviceId: string | null;
  /** The resolution asked of the camera (settings.camera). */
  declare cameraSize: { width: number; height: number };
  /** 1:1 mode: people claim who they are with their code before looking at the camera. */
  declare verifyMode: boolean;
  /** settings.liveness.enabled: with the models missing the door stays shut, and the screen says so. */
  declare livenessEnabled: boolean;
  /** settings.screen: the door's name, the chime's volume, the voice on or off. */
  declare screenSettings: Settings['screen'];
  /** settings.door.kind: 'none' shows the lock icon as absent. */
  declare doorKind: Settings['door']['kind'];
  declare portrait: boolean;
  declare guidance: Guidance | null;
  declare decision: DecisionEvent | null;
  declare askingCode: boolean;
  declare codeNote: string | null;
  /** A fleet door's offline grace (main pushes it); null on a lone kiosk until told otherwise. */
  declare fleet: DoorFleetNotice | null;
  declare cameraState: CameraState;
  /** Date.now() when everyone's lockout ends; 0 when none. */
  declare lockedUntil: number;
  /** The running head-turn challenge, and Date.now() when its step's window ends. */
  declare challenge: (ChallengeView & { endsAt: number }) | null;
  declare call: 'calling' | 'called' | 'failed' | null;
  /** The clock the idle screen and the countdowns show; ticks each second. */
  declare now: number;

  private unsubscribe: (() => void)[] = [];
  private readonly orientation = window.matchMedia(PORTRAIT);
  private readonly onOrientation = () => (this.portrait = this.orientation.matches);
  private decisionTimer = 0;
  private callTimer = 0;
  private clockTimer = 0;
  private readonly sound = new DoorSound();
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
    this.screenSettings = DEFAULT_SETTINGS.screen;
    this.doorKind = 'none';
    this.portrait = window.matchMedia(PORTRAIT).matches;
    this.askingCode = false;
    this.codeNote = null;
    this.fleet = null;
    this.cameraState = 'starting';
    this.lockedUntil = 0;
    this.challenge = null;
    this.call = null;
    this.now = Date.now();
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
    this.tick();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe.forEach((off) => off());
    this.orientation.removeEventListener('change', this.onOrientation);
    clearTimeout(this.decisionTimer);
    clearTimeout(this.callTimer);
    clearTimeout(this.clockTimer);
    this.sound.close();
  }

  /** The clock, on the second (the idle screen's time and the lockout's countdown). */
  private readonly tick = () => {
    this.now = Date.now();
    this.clockTimer = window.setTimeout(this.tick, 1000 - (this.now % 1000) + 5);
  };

  private get camera(): CameraView | null {
    return this.renderRoot.querySelector('camera-view');
  }

  private onResult(result: FrameResult): void {
    // The door decides on the capture context's frames only (main/frames/frame-routing.ts):
    // this screen shows the camera and draws those results; it sends no frames itself.
    this.camera?.showFaces(result.id, result.faces, result.width);
    this.guidance = result.guidance;
    const now = Date.now();
    this.challenge = result.challenge ? { ...result.challenge, endsAt: now + result.challenge.leftMs } : null;
    // After a missed turn main starts the next challenge at once (kiosk/unlock-flow.ts): its
    // arrow replaces the miss, or its window would run out unseen behind the "try again".
    if (this.challenge?.atRest && this.decision?.challengeMiss) {
      clearTimeout(this.decisionTimer);
      this.decision = null;
    }
    if (result.lockedForMs && result.lockedForMs > 0) this.lockedUntil = now + result.lockedForMs;
  }

  /** The camera lost or found: said in the large line, and audited by main (once per change). */
  private onCameraState(state: CameraState): void {
    this.cameraState = state;
    if (state !== 'starting') void api().reportCamera({ state });
  }

  private onDecision(decision: DecisionEvent): void {
    // One attempt, one result: it stays until its time is up or the next attempt replaces it.
    this.decision = decision;
    this.challenge = null;
    this.now = Date.now();
    const everyone = decision.lockedForMs && !decision.challengeMiss ? decision.lockedForMs : 0;
    if (everyone > 0) this.lockedUntil = this.now + everyone;
    clearTimeout(this.decisionTimer);
    const showFor = decision.outcome === 'unlocked' ? DECISION_SHOW_MS : REFUSAL_SHOW_MS;
    this.decisionTimer = window.setTimeout(() => (this.decision = null), showFor);
    const line =
      everyone > 0 ? { ...restLine(everyone), spoken: t('door.tryAgainSpoken') } : this.resultOf(decision);
    const chime = line.tone === 'open' ? 'open' : line.tone === 'help' ? 'help' : 'refused';
    const { volume, voice } = this.screenSettings;
    this.sound.chime(chime, volume);
    if (voice && line.spoken) this.sound.say(line.spoken, getLocale(), volume);
  }

  private resultOf(decision: DecisionEvent): DoorLine {
    return resultLine(decision, this.livenessState() === 'missing');
  }

  /** Liveness as it really is: off, on, or on without its models (then nobody gets in). */
  private livenessState(): 'on' | 'off' | 'missing' | null {
    const engine = this.engine;
    if (engine?.state !== 'ready') return null;
    if (!this.livenessEnabled) return 'off';
    return engine.livenessAvailable ? 'on' : 'missing';
  }

  /** The one large line, in order: a fault of the door, the lockout, a result, a prompt. */
  private doorLine(): DoorLine {
    const fault = faultLine(this.engine, this.cameraState, this.fleet);
    if (fault) return fault;
    const engine = this.engine;
    if (engine?.state === 'downloading')
      return {
        tone: 'info',
        text: t('engine.downloading', { percent: Math.floor((engine.progress ?? 0) * 100) }),
      };
    if (engine?.state === 'loading') return { tone: 'info', text: t('engine.loading') };
    if (this.lockedUntil > this.now) return restLine(this.lockedUntil - this.now);
    if (this.decision) return this.resultOf(this.decision);
    if (this.call === 'called') return { tone: 'info', text: t('door.called') };
    if (this.call === 'failed') return { tone: 'info', text: t('door.callFailed') };
    if (this.challenge && !this.challenge.atRest) return { tone: 'info', text: t('door.lookFirst') };
    return promptLine(this.guidance, this.codeNote);
  }

  /** The Call button: a doorbell over MQTT and the HTTP door, audited (main decides where it goes). */
  private async callReception(): Promise<void> {
    this.call = 'calling';
    const outcome = await api().callReception(undefined);
    this.call = outcome.ok && outcome.value.delivered ? 'called' : 'failed';
    clearTimeout(this.callTimer);
    this.callTimer = window.setTimeout(() => (this.call = null), CALL_SHOW_MS);
  }

  override render() {
    const line = this.doorLine();
    const engine = this.engine;
    const result =
      line.tone === 'open' || line.tone === 'refused' || line.tone === 'help' || line.tone === 'rest';
    const challenge = !result && this.challenge?.atRest ? this.challenge : null;
    return html`
      <camera-view
        .fit=${this.portrait ? 'cover' : 'contain'}
        .showScores=${false}
        .showMessage=${false}
        .showNames=${this.decision?.outcome === 'unlocked' || (!this.decision && !this.challenge)}
        .deviceId=${this.cameraDeviceId}
        .idealWidth=${this.cameraSize.width}
        .idealHeight=${this.cameraSize.height}
        .frameIntervalMs=${0}
        @camera-state=${(e: CustomEvent<{ state: CameraState }>) => this.onCameraState(e.detail.state)}
      ></camera-view>
      ${this.idleBar()} ${challenge ? this.challengePrompt(challenge) : null}
      <div
        ?hidden=${challenge !== null}
        class="status ${result ? 'result' : line.tone === 'fault' ? 'fault' : ''}"
        data-tone=${TONE_ATTR[line.tone]}
        data-result=${line.tone}
        role="status"
        aria-live="polite"
      >
        ${result ? html`<div class="mark" aria-hidden="true">${MARKS[line.tone as keyof typeof MARKS]}</div>` : null}
        <div class="line">${line.text}</div>
        ${line.hint ? html`<div class="hint">${line.hint}</div>` : null}
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
      <div class="badges">${this.fleetBadge()}</div>
    `;
  }

  /** The idle screen's top bar: the door's name, the time and date, status icons, Call. */
  private idleBar(): TemplateResult {
    const locale = getLocale() === 'ja' ? 'ja-JP' : 'en-GB';
    const at = new Date(this.now);
    const time = at.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
    const date = at.toLocaleDateString(locale, { weekday: 'short', day: 'numeric', month: 'short' });
    const fleet = this.fleet;
    const camera: IconState =
      this.cameraState === 'live' ? 'ok' : this.cameraState === 'starting' ? 'none' : 'problem';
    const lock: IconState =
      this.doorKind === 'none' ? 'none' : this.decision?.outcome === 'door_failed' ? 'problem' : 'ok';
    const network: IconState = !fleet?.joined
      ? 'none'
      : fleet.offlineTooLong || fleet.graceWarning
        ? 'problem'
        : 'ok';
    // Liveness is a neutral icon here: whether it is on or off is for the admin screen only.
    const check: IconState = this.livenessState() === 'missing' ? 'problem' : 'none';
    return html`<header class="idle">
      <div class="where">
        ${this.screenSettings.doorName ? html`<div class="door-name">${this.screenSettings.doorName}</div>` : null}
        <div class="clock"><span class="time">${time}</span> <span class="date">${date}</span></div>
      </div>
      <div class="icons">
        ${icon('camera', camera, ICONS.camera)} ${icon('lock', lock, ICONS.lock)}
        ${icon('network', network, ICONS.network)} ${icon('check', check, ICONS.check)}
      </div>
      <button
        class="call"
        data-call=${this.call ?? 'idle'}
        ?disabled=${this.call === 'calling'}
        @click=${() => void this.callReception()}
      >
        ${ICONS.bell}<span>${this.call === 'calling' ? t('door.calling') : t('door.call')}</span>
      </button>
    </header>`;
  }

  /** The head-turn prompt, at the top of the screen by the camera: arrow, "1 of 2", time left. */
  private challengePrompt(c: ChallengeView & { endsAt: number }): TemplateResult {
    const leftMs = Math.max(0, c.endsAt - Date.now());
    // The person's own left is the screen's left: the picture is mirrored like a looking glass.
    return html`<div class="challenge" data-direction=${c.direction} role="status">
      <div class="arrow" aria-hidden="true">${c.direction === 'left' ? ICONS.left : ICONS.right}</div>
      <div class="words">
        <div class="turn">${t(c.direction === 'left' ? 'guidance.turn_left' : 'guidance.turn_right')}</div>
        <div class="step">${t('door.challengeStep', { step: c.step + 1, steps: c.steps })}</div>
        <div class="countdown" style=${styleMap({ '--left': (leftMs / c.windowMs).toFixed(3) })}>
          <span>${(leftMs / 1000).toFixed(1)} s</span>
        </div>
      </div>
    </div>`;
  }

  /** A fleet door near the end of its offline grace warns (past it, the large line says so). */
  private fleetBadge() {
    const fleet = this.fleet;
    if (!fleet?.joined || fleet.offlineTooLong) return null;
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
    svg {
      display: block;
      width: 100%;
      height: 100%;
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
      background: rgba(19, 128, 63, 0.96);
    }
    .status[data-tone='warn'] {
      background: rgba(176, 38, 30, 0.96);
    }
    .status[data-tone='error'] {
      background: rgba(150, 30, 40, 0.96);
    }
    /* A result fills the width and the lower half: ✓ green, ✗ red, ask for help blue, the
       lockout's rest slate; seen from across a corridor, told apart without reading. */
    .status[hidden] {
      display: none;
    }
    .status.result {
      left: 0;
      right: 0;
      bottom: 0;
      width: 100%;
      min-height: 50vh;
      transform: none;
      border-radius: 0;
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      gap: 1.5vmin;
      padding: 3vmin 5vw 5vmin;
      font-size: clamp(1.8rem, 7vmin, 4.4rem);
      font-weight: 700;
    }
    .status[data-result='help'] {
      background: rgba(38, 76, 178, 0.97);
    }
    .status[data-result='rest'] {
      background: rgba(40, 48, 72, 0.97);
    }
    .status.result .hint {
      font-weight: 400;
      font-size: 0.6em;
      max-width: 32em;
    }
    .mark {
      width: 20vmin;
      height: 20vmin;
    }
    /* A fault of the door (camera, models, fleet): the large line itself says it. */
    .status.fault {
      font-size: clamp(1.6rem, 6vmin, 3.8rem);
    }
    .hint {
      /* 0.68 × 5vmin: 27 px on an 800 px side, the next step read from a metre away too. */
      font-size: 0.68em;
      opacity: 0.94;
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
    .code,
    .call {
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
    /* The idle screen's top bar: where, when, how the door is, and a way to call someone. */
    header.idle {
      position: absolute;
      top: 0;
      left: 0;
      right: 0;
      display: flex;
      align-items: center;
      gap: 3vmin;
      padding: 2vmin 3vmin 5vmin;
      color: #fff;
      background: linear-gradient(rgba(5, 8, 18, 0.78), rgba(5, 8, 18, 0));
      pointer-events: none;
    }
    .where {
      flex: 1;
      min-width: 0;
    }
    .door-name {
      margin-bottom: 0.6vmin;
      font-size: clamp(1.1rem, 4vmin, 2.4rem);
      font-weight: 700;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .clock .time {
      font-size: clamp(1.3rem, 5vmin, 3rem);
      font-variant-numeric: tabular-nums;
      font-weight: 700;
    }
    .clock .date {
      font-size: clamp(0.9rem, 2.8vmin, 1.6rem);
      opacity: 0.9;
      margin-left: 0.4em;
    }
    .icons {
      display: flex;
      gap: 1.6vmin;
    }
    .icon {
      width: clamp(24px, 4.4vmin, 40px);
      height: clamp(24px, 4.4vmin, 40px);
      color: #fff;
    }
    .icon[data-state='none'] {
      opacity: 0.45;
    }
    .icon[data-state='problem'] {
      color: #ff6b6b;
    }
    .call {
      pointer-events: auto;
      display: flex;
      align-items: center;
      gap: 0.5em;
      padding: 0.5rem 1.4rem;
      font-size: clamp(1.1rem, 3.4vmin, 2rem);
      font-weight: 700;
    }
    .call svg {
      width: 1.3em;
      height: 1.3em;
    }
    .call[disabled] {
      opacity: 0.7;
    }
    /* The head-turn prompt by the camera (the top of the screen): a big arrow the way to turn,
       "1 of 2", and the time left as a bar that empties. */
    .challenge {
      position: absolute;
      top: max(13vmin, 84px);
      left: 50%;
      transform: translateX(-50%);
      display: flex;
      align-items: center;
      gap: 3vmin;
      padding: 2vmin 4vmin;
      border-radius: 2vmin;
      background: rgba(11, 16, 32, 0.9);
      color: #fff;
      box-shadow: 0 8px 30px rgba(0, 0, 0, 0.4);
    }
    .challenge[data-direction='right'] {
      flex-direction: row-reverse;
    }
    .challenge .arrow {
      width: 18vmin;
      height: 18vmin;
      color: #ffd54a;
    }
    .challenge .turn {
      font-size: clamp(1.4rem, 5.5vmin, 3.4rem);
      font-weight: 700;
    }
    .challenge .step {
      font-size: clamp(1.1rem, 3.8vmin, 2.3rem);
      margin-top: 0.5vmin;
    }
    .challenge .countdown {
      position: relative;
      margin-top: 1.5vmin;
      height: clamp(22px, 4vmin, 40px);
      border-radius: 1vmin;
      background: rgba(255, 255, 255, 0.18);
      overflow: hidden;
      font-size: clamp(0.9rem, 2.8vmin, 1.6rem);
      font-variant-numeric: tabular-nums;
    }
    .challenge .countdown::before {
      content: '';
      position: absolute;
      inset: 0 auto 0 0;
      width: calc(var(--left) * 100%);
      background: #ffd54a;
    }
    .challenge .countdown span {
      position: relative;
      padding-left: 0.6em;
      color: #fff;
      /* Read over the yellow bar and the grey track alike. */
      text-shadow:
        0 0 3px #000,
        0 0 1px #000;
      font-weight: 700;
      line-height: clamp(22px, 4vmin, 40px);
    }
    .badges {
      position: absolute;
      top: max(13vmin, 84px);
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
      padding: 1vmin 2.5vmin;
      border-radius: 0.6rem;
      background: rgba(150, 96, 10, 0.92);
      color: #fff;
      font-size: clamp(1.2rem, 4vmin, 2.4rem);
      text-align: center;
    }
  `;
}

/** Drawn, not typed: the marks and icons need no glyph from any font (both languages alike). */
const glyph = (body: TemplateResult<2>, viewBox = '0 0 24 24') =>
  html`<svg
    viewBox=${viewBox}
    fill="none"
    stroke="currentColor"
    stroke-width="2.4"
    stroke-linecap="round"
    stroke-linejoin="round"
  >
    ${body}
  </svg>`;

const MARKS = {
  open: glyph(
    svg`<circle cx="12" cy="12" r="10.5" stroke-width="1.6" /><path d="M6.5 12.5l3.8 3.8 7.4-8" />`,
  ),
  refused: glyph(
    svg`<circle cx="12" cy="12" r="10.5" stroke-width="1.6" /><path d="M7.8 7.8l8.4 8.4M16.2 7.8l-8.4 8.4" />`,
  ),
  help: glyph(svg`<circle cx="12" cy="12" r="10.5" stroke-width="1.6" /><path d="M12 6.5v7M12 17.3v0.01" />`),
  rest: glyph(svg`<circle cx="12" cy="12" r="10.5" stroke-width="1.6" /><path d="M12 6.5V12l3.8 2.4" />`),
};

const ICONS = {
  camera: glyph(
    svg`<rect x="2.5" y="6.5" width="14" height="11" rx="2" /><path d="M16.5 10.5l5-3v9l-5-3" />`,
  ),
  lock: glyph(
    svg`<rect x="4.5" y="10.5" width="15" height="10" rx="2" /><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3" />`,
  ),
  network: glyph(
    svg`<path d="M2.5 9a14 14 0 0 1 19 0M5.8 12.6a9 9 0 0 1 12.4 0M9.2 16.1a4 4 0 0 1 5.6 0" /><path d="M12 19.3v0.01" />`,
  ),
  check: glyph(
    svg`<path d="M12 2.5l8 3v6c0 5-3.4 8.6-8 10-4.6-1.4-8-5-8-10v-6z" /><circle cx="12" cy="11" r="2.6" />`,
  ),
  bell: glyph(
    svg`<path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.8 2H4.2z" /><path d="M10 21a2.2 2.2 0 0 0 4 0" />`,
  ),
  left: glyph(svg`<path d="M20 12H5M11 5l-7 7 7 7" />`),
  right: glyph(svg`<path d="M4 12h15M13 5l7 7-7 7" />`),
};

const ICON_WORDS = {
  camera: 'door.status.camera',
  lock: 'door.status.lock',
  network: 'door.status.network',
  check: 'door.status.check',
} as const;

/** A status icon: drawn in white when working, red when not, dim when there is none. */
function icon(what: keyof typeof ICON_WORDS, state: IconState, drawing: TemplateResult): TemplateResult {
  const name = t(ICON_WORDS[what]);
  const key =
    state === 'ok' ? 'door.status.ok' : state === 'problem' ? 'door.status.problem' : 'door.status.none';
  const label = t(key, { what: name });
  return html`<span
    class="icon"
    data-icon=${what}
    data-state=${state}
    role="img"
    aria-label=${label}
    title=${label}
    >${drawing}</span
  >`;
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
