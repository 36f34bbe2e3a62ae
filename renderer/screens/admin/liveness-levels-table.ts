// The measured error rates of each liveness level and layer (ISO/IEC 30107-3: APCER per
// attack type, BPCER), as the last benchmark run on the shared samples gave them
// (liveness-levels-data.ts, written by scripts/liveness-table.mjs): the admin picks a level
// knowing what it stops and what it costs.
import { LitElement, css, html } from 'lit';
import { hasMessage, t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import { MEASURED } from './liveness-levels-data.js';

export interface Rate {
  count: number;
  of: number;
  rate: number | null;
}

export interface LivenessLevelsTable {
  rows: {
    row: string;
    apcer: Record<'print' | 'replay' | 'mask' | 'unknown', Rate>;
    bpcer: { cameraStills: Rate; webStills: Rate; footage: Rate };
    seconds: number;
    /** The public clips by the door's judge (levels only). */
    clips?: { bpcer: Rate; gatedOut: Rate; apcerReplay: Rate; within3s: Rate; within8s: Rate } | null;
  }[];
}

/** A row's name in the screen's language: 'layer 1 passive' → liveness.table.row.layer_1_passive. */
const rowName = (row: string): string => {
  const key = `liveness.table.row.${row.replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
  return hasMessage(key) ? t(key) : row;
};

const cell = (r: Rate) =>
  r.rate === null ? '–' : `${Math.round(r.rate * 100)}% (${Number(r.count.toFixed(2))}/${r.of})`;

export class LivenessLevelsTableElement extends LitElement {
  static override styles = css`
    table {
      border-collapse: collapse;
      font-size: 0.9em;
      margin-block: 0.5em;
    }
    th,
    td {
      border: 1px solid color-mix(in srgb, currentColor 25%, transparent);
      padding: 0.3em 0.5em;
      text-align: right;
    }
    th:first-child,
    td:first-child {
      text-align: left;
    }
  `;

  constructor() {
    super();
    new LocaleController(this);
  }

  override render() {
    // The BPCER shown: the live head-turn footage where stills cannot be judged (level high).
    const bpcer = (b: LivenessLevelsTable['rows'][number]['bpcer']) =>
      b.cameraStills.rate === null ? b.footage : b.cameraStills;
    return html`<table>
      <caption>
        ${t('liveness.table.caption')}
      </caption>
      <thead>
        <tr>
          <th>${t('liveness.table.level')}</th>
          <th>${t('liveness.table.print')}</th>
          <th>${t('liveness.table.replay')}</th>
          <th>${t('liveness.table.mask')}</th>
          <th>${t('liveness.table.unknown')}</th>
          <th>${t('liveness.table.bpcer')}</th>
          <th>${t('liveness.table.seconds')}</th>
          <th>${t('liveness.table.clipsRefused')}</th>
          <th>${t('liveness.table.clipsReplay')}</th>
          <th>${t('liveness.table.clipsWithin3s')}</th>
        </tr>
      </thead>
      <tbody>
        ${MEASURED.rows.map(
          (r) =>
            html`<tr>
              <td>${rowName(r.row)}</td>
              <td>${cell(r.apcer.print)}</td>
              <td>${cell(r.apcer.replay)}</td>
              <td>${cell(r.apcer.mask)}</td>
              <td>${cell(r.apcer.unknown)}</td>
              <td>${cell(bpcer(r.bpcer))}</td>
              <td>${r.seconds.toFixed(2)}</td>
              <td>${r.clips ? cell(r.clips.bpcer) : '–'}</td>
              <td>${r.clips ? cell(r.clips.apcerReplay) : '–'}</td>
              <td>${r.clips ? cell(r.clips.within3s) : '–'}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
  }
}

customElements.define('liveness-levels-table', LivenessLevelsTableElement);

declare global {
  interface HTMLElementTagNameMap {
    'liveness-levels-table': LivenessLevelsTableElement;
  }
}
