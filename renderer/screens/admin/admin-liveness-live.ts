// The live liveness score of the face in front of the camera, so an installer
// can tune the threshold on the site's own camera and light. The face that counts is
// the one main marks (`counts`), as at the door: the renderer never picks its own.
import { FrameLink } from '../../components/frame-link.js';
import { LitElement, css, html, nothing } from 'lit';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { CameraView } from '../../components/camera-view/camera-view.js';
import type { FaceView, FrameResult } from '../../../preload/contract/frames.js';
import { formatScore, panelStyles } from './admin-shared.js';
import '../../components/camera-view/camera-view.js';

/** Recent scores kept for the min/mean/max line: about 3 s at 10 results a second. */
const HISTORY = 30;

export class AdminLivenessLive extends LitElement {
  static override properties = {
    threshold: { type: Number },
    face: { state: true },
    history: { state: true },
  };
  declare threshold: number;
  /** The face that counts in the latest result, or null when there is none. */
  declare face: FaceView | null | undefined;
  declare history: number[];

  private readonly frames = new FrameLink(this, 'ui', (r) => this.onResult(r));

  constructor() {
    super();
    new LocaleController(this);
    this.threshold = 0.5;
    this.face = undefined;
    this.history = [];
  }

  private onResult(r: FrameResult): void {
    this.renderRoot.querySelector<CameraView>('camera-view')?.showFaces(r.id, r.faces);
    this.face = r.faces.find((f) => f.counts) ?? null;
    const score = this.face?.liveness;
    if (score !== undefined) this.history = [...this.history.slice(1 - HISTORY), score];
  }

  override render() {
    const face = this.face;
    const score = face?.liveness;
    const h = this.history;
    const live = score !== undefined && score >= this.threshold;
    return html`<div class="live">
      <camera-view .frameIntervalMs=${120} @camera-frame=${this.frames.send}></camera-view>
      <div class="readout" role="status" aria-live="off">
        <span class="muted">${t('liveness.score')}</span>
        <strong class="score" data-live=${score === undefined ? '' : String(live)}
          >${formatScore(score, 2)}</strong
        >
        <meter min="0" max="1" low=${this.threshold} optimum="1" .value=${score ?? 0}></meter>
        <div>
          ${
            face === undefined
              ? t('enroll.waiting')
              : face === null
                ? t('guidance.no_face')
                : score === undefined
                  ? html`<span class="error">${t('liveness.notRun')}</span>`
                  : live
                    ? html`<span class="ok">${t('liveness.live', { threshold: this.threshold })}</span>`
                    : html`<span class="error">${t('liveness.notLive', { threshold: this.threshold })}</span>`
          }
        </div>
        ${
          h.length > 0
            ? html`<div class="muted stats">
                ${t('liveness.recent', {
                  n: h.length,
                  min: formatScore(Math.min(...h), 2),
                  mean: formatScore(h.reduce((a, b) => a + b, 0) / h.length, 2),
                  max: formatScore(Math.max(...h), 2),
                })}
              </div>`
            : nothing
        }
        <p class="muted hint">${t('liveness.tuneHint')}</p>
      </div>
    </div>`;
  }

  static override styles = [
    panelStyles,
    css`
      .live {
        display: grid;
        grid-template-columns: minmax(0, 360px) 1fr;
        gap: 1rem;
        margin-top: 0.8rem;
        align-items: start;
      }
      camera-view {
        aspect-ratio: 4 / 3;
        border-radius: 0.5rem;
      }
      .readout {
        display: grid;
        gap: 0.4rem;
        justify-items: start;
      }
      .score {
        font-size: 2.6rem;
        font-variant-numeric: tabular-nums;
        line-height: 1;
      }
      .score[data-live='true'] {
        color: #7ee2a8;
      }
      .score[data-live='false'] {
        color: #ff8a80;
      }
      meter {
        width: 100%;
        height: 1.2rem;
      }
      .hint {
        font-size: 0.85rem;
        margin: 0;
      }
      @media (max-width: 800px) {
        .live {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];
}

customElements.define('admin-liveness-live', AdminLivenessLive);

declare global {
  interface HTMLElementTagNameMap {
    'admin-liveness-live': AdminLivenessLive;
  }
}
