// Calibration: the genuine and impostor score distributions of the enrolled
// people, drawn as histograms with the current and suggested thresholds, and
// the false-accept / false-reject curves. The admin picks a target FAR and
// can apply the suggested threshold.
import { LitElement, css, html, nothing } from 'lit';
import { api, call } from '../../api.js';
import { withPinAgain } from '../../components/pin-pad/ask-pin.js';
import { RequestTask } from '../../components/request-task.js';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { Calibration } from '../../../preload/contract/audit.js';
import type { Settings } from '../../../preload/contract/settings.js';
import { errorMessage, formatScore, panelStyles } from './admin-shared.js';
import { drawHistogram, drawRates, formatFar } from './calibration-chart.js';

export const TARGET_FARS = [0.1, 0.01, 0.001, 0.0001] as const;
export class AdminCalibration extends LitElement {
  static override properties = {
    calibration: { state: true },
    settings: { state: true },
    targetFar: { state: true },
    error: { state: true },
    saved: { state: true },
  };
  declare calibration: Calibration | null;
  declare settings: Settings | null;
  declare targetFar: number;
  declare error: string | null;
  declare saved: string | null;

  private readonly resize = new ResizeObserver(() => this.draw());

  constructor() {
    super();
    new LocaleController(this);
    this.calibration = null;
    this.settings = null;
    this.targetFar = 0.001;
    this.error = null;
    this.saved = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
  }

  override firstUpdated(): void {
    this.renderRoot.querySelectorAll('canvas').forEach((canvas) => this.resize.observe(canvas));
  }

  override updated(): void {
    this.draw();
  }

  /**
   * Loading and applying, one request at a time: a new target FAR aborts the load before it, so a
   * late answer for the old target is dropped, never drawn under the new one.
   */
  private readonly requests = new RequestTask(this, (error) => (this.error = errorMessage(error)));

  private async load(): Promise<void> {
    const targetFar = this.targetFar;
    const loaded = await this.requests.run(() =>
      Promise.all([call(api().getCalibration({ targetFar })), call(api().getSettings(undefined))]),
    );
    if (!loaded) return;
    [this.calibration, this.settings] = loaded;
    this.error = null;
  }

  private async apply(threshold: number | null): Promise<void> {
    const s = this.settings;
    if (!s) return;
    const recognition = { ...s.recognition, threshold };
    const settings = await this.requests.run(() =>
      call(withPinAgain((pin) => api().updateSettings(pin ? { recognition, pin } : { recognition }))),
    );
    if (!settings) return;
    this.settings = settings;
    this.saved =
      threshold === null
        ? t('calibration.appliedDefault')
        : t('calibration.applied', { value: formatScore(threshold) });
    await this.load();
  }

  private draw(): void {
    const c = this.calibration;
    const hist = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.hist');
    const rates = this.renderRoot.querySelector<HTMLCanvasElement>('canvas.rates');
    if (!c || !hist || !rates) return;
    const all = [...c.genuine, ...c.impostor, c.current, ...(c.suggested === null ? [] : [c.suggested])];
    // Cosine scores: show at least [-0.2, 1] so pictures stay comparable between packs.
    const lo = Math.min(-0.2, Math.floor(Math.min(...all) * 10) / 10);
    const hi = Math.max(1, Math.ceil(Math.max(...all) * 10) / 10);
    drawHistogram(hist, c, lo, hi);
    drawRates(rates, c, lo, hi);
  }

  /** FRR at a threshold, read off the nearest ROC point. */
  private frrAt(threshold: number): number | null {
    const roc = this.calibration?.roc ?? [];
    if (roc.length === 0) return null;
    return roc.reduce((best, p) =>
      Math.abs(p.threshold - threshold) < Math.abs(best.threshold - threshold) ? p : best,
    ).frr;
  }

