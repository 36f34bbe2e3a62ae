// Fleet panel (issue 11): join a fleet (database URL + join token + door name), this door's
// status, and the access groups with their weekly times and members. Requests run through
// @lit/task, so leaving the panel aborts nothing half-done and each state has one place on screen.
//
// Write rights: the door's own login only reads. The panel's changes are signed with the admin key
// the admin opens here for the session (a key file and its passphrase), exactly as
// `tobira fleet groups set --admin-key FILE` does (main/use-cases/fleet-admin.ts explains why): no
// database owner URL or admin key is ever kept by the kiosk.
import { LitElement, css, html, nothing } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { api, call } from '../../api.js';
import { hasMessage, t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type {
  FleetAdminKeyView,
  FleetAuditView,
  FleetGroups,
  FleetGroupView,
  FleetStatusView,
  FleetWindow,
} from '../../../preload/contract/fleet.js';
import { errorCode, errorMessage, formatTime, panelStyles } from './admin-shared.js';
import { confirmWithPin } from '../../components/pin-pad/ask-pin.js';
import { outcomeText } from './admin-audit.js';
import './fleet-backlog.js';

/** Days in the order a week is read (Monday first), as indices of JavaScript's getDay. */
const WEEK = [1, 2, 3, 4, 5, 6, 0];
const HOUR_MS = 3_600_000;
/** Rows per page of the building's audit, as the Audit log tab pages its own. */
const AUDIT_PAGE = 25;

interface AuditQuery {
  offset: number;
  door?: string;
  person?: string;
  since?: string;
  until?: string;
}

/** A datetime-local field's value (the kiosk's local time) as ISO, or nothing when empty. */
const isoOf = (value: string): string | undefined => {
  if (!value) return undefined;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
};

const dayName = (day: number) => t(`fleet.day.${day}` as 'fleet.day.0');

/** Days as runs in week order (Monday first): [1,2,3,4,5,0] → [[1,5],[0,0]], read "Mon–Fri Sun". */
export function dayRuns(days: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  let prev = -2;
  for (const [i, day] of WEEK.entries()) {
    if (!days.includes(day)) continue;
    if (prev === i - 1 && runs.length > 0) runs.at(-1)![1] = day;
    else runs.push([day, day]);
    prev = i;
  }
  return runs;
}

/** A fleet failure in the screen's language, with main's sentence (which names the detail) after it. */
export function fleetErrorText(error: unknown): string {
  const code = errorCode(error);
  const key = `fleet.error.${code ?? ''}`;
  const message = errorMessage(error);
  return hasMessage(key) ? `${t(key)} (${message})` : message;
}

/** The time zones this runtime knows, for the zone field's suggestions. */
const timeZones = (): string[] => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
};

interface Draft {
  id: string | null;
  name: string;
  doors: string;
  timeZone: string;
  windows: FleetWindow[];
  members: Set<string>;
}

const draftOf = (g: FleetGroupView | null, door: string | null): Draft =>
  g
    ? {
        id: g.id,
        name: g.name,
        doors: g.doors.join(', '),
        timeZone: g.timeZone,
        windows: g.windows.map((w) => ({ ...w, days: [...w.days] })),
        members: new Set(g.members),
      }
    : {
        id: null,
        name: '',
        doors: door ?? '*',
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
        windows: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }],
        members: new Set(),
      };

export class AdminFleet extends LitElement {
  static override properties = { draft: { state: true }, note: { state: true }, query: { state: true } };
  /** The building audit's filter and page; the audit task reruns when it changes. */
  declare query: AuditQuery;
  declare draft: Draft | null;
  /** The last change's result in words (saved), or null. */
  declare note: string | null;

  private readonly status = new Task(this, {
    task: async (_args, { signal }) => {
      const status = await call(api().getFleetStatus(undefined));
      signal.throwIfAborted();
      return status;
    },
    args: () => [],
  });

