// People panel: the enrolled people, with add, rename, PIN, delete, photo
// import, camera enrollment and a one-person recognition test. Confirmations
// are in the page: Electron's sandboxed renderer has no window.confirm.
import { FrameLink } from '../../components/frame-link.js';
import { RequestTask } from '../../components/request-task.js';
import { LitElement, css, html, nothing } from 'lit';
import { api, call } from '../../api.js';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { ImportResult, PersonView, RecognitionTest } from '../../../preload/contract/people.js';
import type { CameraView } from '../../components/camera-view/camera-view.js';
import { errorMessage, formatScore, panelStyles } from './admin-shared.js';
import { confirmWithPin } from '../../components/pin-pad/ask-pin.js';
import '../../components/camera-view/camera-view.js';
import './admin-enroll.js';

/** The inline editor open under one person's row. */
type Editor =
  | { kind: 'rename'; id: string }
  | { kind: 'pin'; id: string }
  | { kind: 'delete'; id: string }
  | { kind: 'import'; id: string; results: ImportResult[] | null }
  | { kind: 'test'; id: string; result: RecognitionTest | null };

const PIN_PATTERN = '\\d{4,12}';

/** A person's code: 4 to 12 digits, as main/admin/pin-hash.ts validatePin checks. */
const codeInput = (name: string, label: string) =>
  html`<input
    name=${name}
    inputmode="numeric"
    pattern=${PIN_PATTERN}
    maxlength="12"
    placeholder=${label}
    aria-label=${label}
  />`;

export class AdminPeople extends LitElement {
  static override properties = {
    people: { state: true },
    editor: { state: true },
    enrolling: { state: true },
    error: { state: true },
  };
  declare people: PersonView[] | null;
  declare editor: Editor | null;
  declare enrolling: PersonView | null;
  declare error: string | null;

  constructor() {
    super();
    new LocaleController(this);
    this.people = null;
    this.editor = null;
    this.enrolling = null;
    this.error = null;
  }

