// Calibration: the genuine and impostor score distributions of the enrolled
// people, drawn as histograms with the current and suggested thresholds, and
// the false-accept / false-reject curves. The admin picks a target FAR and
// can apply the suggested threshold.
import { LitElement, css, html, nothing } from 'lit';
import { api, call } from '../../api.js';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { Calibration } from '../../../preload/contract/audit.js';
import type { Settings } from '../../../preload/contract/settings.js';
import { errorMessage, formatScore, panelStyles } from './admin-shared.js';

export const TARGET_FARS = [0.1, 0.01, 0.001, 0.0001] as const;
const BINS = 50;
const COLOURS = {
  genuine: '#3ddc84',
  impostor: '#ffb020',
  current: '#ffffff',
  suggested: '#4fc3f7',
  grid: '#2a3560',
};

/** Counts per bin over [lo, hi); values outside are clamped into the end bins. */
export function histogram(values: readonly number[], lo: number, hi: number, bins = BINS): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (const v of values) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)));
    counts[i]! += 1;
  }
  return counts;
}

function formatFar(far: number): string {
  return `${+(far * 100).toPrecision(2)}%`;
}

export class AdminCalibration extends LitElement {
  static override properties = {
    calibration: { state: true },
    settings: { state: true },
    targetFar: { state: true },
    busy: { state: true },
    error: { state: true },
    saved: { state: true },
  };
  declare calibration: Calibration | null;
  declare settings: Settings | null;
  declare targetFar: number;
  declare busy: boolean;
  declare error: string | null;
  declare saved: string | null;

  private readonly resize = new ResizeObserver(() => this.draw());