  private readonly join = new Task<[string, string, string], FleetStatusView>(this, {
    task: async ([databaseUrl, token, door]) => {
      const status = await call(
        confirmWithPin(t('admin.pinAgain.fleetJoin', { door }), (pin) =>
          api().joinFleet({ databaseUrl, token, door, pin }),
        ),
      );
      this.status.run().catch(() => undefined);
      this.groups.run().catch(() => undefined);
      this.audit.run().catch(() => undefined);
      return status;
    },
    autoRun: false,
  });

  private readonly adminKey = new Task<[File, string], FleetAdminKeyView>(this, {
    task: async ([file, passphrase]) => {
      const opened = await call(api().openFleetAdminKey({ keyFile: await file.text(), passphrase }));
      this.status.run().catch(() => undefined);
      return opened;
    },
    autoRun: false,
  });

  private readonly groups = new Task(this, {
    task: async (_args, { signal }): Promise<FleetGroups | null> => {
      const status = await call(api().getFleetStatus(undefined));
      if (!status.joined || status.problem) return null;
      const groups = await call(api().listFleetGroups(undefined));
      signal.throwIfAborted();
      return groups;
    },
    args: () => [],
  });

  /** Saves the draft: the group, then its members (a new group's id comes back with the list). */
  private readonly save = new Task<[Draft], FleetGroups>(this, {
    task: async ([draft]) => {
      const before = new Set(this.groups.value?.groups.map((g) => g.id) ?? []);
      const doors = draft.doors
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean);
      // One PIN for the group and its members: the pad asks once, both calls carry it.
      let typed = '';
      let groups = await call(
        confirmWithPin(t('admin.pinAgain.fleetGroup', { group: draft.name.trim() }), (pin) => {
          typed = pin;
          return api().saveFleetGroup({
            id: draft.id,
            name: draft.name.trim(),
            doors,
            timeZone: draft.timeZone.trim(),
            windows: draft.windows,
            pin,
          });
        }),
      );
      const id = draft.id ?? groups.groups.find((g) => !before.has(g.id))?.id;
      if (id)
        groups = await call(api().setFleetGroupMembers({ id, personIds: [...draft.members], pin: typed }));
      this.draft = null;
      this.note = t('fleet.saved');
      this.groups.run().catch(() => undefined);
      return groups;
    },
    autoRun: false,
  });

  private readonly removal = new Task<[string], FleetGroups>(this, {
    task: async ([id]) => {
      const name = this.groups.value?.groups.find((g) => g.id === id)?.name ?? '';
      const groups = await call(
        confirmWithPin(t('admin.pinAgain.fleetRemove', { group: name }), (pin) =>
          api().removeFleetGroup({ id, pin }),
        ),
      );
      this.draft = null;
      this.groups.run().catch(() => undefined);
      return groups;
    },
    autoRun: false,
  });

  constructor() {
    super();
    new LocaleController(this);
    this.draft = null;
    this.note = null;
    this.query = { offset: 0 };
  }

  private readonly audit = new Task(this, {
    task: async ([query], { signal }): Promise<{ records: FleetAuditView[]; total: number } | null> => {
      const status = await call(api().getFleetStatus(undefined));
      if (!status.joined || status.problem) return null;
      const page = await call(api().listFleetAudit({ ...query, limit: AUDIT_PAGE }));
      signal.throwIfAborted();
      return page;
    },
    args: () => [this.query] as const,
  });

  private onFilter(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '').trim();
    const query: AuditQuery = { offset: 0 };
    if (text('door')) query.door = text('door');
    if (text('person')) query.person = text('person');
    const since = isoOf(text('since'));
    const until = isoOf(text('until'));
    if (since) query.since = since;
    if (until) query.until = until;
    this.query = query;
  }

  private renderAudit() {
    return html`
      <h3>${t('fleet.audit')}</h3>
      <p class="muted">${t('fleet.auditHint')}</p>
      <form class="filter row" @submit=${(e: SubmitEvent) => this.onFilter(e)}>
        <label>${t('fleet.auditDoor')} <input name="door" maxlength="64" /></label>
        <label>${t('fleet.auditPerson')} <input name="person" maxlength="200" /></label>
        <label>${t('fleet.since')} <input name="since" type="datetime-local" /></label>
        <label>${t('fleet.until')} <input name="until" type="datetime-local" /></label>
        <button class="primary" type="submit">${t('fleet.show')}</button>
      </form>
      ${this.audit.render({
        error: (e) => html`<p class="notice error">${fleetErrorText(e)}</p>`,
        complete: (page) => (page ? this.renderAuditPage(page) : nothing),
      })}
    `;
  }

  private renderAuditPage(page: { records: FleetAuditView[]; total: number }) {
    const { offset } = this.query;
    if (page.total === 0) return html`<p class="muted">${t('fleet.auditEmpty')}</p>`;
    return html`
      <div class="table-wrap">
        <table class="audit">
          <thead>
            <tr>
              <th>${t('fleet.auditTime')}</th>
              <th>${t('fleet.auditDoor')}</th>
              <th>${t('fleet.auditWho')}</th>
              <th>${t('fleet.auditResult')}</th>
            </tr>
          </thead>
          <tbody>
            ${page.records.map(
              (r) =>
                html`<tr data-result=${r.result} data-reason=${r.reason}>
                  <td>${formatTime(r.time)}</td>
                  <td>${r.doorName}</td>
                  <td>${r.person ?? '—'}</td>
                  <td>${outcomeText(r)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <div class="row pages">
        <button
          ?disabled=${offset === 0}
          @click=${() => (this.query = { ...this.query, offset: Math.max(0, offset - AUDIT_PAGE) })}
        >
          ${t('fleet.newer')}
        </button>
        <span class="muted"
          >${t('fleet.auditRange', {
            from: offset + 1,
            to: offset + page.records.length,
            total: page.total,
          })}</span
        >
        <button
          ?disabled=${offset + AUDIT_PAGE >= page.total}
          @click=${() => (this.query = { ...this.query, offset: offset + AUDIT_PAGE })}
        >
          ${t('fleet.older')}
        </button>
      </div>
    `;
  }

  private onJoin(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const field = (name: string) => String(data.get(name) ?? '');
    void this.join.run([field('databaseUrl'), field('token'), field('door')]);
  }

  private renderJoin() {
    const pending = this.join.status === TaskStatus.PENDING;
    return html`
      <h3>${t('fleet.join')}</h3>
      <p class="muted">${t('fleet.lone')}</p>
      <form class="join" @submit=${(e: SubmitEvent) => this.onJoin(e)}>
        <label
          >${t('fleet.databaseUrl')}
          <input
            name="databaseUrl"
            required
            autocomplete="off"
            spellcheck="false"
            placeholder="postgres://"
          />
          <span class="hint muted">${t('fleet.databaseUrlHint')}</span>
        </label>
        <label
          >${t('fleet.token')}
          <!-- A secret (it opens the templates): masked like a password, never echoed back. -->
          <input name="token" type="password" required spellcheck="false" autocomplete="off" />
          <span class="hint muted">${t('fleet.tokenHint')}</span>
        </label>
        <label
          >${t('fleet.doorName')}
          <input name="door" required maxlength="64" autocomplete="off" />
        </label>
        <div class="row">
          <button class="primary" type="submit" ?disabled=${pending}>
            ${pending ? t('fleet.joining') : t('fleet.joinButton')}
          </button>
        </div>
      </form>
      ${this.join.render({
        error: (e) => html`<p class="notice error" role="alert">${fleetErrorText(e)}</p>`,
        complete: (s) => html`<p class="notice ok">${t('fleet.joined', { door: s.door ?? '' })}</p>`,
      })}
    `;
  }

  private onAdminKey(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const file = data.get('keyFile');
    if (!(file instanceof File) || file.size === 0) return;
    void this.adminKey.run([file, String(data.get('passphrase') ?? '')]);
    form.reset(); // the passphrase leaves the screen at once
  }

  private renderAdminKey(s: FleetStatusView) {
    const pending = this.adminKey.status === TaskStatus.PENDING;
    return html`
      <h3>${t('fleet.adminKey')}</h3>
      ${
        s.adminKey
          ? html`<p class="notice ok" data-field="adminKey">
              ${t('fleet.adminKeySigning', { name: s.adminKey.name })}
            </p>`
          : html`<p class="muted" data-field="adminKey">${t('fleet.adminKeyNone')}</p>
              <p class="muted">${t('fleet.adminKeyHint')}</p>
              <form class="join admin-key" @submit=${(e: SubmitEvent) => this.onAdminKey(e)}>
                <label
                  >${t('fleet.adminKeyFile')}
                  <input name="keyFile" type="file" required />
                </label>
                <label
                  >${t('fleet.adminKeyPassphrase')}
                  <input name="passphrase" type="password" required autocomplete="off" spellcheck="false" />
                </label>
                <div class="row">
                  <button class="primary" type="submit" ?disabled=${pending}>
                    ${pending ? t('fleet.adminKeyOpening') : t('fleet.adminKeyOpen')}
                  </button>
                </div>
              </form>
              ${this.adminKey.render({
                error: (e) => html`<p class="notice error" role="alert">${fleetErrorText(e)}</p>`,
              })}`
      }
    `;
  }

  private renderStatus(s: FleetStatusView) {
    if (s.problem) return html`<p class="notice error">${t('fleet.problem', { message: s.problem })}</p>`;
    const grace = s.graceLeftMs;
    return html`
      <h3>${t('fleet.status')}</h3>
      <dl class="status">
        <dt>${t('fleet.door')}</dt>
        <dd data-field="door">${s.door}</dd>
        <dt>${t('fleet.connection')}</dt>
        <dd>
          <span class="badge ${s.connected ? 'good' : 'warn'}" data-field="connected"
            >${s.connected ? t('fleet.connected') : t('fleet.disconnected')}</span
          >
        </dd>
        <dt>${t('fleet.version')}</dt>
        <dd data-field="version">${s.version}</dd>
        <dt>${t('fleet.lag')}</dt>
        <dd data-field="lag">
          ${s.lagMs < 0 ? t('fleet.never') : t('fleet.lagValue', { seconds: Math.round(s.lagMs / 1000) })}
        </dd>
        <dt>${t('fleet.graceLeft')}</dt>
        <dd>
          ${grace === null ? '—' : t('fleet.graceHours', { hours: Math.max(0, grace / HOUR_MS).toFixed(1) })}
        </dd>
      </dl>
      <fleet-backlog .backlog=${s.backlog}></fleet-backlog>
      ${
        grace !== null && grace < 0
          ? html`<p class="notice error" role="alert">${t('fleet.graceOver')}</p>`
          : s.graceWarning
            ? html`<p class="notice error" role="alert">${t('fleet.graceWarning')}</p>`
            : nothing
      }
    `;
  }

  private windowText(g: FleetGroupView): string {
    if (g.windows.length === 0) return t('fleet.noWindows');
    return g.windows
      .map((w) => {
        const days = dayRuns(w.days)
          .map(([a, b]) => (a === b ? dayName(a) : `${dayName(a)}–${dayName(b)}`))
          .join(' ');
        return `${days} ${w.start}–${w.end}`;
      })
      .join('; ');
  }

  private renderGroups(data: FleetGroups, door: string | null) {
    return html`
      <h3>${t('fleet.groups')}</h3>
      <p class="muted">${t('fleet.groupsHint')}</p>
      ${this.note ? html`<p class="notice ok" role="status">${this.note}</p>` : nothing}
      <div class="table-wrap">
        <table class="groups">
          <thead>
            <tr>
              <th>${t('fleet.groupName')}</th>
              <th>${t('fleet.doors')}</th>
              <th>${t('fleet.windows')}</th>
              <th>${t('fleet.members')}</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            ${data.groups.map(
              (g) =>
                html`<tr data-group=${g.name}>
                  <td>${g.name}</td>
                  <td>${g.doors.includes('*') ? t('fleet.allDoors') : g.doors.join(', ')}</td>
                  <td>${this.windowText(g)} <span class="muted">(${g.timeZone})</span></td>
                  <td>${t('fleet.memberCount', { count: g.members.length })}</td>
                  <td>
                    <button
                      @click=${() => {
                        this.note = null;
                        this.draft = draftOf(g, door);
                      }}
                    >
                      ${t('fleet.edit')}
                    </button>
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <div class="row">
        <button
          class="new-group"
          @click=${() => {
            this.note = null;
            this.draft = draftOf(null, door);
          }}
        >
          ${t('fleet.newGroup')}
        </button>
      </div>
      ${this.draft ? this.renderEditor(this.draft, data) : nothing}
    `;
  }

  /** Replaces the draft (Lit re-renders on a new object). */
  private edit(change: (d: Draft) => void): void {
    if (!this.draft) return;
    const next: Draft = {
      ...this.draft,
      windows: this.draft.windows.map((w) => ({ ...w, days: [...w.days] })),
      members: new Set(this.draft.members),
    };
    change(next);
    this.draft = next;
  }

  private renderEditor(d: Draft, data: FleetGroups) {
    const saving = this.save.status === TaskStatus.PENDING || this.removal.status === TaskStatus.PENDING;
    return html`
      <form
        class="editor"
        @submit=${(e: SubmitEvent) => {
          e.preventDefault();
          void this.save.run([d]);
        }}
      >
        <label
          >${t('fleet.groupName')}
          <input
            name="name"
            required
            maxlength="100"
            .value=${d.name}
            @input=${(e: InputEvent) => this.edit((x) => (x.name = (e.target as HTMLInputElement).value))}
          />
        </label>
        <label
          >${t('fleet.doors')}
          <input
            name="doors"
            required
            .value=${d.doors}
            @input=${(e: InputEvent) => this.edit((x) => (x.doors = (e.target as HTMLInputElement).value))}
          />
          <span class="hint muted">${t('fleet.doorsHint')}</span>
        </label>
        <label
          >${t('fleet.timeZone')}
          <input
            name="timeZone"
            required
            list="fleet-zones"
            .value=${d.timeZone}
            @input=${(e: InputEvent) => this.edit((x) => (x.timeZone = (e.target as HTMLInputElement).value))}
          />
          <datalist id="fleet-zones">${timeZones().map((z) => html`<option value=${z}></option>`)}</datalist>
        </label>
        <fieldset>
          <legend>${t('fleet.windows')}</legend>
          ${d.windows.map((w, i) => this.renderWindow(w, i))}
          <button
            type="button"
            class="add-window"
            @click=${() => this.edit((x) => x.windows.push({ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }))}
          >
            ${t('fleet.addWindow')}
          </button>
        </fieldset>
        <fieldset class="members">
          <legend>${t('fleet.members')}</legend>
          ${data.people.length === 0 ? html`<p class="muted">${t('fleet.noPeople')}</p>` : nothing}
          ${data.people.map(
            (p) =>
              html`<label class="member"
                ><input
                  type="checkbox"
                  data-person=${p.name}
                  .checked=${d.members.has(p.id)}
                  @change=${(e: Event) =>
                    this.edit((x) =>
                      (e.target as HTMLInputElement).checked ? x.members.add(p.id) : x.members.delete(p.id),
                    )}
                />${p.name}</label
              >`,
          )}
        </fieldset>
        <div class="row">
          <button class="primary" type="submit" ?disabled=${saving}>${t('fleet.save')}</button>
          <button type="button" @click=${() => (this.draft = null)}>${t('fleet.cancel')}</button>
          ${
            d.id
              ? html`<button
                  type="button"
                  class="danger"
                  ?disabled=${saving}
                  @click=${() => void this.removal.run([d.id!])}
                >
                  ${t('fleet.delete')}
                </button>`
              : nothing
          }
        </div>
        ${this.save.render({
          error: (e) => html`<p class="notice error" role="alert">${fleetErrorText(e)}</p>`,
        })}
        ${this.removal.render({
          error: (e) => html`<p class="notice error" role="alert">${fleetErrorText(e)}</p>`,
        })}
      </form>
    `;
  }

  private renderWindow(w: FleetWindow, i: number) {
    return html`<div class="window row" data-window=${i}>
      <div class="days" role="group">
        ${WEEK.map(
          (day) =>
            html`<button
              type="button"
              class="day"
              aria-pressed=${w.days.includes(day)}
              @click=${() =>
                this.edit((x) => {
                  const days = x.windows[i]!.days;
                  x.windows[i]!.days = days.includes(day)
                    ? days.filter((v) => v !== day)
                    : [...days, day].sort((a, b) => a - b);
                })}
            >
              ${t(`fleet.day.${day}` as 'fleet.day.0')}
            </button>`,
        )}
      </div>
      <label class="time"
        >${t('fleet.from')}
        <input
          type="time"
          required
          .value=${w.start}
          @change=${(e: Event) => this.edit((x) => (x.windows[i]!.start = (e.target as HTMLInputElement).value))}
      /></label>
      <label class="time"
        >${t('fleet.to')}
        <input
          type="time"
          required
          .value=${w.end === '24:00' ? '23:59' : w.end}
          @change=${(e: Event) => this.edit((x) => (x.windows[i]!.end = (e.target as HTMLInputElement).value))}
      /></label>
      <button type="button" @click=${() => this.edit((x) => x.windows.splice(i, 1))}>
        ${t('fleet.removeWindow')}
      </button>
    </div>`;
  }

  override render() {
    return html`
      <h2>${t('fleet.title')}</h2>
      ${this.status.render({
        pending: () => html`<p class="muted">${t('fleet.loading')}</p>`,
        error: (e) => html`<p class="notice error">${fleetErrorText(e)}</p>`,
        complete: (s) =>
          !s.joined
            ? this.renderJoin()
            : html`${this.renderStatus(s)} ${s.problem ? nothing : this.renderAdminKey(s)}
              ${this.groups.render({
                error: (e) => html`<p class="notice error">${fleetErrorText(e)}</p>`,
                complete: (g) => (g ? this.renderGroups(g, s.door) : nothing),
              })}
              ${s.problem ? nothing : this.renderAudit()}`,
      })}
    `;
  }

  static override styles = [
    panelStyles,
    css`
      form.join,
      form.editor {
        display: grid;
        gap: 0.8rem;
        max-width: 46rem;
      }
      form.editor {
        margin-top: 1rem;
        padding: 1rem;
        border: 1px solid #34406b;
        border-radius: 0.6rem;
      }
      label {
        display: grid;
        gap: 0.3rem;
      }
      .hint {
        font-size: 0.85rem;
      }
      dl.status {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.4rem 1.2rem;
        margin: 0 0 0.8rem;
      }
      dt {
        color: #9fb0e0;
      }
      dd {
        margin: 0;
      }
      fieldset {
        border: 1px solid #34406b;
        border-radius: 0.5rem;
        display: grid;
        gap: 0.6rem;
      }
      .window {
        gap: 0.6rem;
        padding-bottom: 0.6rem;
        border-bottom: 1px solid #26305a;
      }
      .window .days {
        flex-basis: 100%;
      }
      table.groups td:first-child,
      table.groups td:nth-child(2) {
        white-space: nowrap;
      }
      form.filter {
        align-items: end;
      }
      form.filter label {
        min-width: 10rem;
      }
      .table-wrap + .row {
        margin-top: 0.8rem;
      }
      .add-window {
        justify-self: start;
      }
      .days {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
      }
      .day {
        min-width: 44px;
        padding: 0.3rem 0.4rem;
      }
      .day[aria-pressed='true'] {
        background: #2a6df4;
        border-color: #2a6df4;
      }
      label.time {
        display: flex;
        align-items: center;
        gap: 0.4rem;
      }
      .members {
        grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
      }
      label.member {
        display: flex;
        align-items: center;
        gap: 0.5rem;
      }
    `,
  ];
}

customElements.define('admin-fleet', AdminFleet);

declare global {
  interface HTMLElementTagNameMap {
    'admin-fleet': AdminFleet;
  }
}