  /** Faces main found, drawn on the recognition test's camera while it is open. */
  private readonly frames = new FrameLink(this, 'ui', (r) =>
    this.renderRoot.querySelector<CameraView>('.test camera-view')?.showFaces(r.id, r.faces),
  );

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    const people = await this.loads.run(() => call(api().listPeople(undefined)));
    if (people) this.people = people;
  }

  /** The panel's requests: one at a time, a newer one or leaving the panel drops the older one's result. */
  private readonly requests = new RequestTask(this, (error) => (this.error = errorMessage(error)));
  /** The list, loaded on its own: an older list never replaces a newer one. */
  private readonly loads = new RequestTask(this, (error) => (this.error = errorMessage(error)));

  /** Runs one request, its buttons disabled meanwhile; a failure is shown, never swallowed. */
  private run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    return this.requests.run(work);
  }

  private field(name: string): HTMLInputElement | null {
    return this.renderRoot.querySelector(`input[name="${name}"]`);
  }

  private async add(event: Event): Promise<void> {
    event.preventDefault();
    const nameInput = this.field('new-name');
    const pinInput = this.field('new-pin');
    if (!nameInput || !pinInput) return;
    const name = nameInput.value.trim();
    const pin = pinInput.value;
    if (!name) return void (this.error = t('people.nameRequired'));
    if (pin && !new RegExp(`^${PIN_PATTERN}$`).test(pin)) return void (this.error = t('people.pinInvalid'));
    const added = await this.run(() => call(api().addPerson(pin ? { name, pin } : { name })));
    if (added) {
      nameInput.value = '';
      pinInput.value = '';
      await this.refresh();
    }
  }

  private async rename(person: PersonView): Promise<void> {
    const name = this.field('rename')?.value.trim() ?? '';
    if (!name) return void (this.error = t('people.nameRequired'));
    if (await this.run(() => call(api().renamePerson({ id: person.id, name })))) {
      this.editor = null;
      await this.refresh();
    }
  }

  private async setPin(person: PersonView, clear: boolean): Promise<void> {
    const pin = clear ? null : (this.field('pin')?.value ?? '');
    if (pin !== null && !new RegExp(`^${PIN_PATTERN}$`).test(pin))
      return void (this.error = t('people.pinInvalid'));
    if (await this.run(() => call(api().setPersonPin({ id: person.id, pin })))) {
      this.editor = null;
      await this.refresh();
    }
  }

  private async deletePerson(person: PersonView): Promise<void> {
    if (await this.run(() => call(api().deletePerson({ id: person.id })))) {
      this.editor = null;
      await this.refresh();
    }
  }

  /** `allowLookalike`: again, keeping the photos the duplicate check flagged (the admin's decision). */
  private async importPhotos(person: PersonView, allowLookalike = false): Promise<void> {
    const results = await this.run(() =>
      call(
        confirmWithPin(t('admin.pinAgain.photos', { name: person.name }), (pin) => {
          // "Choose photos in the dialog" once the PIN is typed, as main opens the file dialog.
          this.editor = { kind: 'import', id: person.id, results: null };
          return api().importPhotos(
            allowLookalike ? { id: person.id, allowLookalike, pin } : { id: person.id, pin },
          );
        }),
      ),
    );
    if (results) {
      this.editor = { kind: 'import', id: person.id, results };
      await this.refresh();
    } else this.editor = null;
  }

  private async testRecognition(person: PersonView): Promise<void> {
    const result = await this.run(() => call(api().testRecognition({ id: person.id })));
    if (result) this.editor = { kind: 'test', id: person.id, result };
  }

  private toggle(editor: Editor): void {
    const same = this.editor?.kind === editor.kind && this.editor.id === editor.id;
    this.editor = same ? null : editor;
    this.error = null;
  }

  private closeEnroll(): void {
    this.enrolling = null;
    void this.refresh();
  }

  override render() {
    if (this.enrolling) {
      return html`<admin-enroll
        .person=${this.enrolling}
        @enroll-close=${() => this.closeEnroll()}
      ></admin-enroll>`;
    }
    const people = this.people;
    return html`
      <form class="add row" @submit=${(e: Event) => this.add(e)}>
        <input
          name="new-name"
          maxlength="80"
          placeholder=${t('people.name')}
          aria-label=${t('people.name')}
        />
        ${codeInput('new-pin', t('people.pinOptional'))}
        <button class="primary" type="submit" ?disabled=${this.requests.pending}>${t('people.add')}</button>
      </form>
      ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
      ${
        people === null
          ? html`<p class="muted">${t('admin.loading')}</p>`
          : people.length === 0
            ? html`<p class="muted">${t('people.empty')}</p>`
            : html`<ul class="people">
                ${people.map((person) => this.renderPerson(person))}
              </ul>`
      }
    `;
  }

  private renderPerson(person: PersonView) {
    const open = this.editor?.id === person.id ? this.editor : null;
    return html`<li data-person=${person.id}>
      <div class="person">
        ${
          person.thumbnail
            ? html`<img class="thumb" src=${person.thumbnail} alt="" />`
            : html`<div class="thumb empty" aria-hidden="true">${person.name.slice(0, 1)}</div>`
        }
        <div class="who">
          <div class="name">${person.name}</div>
          <div class="row meta">
            <span class="muted">${t('people.templates', { count: person.templates })}</span>
            ${person.needsReenrollment ? html`<span class="badge warn">${t('people.needsReenrollment')}</span>` : nothing}
            ${person.templates === 0 ? html`<span class="badge warn">${t('people.notEnrolled')}</span>` : nothing}
            ${person.hasPin ? html`<span class="badge">${t('people.hasPin')}</span>` : nothing}
          </div>
        </div>
        <div class="row actions">
          <button class="primary" @click=${() => (this.enrolling = person)}>
            ${t('people.enrollCamera')}
          </button>
          <button name="import" ?disabled=${this.requests.pending} @click=${() => this.importPhotos(person)}>
            ${t('people.importPhotos')}
          </button>
          <button @click=${() => this.toggle({ kind: 'test', id: person.id, result: null })}>
            ${t('people.test')}
          </button>
          <button @click=${() => this.toggle({ kind: 'rename', id: person.id })}>
            ${t('people.rename')}
          </button>
          <button @click=${() => this.toggle({ kind: 'pin', id: person.id })}>${t('people.pin')}</button>
          <button class="danger" @click=${() => this.toggle({ kind: 'delete', id: person.id })}>
            ${t('people.delete')}
          </button>
        </div>
      </div>
      ${open ? html`<div class="editor">${this.renderEditor(person, open)}</div>` : nothing}
    </li>`;
  }

  private renderEditor(person: PersonView, editor: Editor) {
    switch (editor.kind) {
      case 'rename':
        return html`<form class="row" @submit=${(e: Event) => (e.preventDefault(), this.rename(person))}>
          <input name="rename" maxlength="80" .value=${person.name} aria-label=${t('people.name')} />
          <button class="primary" type="submit" ?disabled=${this.requests.pending}>${t('admin.save')}</button>
          <button type="button" @click=${() => (this.editor = null)}>${t('admin.cancel')}</button>
        </form>`;
      case 'pin':
        return html`<form
          class="row"
          @submit=${(e: Event) => (e.preventDefault(), this.setPin(person, false))}
        >
          ${codeInput('pin', t('people.pinNew'))}
          <button class="primary" type="submit" ?disabled=${this.requests.pending}>
            ${t('people.pinSet')}
          </button>
          ${
            person.hasPin
              ? html`<button
                  type="button"
                  ?disabled=${this.requests.pending}
                  @click=${() => this.setPin(person, true)}
                >
                  ${t('people.pinClear')}
                </button>`
              : nothing
          }
          <button type="button" @click=${() => (this.editor = null)}>${t('admin.cancel')}</button>
          <span class="muted">${t('people.pinHelp')}</span>
        </form>`;
      case 'delete':
        return html`<div class="row confirm" role="alertdialog">
          <span>${t('people.deleteConfirm', { name: person.name, count: person.templates })}</span>
          <button class="danger" ?disabled=${this.requests.pending} @click=${() => this.deletePerson(person)}>
            ${t('people.delete')}
          </button>
          <button @click=${() => (this.editor = null)}>${t('admin.cancel')}</button>
        </div>`;
      case 'import':
        return editor.results === null
          ? html`<p class="muted">${t('people.importWaiting')}</p>`
          : html`<div class="import-results">
              <p>
                ${t('people.importSummary', {
                  ok: editor.results.filter((r) => r.ok).length,
                  total: editor.results.length,
                })}
              </p>
              <ul>
                ${editor.results.map(
                  (r) =>
                    html`<li class=${r.ok ? 'ok' : 'error'}>
                      <span class="file">${r.file}</span>: ${r.ok ? t('people.importOk') : (r.reason ?? '')}
                    </li>`,
                )}
              </ul>
              ${
                editor.results.some((r) => !r.ok && r.lookalike)
                  ? html`<p>${t('people.lookalikeHelp')}</p>
                      <button name="allowLookalike" @click=${() => this.importPhotos(person, true)}>
                        ${t('people.lookalikeKeep')}
                      </button>`
                  : nothing
              }
              <button @click=${() => (this.editor = null)}>${t('admin.close')}</button>
            </div>`;
      case 'test':
        return this.renderTest(person, editor.result);
    }
  }

  /** Main tests the latest camera frame, so the camera runs while this is open. */
  private renderTest(person: PersonView, result: RecognitionTest | null) {
    return html`<div class="test">
      <camera-view .frameIntervalMs=${150} @camera-frame=${this.frames.send}></camera-view>
      <div class="test-side">
        <p>${t('people.testHelp', { name: person.name })}</p>
        <div class="row">
          <button
            class="primary"
            ?disabled=${this.requests.pending}
            @click=${() => this.testRecognition(person)}
          >
            ${t('people.testNow')}
          </button>
          <button @click=${() => (this.editor = null)}>${t('admin.close')}</button>
        </div>
        ${
          result
            ? html`<div class="notice ${result.matched ? 'ok' : 'error'}" data-matched=${result.matched}>
                <strong>${result.matched ? t('people.testMatched') : t('people.testNotMatched')}</strong>
                <div>
                  ${t('people.testScore', { score: formatScore(result.score), threshold: formatScore(result.threshold) })}
                </div>
                ${result.reason ? html`<div class="muted">${result.reason}</div>` : nothing}
              </div>`
            : nothing
        }
      </div>
    </div>`;
  }

  static override styles = [
    panelStyles,
    css`
      .add input[name='new-name'] {
        flex: 1 1 14rem;
      }
      .add input[name='new-pin'] {
        flex: 0 1 17rem;
      }
      ul.people {
        list-style: none;
        margin: 1rem 0 0;
        padding: 0;
        display: grid;
        gap: 0.6rem;
      }
      ul.people > li {
        background: #151c33;
        border: 1px solid #26305a;
        border-radius: 0.6rem;
        padding: 0.7rem 0.9rem;
      }
      .person {
        display: grid;
        grid-template-columns: 56px minmax(10rem, 1fr) auto;
        gap: 0.9rem;
        align-items: center;
      }
      .thumb {
        width: 56px;
        height: 56px;
        border-radius: 0.5rem;
        object-fit: cover;
        background: #26305a;
      }
      .thumb.empty {
        display: grid;
        place-items: center;
        font-size: 1.5rem;
        color: #9fb0e0;
      }
      .name {
        font-size: 1.1rem;
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .meta {
        margin-top: 0.25rem;
        font-size: 0.9rem;
      }
      .actions {
        justify-content: flex-end;
      }
      .actions button {
        font-size: 0.9rem;
        padding: 0.35rem 0.65rem;
      }
      @media (max-width: 1150px) {
        .person {
          grid-template-columns: 56px 1fr;
        }
        .actions {
          grid-column: 1 / -1;
          justify-content: flex-start;
        }
      }
      .editor {
        margin-top: 0.7rem;
        padding-top: 0.7rem;
        border-top: 1px solid #26305a;
      }
      .import-results ul {
        margin: 0.3rem 0 0.6rem;
        padding-left: 1.2rem;
      }
      .file {
        font-family: ui-monospace, monospace;
        overflow-wrap: anywhere;
      }
      .test {
        display: grid;
        grid-template-columns: minmax(0, 360px) 1fr;
        gap: 1rem;
        align-items: start;
      }
      .test camera-view {
        aspect-ratio: 4 / 3;
        border-radius: 0.5rem;
      }
      .test-side p {
        margin-top: 0;
      }
    `,
  ];
}

customElements.define('admin-people', AdminPeople);

declare global {
  interface HTMLElementTagNameMap {
    'admin-people': AdminPeople;
  }
}