  constructor() {
    super();
    new LocaleController(this);
    this.calibration = null;
    this.settings = null;
    this.targetFar = 0.001;
    this.busy = false;
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

  private async load(): Promise<void> {
    this.busy = true;
    try {
      const [calibration, settings] = await Promise.all([
        call(api().getCalibration({ targetFar: this.targetFar })),
        call(api().getSettings(undefined)),
      ]);
      this.calibration = calibration;
      this.settings = settings;
      this.error = null;
    } catch (error) {
      this.error = errorMessage(error);
    } finally {
      this.busy = false;
    }
  }

  private async apply(threshold: number | null): Promise<void> {
    const s = this.settings;
    if (!s) return;
    try {
      this.settings = await call(api().updateSettings({ recognition: { ...s.recognition, threshold } }));
      this.saved =
        threshold === null
          ? t('calibration.appliedDefault')
          : t('calibration.applied', { value: formatScore(threshold) });
      await this.load();
    } catch (error) {
      this.error = errorMessage(error);
    }
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
    this.drawHistogram(hist, c, lo, hi);
    this.drawRates(rates, c, lo, hi);
  }

  private prepare(canvas: HTMLCanvasElement) {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * dpr);
    const h = Math.round(canvas.clientHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h });
    const ctx = canvas.getContext('2d');
    if (!ctx || w === 0 || h === 0) return null;
    ctx.clearRect(0, 0, w, h);
    const pad = { l: 40 * dpr, r: 10 * dpr, t: 10 * dpr, b: 26 * dpr };
    return { ctx, w, h, dpr, pad, plotW: w - pad.l - pad.r, plotH: h - pad.t - pad.b };
  }

  private axis(
    p: NonNullable<ReturnType<AdminCalibration['prepare']>>,
    lo: number,
    hi: number,
  ): (v: number) => number {
    const { ctx, dpr, pad, plotW, plotH } = p;
    const x = (v: number) => pad.l + ((v - lo) / (hi - lo)) * plotW;
    ctx.strokeStyle = COLOURS.grid;
    ctx.fillStyle = '#9aa6c8';
    ctx.lineWidth = dpr;
    ctx.font = `${11 * dpr}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    for (let v = Math.ceil(lo * 5) / 5; v <= hi + 1e-9; v += 0.2) {
      ctx.beginPath();
      ctx.moveTo(x(v), pad.t);
      ctx.lineTo(x(v), pad.t + plotH);
      ctx.stroke();
      ctx.fillText(v.toFixed(1), x(v), pad.t + plotH + 16 * dpr);
    }
    return x;
  }

  private marker(
    p: NonNullable<ReturnType<AdminCalibration['prepare']>>,
    x: number,
    colour: string,
    dashed: boolean,
  ): void {
    const { ctx, dpr, pad, plotH } = p;
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2 * dpr;
    if (dashed) ctx.setLineDash([6 * dpr, 4 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, pad.t);
    ctx.lineTo(x, pad.t + plotH);
    ctx.stroke();
    ctx.restore();
  }

  private drawHistogram(canvas: HTMLCanvasElement, c: Calibration, lo: number, hi: number): void {
    const p = this.prepare(canvas);
    if (!p) return;
    const { ctx, pad, plotW, plotH } = p;
    const x = this.axis(p, lo, hi);
    const binW = plotW / BINS;
    // Each distribution is scaled to its own peak: impostor pairs far outnumber genuine ones.
    for (const [values, colour] of [
      [c.impostor, COLOURS.impostor],
      [c.genuine, COLOURS.genuine],
    ] as const) {
      const counts = histogram(values, lo, hi);
      const peak = Math.max(1, ...counts);
      ctx.fillStyle = colour;
      ctx.globalAlpha = 0.6;
      counts.forEach((n, i) => {
        const h = (n / peak) * plotH;
        ctx.fillRect(pad.l + i * binW, pad.t + plotH - h, Math.max(1, binW - 1), h);
      });
      ctx.globalAlpha = 1;
    }
    this.marker(p, x(c.current), COLOURS.current, false);
    if (c.suggested !== null) this.marker(p, x(c.suggested), COLOURS.suggested, true);
  }

  /** FAR and FRR against the threshold; the FAR axis is logarithmic, down to the target. */
  private drawRates(canvas: HTMLCanvasElement, c: Calibration, lo: number, hi: number): void {
    const p = this.prepare(canvas);
    if (!p || c.roc.length === 0) return;
    const { ctx, dpr, pad, plotH } = p;
    const x = this.axis(p, lo, hi);
    const floor = Math.min(1e-4, c.targetFar);
    const y = (rate: number) =>
      pad.t + plotH * (1 - (Math.log10(Math.max(rate, floor)) - Math.log10(floor)) / -Math.log10(floor));
    ctx.fillStyle = '#9aa6c8';
    ctx.textAlign = 'right';
    for (let e = 0; e >= Math.log10(floor); e--) {
      // Kept clear of the x axis's labels below the plot.
      ctx.fillText(
        formatFar(10 ** e),
        pad.l - 4 * dpr,
        Math.min(y(10 ** e) + 4 * dpr, pad.t + plotH - 2 * dpr),
      );
    }
    const sorted = [...c.roc].sort((a, b) => a.threshold - b.threshold);
    for (const [key, colour] of [
      ['far', COLOURS.impostor],
      ['frr', COLOURS.genuine],
    ] as const) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2 * dpr;
      ctx.beginPath();
      sorted.forEach((point, i) =>
        (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, x(point.threshold), y(point[key])),
      );
      ctx.stroke();
    }
    this.marker(p, x(c.current), COLOURS.current, false);
    if (c.suggested !== null) this.marker(p, x(c.suggested), COLOURS.suggested, true);
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
        <button ?disabled=${this.busy} @click=${() => this.load()}>${t('audit.refresh')}</button>
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
            ?disabled=${c?.suggested == null || this.busy}
            @click=${() => c?.suggested != null && this.apply(c.suggested)}
          >
            ${t('calibration.apply')}
          </button>
          <button
            name="use-default"
            ?disabled=${configured === null || this.busy}
            @click=${() => this.apply(null)}
          >
            ${t('calibration.useDefault')}
          </button>
        </div>
      </div>
      ${
        c && c.suggested === null
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
