// Audit log: every decision the kiosk made and every admin action, newest first as main
// returns them, a page at a time, filtered (decisions / admin actions / faults), and an
// export to CSV through main's save dialog. Codes from main become words in both languages;
// an admin action shows its details with their real values, never as quality gates.
import { LitElement, css, html, nothing } from 'lit';
import { api, call } from '../../api.js';
import { hasMessage, t, type MessageKey } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import { AUDIT_SHOW, type AuditShow, type AuditView } from '../../../preload/contract/audit.js';
import { RequestTask } from '../../components/request-task.js';
import { errorMessage, formatScore, formatTime, panelStyles } from './admin-shared.js';

export const AUDIT_PAGE_SIZE = 25;

/** "face_size:ok blur:fail …" → "5/6 passed" and the failed gates by name; the full list is the cell's title. */
export function gateSummary(gates: string) {
  const entries = gates
    .split(/\s+/)
    .filter((g) => g !== '')
    .map((g) => {
      const colon = g.lastIndexOf(':');
      return { name: g.slice(0, colon), passed: g.slice(colon + 1) === 'ok' };
    });
  if (entries.length === 0) return '—';
  const failed = entries.filter((e) => !e.passed).map((e) => e.name);
  return html`${t('audit.gatesPassed', { passed: entries.length - failed.length, total: entries.length })}
  ${failed.length > 0 ? html`<span class="error">${failed.join(', ')}</span>` : nothing}`;
}

/** The words for a code under `prefix` (audit.action.admin_login → "Admin signed in"), or the code itself. */
const words = (prefix: string, code: string): string => {
  const key = `${prefix}.${code}`;
  return hasMessage(key) ? t(key) : code;
};

/** A decision's reason in words; "not_live:passive" is the reason and the layer that refused. */
export function reasonText(reason: string): string {
  const [code = '', layer] = reason.split(':');
  const text = words('audit.reason', code);
  return layer ? `${text} (${words('audit.layer', layer)})` : text;
}

/** "Refused: not recognised": the result in words, then the reason when there is a word for it. */
export function outcomeText(r: AuditView): string {
  if (r.admin && r.result === 'admin') {
    const action = words('audit.action', r.admin.action);
    return r.admin.ok ? action : `${action}: ${t('audit.failed')}`;
  }
  const result = t(`audit.result.${r.result}` as MessageKey);
  if (r.result === 'unlocked') return result;
  if (r.result === 'door_test') return r.doorState === 'failed' ? `${result}: ${r.reason}` : result;
  const reason = r.reason ? reasonText(r.reason) : '';
  return reason ? `${result}: ${reason}` : result;
}

/** Who or what decided: the door's way of checking, or where an admin acted. */
export function modeText(r: AuditView): string {
  return r.admin ? words('audit.actor', r.admin.actor) : words('audit.mode', r.mode);
}

