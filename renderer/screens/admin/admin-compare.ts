// Compare: the seed's sample program in the UI. Two faces, from two camera
// frames a second apart or from two photos, shown with their boxes, their
// cosine similarity, and same/different at the current threshold. The camera
// runs while this panel is open so main has frames to take.
import { FrameLink } from '../../components/frame-link.js';
import { LitElement, css, html, nothing, svg } from 'lit';
import { api, call } from '../../api.js';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { CameraView } from '../../components/camera-view/camera-view.js';
import type { CompareFace, CompareResult } from '../../../preload/contract/audit.js';
import { errorMessage, formatScore, panelStyles } from './admin-shared.js';
import '../../components/camera-view/camera-view.js';

type Source = 'camera' | 'photos';

export class AdminCompare extends LitElement {
  static override properties = {
    result: { state: true },
    running: { state: true },
    error: { state: true },
  };
  declare result: CompareResult | null;
  declare running: Source | null;
  declare error: string | null;

  private readonly frames = new FrameLink(this, 'ui', (r) =>
    this.renderRoot.querySelector<CameraView>('camera-view')?.showFaces(r.id, r.faces),
  );

  constructor() {
    super();
    new LocaleController(this);
    this.result = null;
    this.running = null;
    this.error = null;
  }

  private async compare(source: Source): Promise<void> {
    this.running = source;
    this.error = null;
    try {
      this.result = await call(api().compare({ source }));
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.running = null;
    }
  }

  override render() {
    const r = this.result;
    return html`
      <div class="row toolbar">
        <h2>${t('compare.title')}</h2>
      </div>
      <div class="top">
        <camera-view .frameIntervalMs=${150} @camera-frame=${this.frames.send}></camera-view>
        <div class="controls">
          <p class="muted">${t('compare.help')}</p>
          <button
            class="primary"
            name="camera"
            ?disabled=${this.running !== null}
            @click=${() => this.compare('camera')}
          >
            ${this.running === 'camera' ? t('compare.capturing') : t('compare.camera')}
          </button>
          <button name="photos" ?disabled=${this.running !== null} @click=${() => this.compare('photos')}>
            ${t('compare.photos')}
          </button>
          ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
          ${r ? this.renderVerdict(r) : nothing}
        </div>
      </div>
      ${r ? html`<div class="faces">${this.renderFace(r.a, 'A')} ${this.renderFace(r.b, 'B')}</div>` : nothing}
    `;
  }

  private renderVerdict(r: CompareResult) {
    const tone = r.same === null ? '' : r.same ? 'ok' : 'error';
    return html`<div class="notice verdict ${tone}" data-same=${String(r.same)}>
      <div class="similarity">
        <span class="muted">${t('compare.similarity')}</span>
        <strong>${formatScore(r.similarity)}</strong>
      </div>
      <div>
        ${r.same === null ? t('compare.undecided') : r.same ? t('compare.same') : t('compare.different')}
        <span class="muted">${t('compare.atThreshold', { threshold: formatScore(r.threshold) })}</span>
      </div>
      ${r.reason ? html`<div class="muted">${r.reason}</div>` : nothing}
    </div>`;
  }

  private renderFace(face: CompareFace | null, label: string) {
    if (!face)
      return html`<figure class="empty"><figcaption>${label}: ${t('compare.noFace')}</figcaption></figure>`;
    const [x1, y1, x2, y2] = face.bbox;
    return html`<figure>
      <div class="shot">
        <img src=${face.image} alt=${label} />
        <svg viewBox="0 0 ${face.width} ${face.height}" preserveAspectRatio="none" aria-hidden="true">
          ${svg`<rect x=${x1} y=${y1} width=${x2 - x1} height=${y2 - y1} vector-effect="non-scaling-stroke"></rect>`}
        </svg>
      </div>
      <figcaption>${label}</figcaption>
    </figure>`;
  }

  static override styles = [
    panelStyles,
    css`
      .toolbar h2 {
        margin: 0 0 0.6rem;
      }
      .top {
        display: grid;
        grid-template-columns: minmax(0, 420px) minmax(16rem, 1fr);
        gap: 1.2rem;
        align-items: start;
      }
      camera-view {
        aspect-ratio: 4 / 3;
        border-radius: 0.6rem;
      }
      .controls {
        display: grid;
        gap: 0.6rem;
        justify-items: start;
      }
      .controls p {
        margin: 0;
      }
      .similarity strong {
        font-size: 1.8rem;
        font-variant-numeric: tabular-nums;
        margin-left: 0.5rem;
      }
      .verdict {
        font-size: 1.1rem;
        justify-self: stretch;
      }
      .faces {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 1rem;
        margin-top: 1rem;
      }
      figure {
        margin: 0;
      }
      figure.empty {
        display: grid;
        place-items: center;
        min-height: 8rem;
        border: 1px dashed #3a4775;
        border-radius: 0.5rem;
      }
      figure:not(.empty) {
        text-align: center;
      }
      /* Wraps the image exactly, so the box overlay lines up with its pixels. */
      .shot {
        position: relative;
        display: inline-block;
        line-height: 0;
      }
      .shot img {
        display: block;
        max-width: 100%;
        max-height: 38vh;
        border-radius: 0.5rem;
      }
      .shot svg {
        position: absolute;
        inset: 0;
        width: 100%;
        height: 100%;
      }
      rect {
        fill: none;
        stroke: #3ddc84;
        stroke-width: 3;
      }
      figcaption {
        text-align: center;
        margin-top: 0.3rem;
        color: #b8c3e6;
      }
      @media (max-width: 900px) {
        .top {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];
}

customElements.define('admin-compare', AdminCompare);

declare global {
  interface HTMLElementTagNameMap {
    'admin-compare': AdminCompare;
  }
}
