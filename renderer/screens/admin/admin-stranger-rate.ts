// How often a stranger is taken for someone at the current threshold and gallery size, and the
// threshold that keeps it at NIST's access-control point (FPIR 0.003), with its cost in refusals
// of enrolled people. Shown in the settings next to the threshold; main computes it
// (recognition/stranger-rate.ts).
import { LitElement, css, html, nothing } from 'lit';
import { api, call } from '../../api.js';
import { RequestTask } from '../../components/request-task.js';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { StrangerRateView } from '../../../preload/contract/audit.js';
import { errorMessage, panelStyles } from './admin-shared.js';

/** NIST's 1:N access-control point (issue 20). */
const TARGET_FPIR = 0.003;

/** 1 / rate to two significant figures, grouped: 3,017 → "3,000". */
export function oneInN(rate: number): string {
  const n = 1 / rate;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  return (Math.round(n / step) * step).toLocaleString('en');
}

export class AdminStrangerRate extends LitElement {
  static override properties = { rate: { state: true }, error: { state: true } };
  declare rate: StrangerRateView | null;
  declare error: string | null;

  static override styles = [
    panelStyles,
    css`
      :host {
        display: block;
        /* The whole width of the settings grid it sits in: a sentence, not a field. */
        grid-column: 1 / -1;
      }
      .warn {
        font-weight: 600;
      }
    `,
  ];

  private readonly requests = new RequestTask(this, (error) => (this.error = errorMessage(error)));

  constructor() {
    super();
    new LocaleController(this);
    this.rate = null;
    this.error = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** Asked again after the threshold or the people change. */
  async load(): Promise<void> {
    const rate = await this.requests.run(() => call(api().getStrangerRate({ targetFpir: TARGET_FPIR })));
    if (!rate) return;
    this.rate = rate;
    this.error = null;
  }

  override render() {
    const r = this.rate;
    if (this.error) return html`<p class="notice error" role="alert">${this.error}</p>`;
    if (!r) return nothing;
    const n = oneInN(r.targetFpir);
    const suggested = r.suggestedThreshold?.toFixed(2);
    return html`
      <section aria-labelledby="stranger-rate-title">
        <h3 id="stranger-rate-title">${t('strangerRate.title')}</h3>
        <p class="estimate">
          ${
            r.fpir === null
              ? t('strangerRate.none')
              : t('strangerRate.estimate', {
                  people: r.people.toLocaleString('en'),
                  n: oneInN(r.fpir),
                  threshold: r.threshold.toFixed(2),
                })
          }
        </p>
        ${
          r.fpir === null
            ? nothing
            : html`<p class="suggested">
                ${
                  suggested === undefined
                    ? t('strangerRate.unreachable', { n })
                    : r.refusalsAtSuggested === null
                      ? t('strangerRate.suggestedNoCost', { n, threshold: suggested })
                      : t('strangerRate.suggested', {
                          n,
                          threshold: suggested,
                          refusals: `${(r.refusalsAtSuggested * 100).toFixed(1)}\u00a0%`,
                        })
                }
              </p>`
        }
        ${r.tooLargeForFaceAlone ? html`<p class="warn" role="status">${t('strangerRate.tooLarge')}</p>` : nothing}
        <p class="muted">${t('strangerRate.how')}</p>
      </section>
    `;
  }
}

customElements.define('admin-stranger-rate', AdminStrangerRate);

declare global {
  interface HTMLElementTagNameMap {
    'admin-stranger-rate': AdminStrangerRate;
  }
}