/** One detail's value in words: yes/no, "0.3 → 0.4" for a setting changed. */
function detailValue(value: string): string {
  if (value === 'true' || value === 'false') return t(value === 'true' ? 'audit.yes' : 'audit.no');
  if (value === 'null') return '—';
  if (value.startsWith('{"from":')) {
    try {
      const change = JSON.parse(value) as { from: unknown; to: unknown };
      const side = (v: unknown) => (v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
      return `${side(change.from)} → ${side(change.to)}`;
    } catch {
      return value;
    }
  }
  return value;
}

/** An admin action's details, each named in words with its whole value. */
export function adminDetails(admin: NonNullable<AuditView['admin']>) {
  if (admin.details.length === 0) return html`<span class="muted">—</span>`;
  return html`<dl class="details">
    ${admin.details.map(
      (d) =>
        html`<div data-detail=${d.name}>
          <dt>${words('audit.detail', d.name)}</dt>
          <dd>${detailValue(d.value)}</dd>
        </div>`,
    )}
  </dl>`;
}

/** What the door did; the `none` door only logs, so it never reads "opened". */
export function doorText(r: AuditView): string {
  switch (r.doorState) {
    case 'opened':
      return t('audit.doorOpened', { kind: r.doorKind ?? '' });
    case 'logged':
      return t('audit.doorLogged');
    case 'failed':
      return t('audit.doorFailed', { kind: r.doorKind ?? '', reason: r.reason });
    default:
      return '';
  }
}

/** Failed door actions (an unlock whose door failed, a failed door test) are shown red. */
const failedDoor = (r: AuditView) => r.doorState === 'failed';

export class AdminAudit extends LitElement {
  static override properties = {
    records: { state: true },
    total: { state: true },
    offset: { state: true },
    exported: { state: true },
    error: { state: true },
    show: { state: true },
  };
  declare records: AuditView[] | null;
  declare total: number;
  declare offset: number;
  /** What the last export did: the path written, or null when the dialog was cancelled. */
  declare exported: { path: string | null } | null;
  declare error: string | null;
  /** The filter: everything, decisions, admin actions or faults. */
  declare show: AuditShow;

  private offDecision: (() => void) | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.records = null;
    this.total = 0;
    this.offset = 0;
    this.exported = null;
    this.error = null;
    this.show = 'all';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A new decision changes the first page; later pages stay put while read.
    this.offDecision = api().on('decision', () => {
      if (this.offset === 0) void this.load(0);
    });
    void this.load(0);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offDecision?.();
  }

  /** Pages load one at a time: a newer page (or a new decision) drops an older page's late answer. */
  private readonly loads = new RequestTask(this, (error) => (this.error = errorMessage(error)));
  /** The export, whose button is disabled while main's save dialog is open. */
  private readonly exports = new RequestTask(this, (error) => (this.error = errorMessage(error)));

  private async load(offset: number, show = this.show): Promise<void> {
    const page = await this.loads.run(() => call(api().listAudit({ offset, limit: AUDIT_PAGE_SIZE, show })));
    if (!page) return;
    this.show = show;
    this.records = page.records;
    this.total = page.total;
    this.offset = offset;
    this.error = null;
  }

  private async exportCsv(): Promise<void> {
    const exported = await this.exports.run(() => call(api().exportAudit(undefined)));
    if (!exported) return;
    this.exported = exported;
    this.error = null;
  }

  override render() {
    const records = this.records;
    const last = Math.min(this.offset + AUDIT_PAGE_SIZE, this.total);
    return html`
      <div class="row toolbar">
        <h2>${t('audit.title')}</h2>
        <span class="spacer"></span>
        <button name="refresh" @click=${() => this.load(this.offset)}>${t('audit.refresh')}</button>
        <button
          class="primary"
          name="export"
          ?disabled=${this.exports.pending}
          @click=${() => this.exportCsv()}
        >
          ${t('audit.export')}
        </button>
      </div>
      ${
        this.exported
          ? html`<p class="notice ${this.exported.path ? 'ok' : ''}" role="status">
              ${this.exported.path ? t('audit.exported', { path: this.exported.path }) : t('audit.exportCancelled')}
            </p>`
          : nothing
      }
      <div class="row filter" role="group" aria-label=${t('audit.show')}>
        ${AUDIT_SHOW.map(
          (show) =>
            html`<button
              name="show-${show}"
              aria-pressed=${this.show === show}
              @click=${() => this.load(0, show)}
            >
              ${t(`audit.show.${show}`)}
            </button>`,
        )}
      </div>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${
        records === null
          ? html`<p class="muted">${t('admin.loading')}</p>`
          : records.length === 0
            ? html`<p class="muted">${t('audit.empty')}</p>`
            : html`<div class="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th>${t('audit.time')}</th>
                        <th>${t('audit.mode')}</th>
                        <th>${t('audit.person')}</th>
                        <th>${t('audit.score')}</th>
                        <th>${t('audit.gates')}</th>
                        <th>${t('audit.liveness')}</th>
                        <th>${t('audit.door')}</th>
                        <th>${t('audit.outcome')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${records.map(
                        (r) =>
                          html`<tr
                            data-outcome=${r.result}
                            data-action=${r.admin?.action ?? ''}
                            data-door=${r.doorState ?? ''}
                            class=${failedDoor(r) ? 'failed' : ''}
                          >
                            <td class="nowrap">${formatTime(r.time)}</td>
                            <td class="mode">${modeText(r)}</td>
                            <td>
                              ${r.person ?? (r.admin ? nothing : html`<span class="muted">${t('audit.unknown')}</span>`)}
                            </td>
                            ${
                              r.admin
                                ? // An admin action's details take the decision's columns; a door test's
                                  // result is its outcome.
                                  html`<td colspan="4">${adminDetails(r.admin)}</td>`
                                : html`<td class="num">${formatScore(r.score)}</td>
                                    <td class="gates" title=${r.gates}>${gateSummary(r.gates)}</td>
                                    <td class="num">${formatScore(r.liveness)}</td>
                                    <td class="door">${doorText(r)}</td>`
                            }
                            <td><span class="outcome" title=${r.outcome}>${outcomeText(r)}</span></td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>
                <div class="row pager">
                  <button
                    name="newer"
                    ?disabled=${this.offset === 0}
                    @click=${() => this.load(Math.max(0, this.offset - AUDIT_PAGE_SIZE))}
                  >
                    ${t('audit.newer')}
                  </button>
                  <span class="muted"
                    >${t('audit.range', { from: this.offset + 1, to: last, total: this.total })}</span
                  >
                  <button
                    name="older"
                    ?disabled=${last >= this.total}
                    @click=${() => this.load(this.offset + AUDIT_PAGE_SIZE)}
                  >
                    ${t('audit.older')}
                  </button>
                </div>`
      }
    `;
  }

  static override styles = [
    panelStyles,
    css`
      .toolbar {
        margin-bottom: 0.6rem;
      }
      .toolbar h2 {
        margin: 0;
      }
      .spacer {
        flex: 1;
      }
      .filter {
        margin-bottom: 0.6rem;
        gap: 0.4rem;
      }
      .filter button[aria-pressed='true'] {
        background: #2a6df4;
        border-color: #2a6df4;
        color: #fff;
      }
      .details {
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 1rem;
        margin: 0;
        font-size: 0.82rem;
        color: #b8c3e6;
      }
      .details div {
        display: flex;
        gap: 0.35rem;
        max-width: 100%;
      }
      .details dt {
        color: #8f9bc2;
      }
      .details dt::after {
        content: ':';
      }
      .details dd {
        margin: 0;
        color: #e8ecf8;
        overflow-wrap: anywhere;
      }
      td {
        font-size: 0.9rem;
      }
      .nowrap,
      .num {
        white-space: nowrap;
        font-variant-numeric: tabular-nums;
      }
      /* Wrapped, not one long line: an admin action's details can be long, and the table must
         fit a 1024 px screen without scrolling sideways. */
      .gates {
        white-space: normal;
      }
      .door {
        min-width: 7rem;
      }
      .gates,
      .door {
        font-size: 0.82rem;
        color: #b8c3e6;
        max-width: 16rem;
        overflow-wrap: anywhere;
      }
      .outcome {
        display: inline-block;
        padding: 0.1rem 0.5rem;
        border-radius: 0.8rem;
        background: #26305a;
      }
      tr[data-outcome='unlocked'] .outcome {
        background: #1f7a4a;
      }
      tr.failed .outcome {
        background: #8c1d2a;
      }
      tr.failed .door {
        color: #ff8a80;
        font-weight: 600;
      }
      tr[data-outcome='refused'] .outcome {
        background: #6a4a0a;
      }
      .pager {
        justify-content: center;
        margin-top: 0.8rem;
        gap: 1rem;
      }
    `,
  ];
}

customElements.define('admin-audit', AdminAudit);

declare global {
  interface HTMLElementTagNameMap {
    'admin-audit': AdminAudit;
  }
}