  override render() {
    const c = this.calibration;
    const configured = this.settings?.recognition.threshold;
    const suggestedFrr = c?.suggested != null ? this.frrAt(c.suggested) : null;
    return html`
      <div class="row toolbar">
        <h2>${t('calibration.title')}</h2>
        <span class="spacer"></span>
        <label class="row"
          >${t('calibration.targetFar')}
          <select
            name="targetFar"
            @change=${(e: Event) => {
              this.targetFar = Number((e.target as HTMLSelectElement).value);
              void this.load();
            }}
          >
            ${TARGET_FARS.map((far) => html`<option value=${far} ?selected=${far === this.targetFar}>${formatFar(far)}</option>`)}
          </select>
        </label>
        <button name="refresh" ?disabled=${this.requests.pending} @click=${() => this.load()}>
          ${t('audit.refresh')}
        </button>
      </div>
      <p class="muted">${t('calibration.help')}</p>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${this.saved ? html`<p class="notice ok" role="status">${this.saved}</p>` : nothing}
      <div class="summary">
        <div>
          <span class="muted">${t('calibration.recognizer')}</span>
          <strong>${c?.recognizer ?? '—'}</strong>
        </div>
        <div>
          <span class="muted">${t('calibration.current')}</span>
          <strong class="current">${formatScore(c?.current)}</strong>
          ${configured === null ? html`<span class="muted">${t('calibration.recognizerDefault')}</span>` : nothing}
        </div>
        <div>
          <span class="muted">${t('calibration.suggested', { far: formatFar(this.targetFar) })}</span>
          <strong class="suggested">${c?.suggested == null ? '—' : formatScore(c.suggested)}</strong>
          ${suggestedFrr !== null ? html`<span class="muted">${t('calibration.frr', { frr: formatFar(suggestedFrr) })}</span>` : nothing}
        </div>
        <div class="row">
          <button
            class="primary"
            name="apply"
            ?disabled=${c?.suggested == null || this.requests.pending}
            @click=${() => c?.suggested != null && this.apply(c.suggested)}
          >
            ${t('calibration.apply')}
          </button>
          <button
            name="use-default"
            ?disabled=${configured === null || this.requests.pending}
            @click=${() => this.apply(null)}
          >
            ${t('calibration.useDefault')}
          </button>
        </div>
      </div>
      ${
        c
          ? html`<p class="muted pairs" data-have=${c.impostor.length} data-need=${c.pairsNeeded}>
              ${t('calibration.pairs', { have: c.impostor.length, far: formatFar(this.targetFar), need: c.pairsNeeded })}
            </p>`
          : nothing
      }
      ${
        c && c.refusedBelowDefault !== null
          ? html`<p class="notice warn refused" role="status">
              ${t('calibration.refused', {
                have: c.impostor.length,
                value: formatScore(c.refusedBelowDefault),
                default: formatScore(c.defaultThreshold),
                far: formatFar(this.targetFar),
                need: c.pairsNeeded,
              })}
            </p>`
          : c && c.suggested === null
            ? html`<p class="notice">
                ${t('calibration.tooLittle', { genuine: c.genuine.length, impostor: c.impostor.length })}
              </p>`
            : nothing
      }
      <div class="charts">
        <figure>
          <canvas class="hist" aria-label=${t('calibration.histogram')}></canvas>
          <figcaption class="legend">
            <span class="key genuine"></span>${t('calibration.genuine', { n: c?.genuine.length ?? 0 })}
            <span class="key impostor"></span>${t('calibration.impostor', { n: c?.impostor.length ?? 0 })}
            <span class="key current"></span>${t('calibration.currentLine')}
            <span class="key suggested"></span>${t('calibration.suggestedLine')}
          </figcaption>
        </figure>
        <figure>
          <canvas class="rates" aria-label=${t('calibration.rates')}></canvas>
          <figcaption class="legend">
            <span class="key impostor"></span>${t('calibration.farCurve')}
            <span class="key genuine"></span>${t('calibration.frrCurve')}
          </figcaption>
        </figure>
      </div>
    `;
  }

  static override styles = [
    panelStyles,
    css`
      .toolbar h2 {
        margin: 0;
      }
      .spacer {
        flex: 1;
      }
      .summary {
        display: flex;
        flex-wrap: wrap;
        gap: 0.8rem 2rem;
        align-items: center;
        padding: 0.7rem 0.9rem;
        background: #151c33;
        border: 1px solid #26305a;
        border-radius: 0.6rem;
      }
      .summary > div:not(.row) {
        display: grid;
        gap: 0.1rem;
      }
      .summary strong {
        font-size: 1.3rem;
        font-variant-numeric: tabular-nums;
      }
      .suggested {
        color: #4fc3f7;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr));
        gap: 1rem;
        margin-top: 1rem;
      }
      figure {
        margin: 0;
        background: #10172e;
        border: 1px solid #26305a;
        border-radius: 0.6rem;
        padding: 0.5rem;
      }
      canvas {
        display: block;
        width: 100%;
        height: 220px;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.3rem 0.5rem;
        font-size: 0.85rem;
        color: #b8c3e6;
        margin-top: 0.3rem;
      }
      .key {
        display: inline-block;
        width: 0.9rem;
        height: 0.9rem;
        border-radius: 0.2rem;
        margin-left: 0.6rem;
      }
      .key.genuine {
        background: #3ddc84;
      }
      .key.impostor {
        background: #ffb020;
      }
      .key.current {
        background: #ffffff;
      }
      .key.suggested {
        background: #4fc3f7;
      }
    `,
  ];
}

customElements.define('admin-calibration', AdminCalibration);

declare global {
  interface HTMLElementTagNameMap {
    'admin-calibration': AdminCalibration;
  }
}
