// First run as a guided path: admin PIN (typed twice) → licence → download (the face
// pack and the liveness add-on together) → enroll the first person → your lock (none, a
// relay or program from doors.json, or an HTTPS webhook, with a Test) → test at the door.
// The language can be chosen on every step, the PIN pad included.
// The step is worked out from main's state each time the wizard opens, so leaving it
// (or a restart) resumes at the first step not done.
import { LitElement, css, html, nothing } from 'lit';
import { api, call } from '../api.js';
import { getLocale, setLocale, t, type Locale, type MessageKey } from '../i18n/index.js';
import { LocaleController } from '../i18n/locale-controller.js';
import type { AdminState } from '../../preload/contract/admin.js';
import type { EngineStatus } from '../../preload/contract/events.js';
import type { PackView } from '../../preload/contract/packs.js';
import type { PersonView } from '../../preload/contract/people.js';
import type { Settings } from '../../preload/contract/settings.js';
import { RequestTask } from '../components/request-task.js';
import { errorMessage, formatBytes, panelStyles } from './admin/admin-shared.js';
import './admin/admin-enroll.js';
import './admin/admin-door.js';
import { licenceText } from './admin/licence-text.js';
import { setupTodo } from './admin/default-packs.js';
import '../components/pin-pad/pin-pad.js';
import { confirmWithPin, pinErrorText } from '../components/pin-pad/ask-pin.js';

export type SetupStep = 'pin' | 'licence' | 'download' | 'enroll' | 'lock' | 'test';
export const SETUP_STEPS: readonly SetupStep[] = ['pin', 'licence', 'download', 'enroll', 'lock', 'test'];
/** The languages offered on every step, each named in itself. */
const LANGUAGES: readonly { locale: Locale; name: string }[] = [
  { locale: 'en', name: 'English' },
  { locale: 'ja', name: '日本語' },
];
/** Main's PIN policy (getAdminState's pinMinDigits, 6 by default), checked here first so the pad answers in words. */
const pinRule = (minDigits: number): RegExp => new RegExp(`^\\d{${minDigits},12}$`);

declare global {
  interface HTMLElementTagNameMap {
    'setup-wizard': SetupWizard;
  }
  interface GlobalEventHandlersEventMap {
    /** Leave the wizard: `test` when the last step sends the admin to the door. */
    'setup-close': CustomEvent<{ test: boolean }>;
  }
}

export class SetupWizard extends LitElement {
  static override properties = {
    step: { state: true },
    admin: { state: true },
    packs: { state: true },
    people: { state: true },
    engine: { state: true },
    firstPin: { state: true },
    pinError: { state: true },
    enrolling: { state: true },
    error: { state: true },
    settings: { state: true },
    lockChosen: { state: true },
  };
  declare step: SetupStep | null;
  declare admin: AdminState | null;
  declare packs: PackView[];
  declare people: PersonView[];
  declare engine: EngineStatus | null;
  /** The PIN typed the first time, until it is typed again. */
  declare firstPin: string | null;
  declare pinError: string | null;
  declare enrolling: PersonView | null;
  declare error: string | null;
  declare settings: Settings | null;
  /**
   * "Next" was pressed on the lock step in this visit. A lock other than `none` in the
   * settings counts as chosen too, so a restart resumes after it; `none` asks again.
   */
  declare lockChosen: boolean;

  private offEngine: (() => void) | null = null;

  constructor() {
    super();
    new LocaleController(this);
    this.step = null;
    this.admin = null;
    this.packs = [];
    this.people = [];
    this.engine = null;
    this.firstPin = null;
    this.pinError = null;
    this.enrolling = null;
    this.error = null;
    this.settings = null;
    this.lockChosen = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.offEngine = api().on('engineStatus', (status) => (this.engine = status));
    void this.resume();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offEngine?.();
  }

  /** Main's state, read afresh: an older read never replaces a newer one. */
  private readonly loads = new RequestTask(this, (error) => (this.error = errorMessage(error)));
  /** A step's request (licence, download, first person): its button is disabled meanwhile. */
  private readonly requests = new RequestTask(this, (error) => (this.error = errorMessage(error)));

  /** Works out the first step not done from main's state. */
  private async resume(): Promise<void> {
    const state = await this.loads.run(async () => {
      const admin = await call(api().getAdminState(undefined));
      const engine = await call(api().getEngineStatus(undefined));
      let settings = await call(api().getSettings(undefined));
      if (!admin.unlocked) return { admin, engine, settings, lists: null };
      // A language chosen before the PIN existed is saved as soon as it can be.
      if (settings.locale !== getLocale())
        settings = await call(api().updateSettings({ locale: getLocale() }));
      const [list, people] = await Promise.all([
        call(api().listPacks(undefined)),
        call(api().listPeople(undefined)),
      ]);
      return { admin, engine, settings, lists: { packs: list.packs, people } };
    });
    if (!state) return;
    this.admin = state.admin;
    this.engine = state.engine;
    this.settings = state.settings;
    if (!state.lists) {
      this.step = 'pin';
      return;
    }
    const { packs, people } = state.lists;
    this.packs = packs;
    this.people = people;
    const todo = setupTodo(packs);
    if (todo.some((p) => p.licenseAck && !p.licenseAcknowledged)) this.step = 'licence';
    else if (todo.length > 0) this.step = 'download';
    else if (!people.some((p) => p.templates > 0)) this.step = 'enroll';
    else if (!this.lockChosen && state.settings.door.kind === 'none') this.step = 'lock';
    else this.step = 'test';
  }

  /** The language now; saved at once when the admin is signed in, else after the PIN (resume). */
  private async chooseLanguage(locale: Locale): Promise<void> {
    setLocale(locale);
    if (!this.admin?.unlocked) return;
    try {
      this.settings = await call(api().updateSettings({ locale }));
    } catch (error) {
      this.error = errorMessage(error);
    }
  }

  private renderLanguages() {
    return html`<div class="languages" role="group" aria-label=${t('settings.language')}>
      ${LANGUAGES.map(
        ({ locale, name }) =>
          html`<button
            name="language-${locale}"
            lang=${locale}
            aria-pressed=${getLocale() === locale}
            @click=${() => this.chooseLanguage(locale)}
          >
            ${name}
          </button>`,
      )}
    </div>`;
  }

  private close(test = false): void {
    this.dispatchEvent(new CustomEvent('setup-close', { detail: { test }, bubbles: true, composed: true }));
  }

  private async submitPin(pin: string): Promise<void> {
    this.pinError = null;
    try {
      if (this.admin?.pinSet) {
        this.admin = await call(api().adminLogin({ pin }));
        return void (await this.resume());
      }
      const minDigits = this.admin?.pinMinDigits ?? 6;
      if (!pinRule(minDigits).test(pin))
        return void (this.pinError = t('setup.pinShort', { min: minDigits }));
      if (this.firstPin === null) return void (this.firstPin = pin);
      if (pin !== this.firstPin) {
        this.firstPin = null;
        return void (this.pinError = t('setup.pinMismatch'));
      }
      this.firstPin = null;
      this.admin = await call(api().setAdminPin({ pin }));
      await this.resume();
    } catch (error) {
      this.pinError = pinErrorText(error, this.admin?.pinMinDigits ?? 6);
    }
  }

  /** One step's request, then the step worked out again from main's state. */
  private async work<T>(task: () => Promise<T>, then?: (value: T) => void): Promise<void> {
    this.error = null;
    const answer = await this.requests.run(async () => ({ value: await task() }));
    if (!answer) return;
    then?.(answer.value);
    const kept = this.error;
    await this.resume();
    this.error = kept;
  }

  private async addAndEnroll(how: 'camera' | 'photos'): Promise<void> {
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[name="first-name"]');
    const name = input?.value.trim() ?? '';
    if (!name) return void (this.error = t('people.nameRequired'));
    const known = this.people.find((p) => p.name === name);
    await this.work(
      async () => {
        const person = known ?? (await call(api().addPerson({ name })));
        const results =
          how === 'photos'
            ? await call(
                confirmWithPin(t('admin.pinAgain.photos', { name: person.name }), (pin) =>
                  api().importPhotos({ id: person.id, pin }),
                ),
              )
            : null;
        return { person, results };
      },
      ({ person, results }) => {
        if (!results) return void (this.enrolling = person);
        // None taken: say why, file by file, and stay on this step.
        if (results.length > 0 && !results.some((r) => r.ok))
          this.error = results.map((r) => `${r.file}: ${r.reason ?? ''}`).join(' · ');
      },
    );
  }

  override render() {
    if (this.step === 'pin') return html`${this.renderLanguages()}${this.renderPin()}`;
    const index = this.step ? SETUP_STEPS.indexOf(this.step) : -1;
    return html`
      <header>
        <h1>${t('setup.title')}</h1>
        <ol class="steps" aria-label=${t('setup.title')}>
          ${SETUP_STEPS.map(
            (step, i) =>
              html`<li data-step=${step} data-state=${i < index ? 'done' : i === index ? 'current' : 'todo'}>
                ${t(`setup.step.${step}` as MessageKey)}
              </li>`,
          )}
        </ol>
        ${this.renderLanguages()}
        <button class="later" name="later" @click=${() => this.close()}>${t('setup.later')}</button>
      </header>
      <main data-step=${this.step ?? ''}>
        ${index >= 0 ? html`<p class="muted">${t('setup.stepOf', { n: index + 1, total: SETUP_STEPS.length })}</p>` : nothing}
        ${this.error ? html`<p class="notice error" role="alert">${this.error}</p>` : nothing}
        ${this.renderStep()}
      </main>
    `;
  }

  private renderPin() {
    const prompt = this.admin?.pinSet
      ? t('admin.pinPrompt')
      : this.firstPin === null
        ? t('setup.pinFirst', { min: this.admin?.pinMinDigits ?? 6 })
        : t('setup.pinAgain');
    return html`<pin-pad
      data-stage=${this.admin?.pinSet ? 'login' : this.firstPin === null ? 'first' : 'again'}
      .prompt=${prompt}
      .error=${this.pinError}
      @pin-submit=${(e: CustomEvent<{ pin: string }>) => this.submitPin(e.detail.pin)}
      @pin-cancel=${() => this.close()}
    ></pin-pad>`;
  }

  private renderStep() {
    switch (this.step) {
      case 'licence':
        return this.renderLicence();
      case 'download':
        return this.renderDownload();
      case 'enroll':
        return this.renderEnroll();
      case 'lock':
        return this.renderLock();
      case 'test':
        return this.renderTest();
      default:
        return html`<p class="muted">${t('admin.loading')}</p>`;
    }
  }

  private renderLicence() {
    const pack = setupTodo(this.packs).find((p) => p.licenseAck && !p.licenseAcknowledged);
    if (!pack) return nothing;
    return html`<section class="licence">
      <h2>${t('models.licenseTitle')}: ${pack.name}</h2>
      <p>${t('setup.licenceIntro')}</p>
      ${licenceText(pack)}
      <p class="muted">${t('models.licenseOnce')}</p>
      <button
        class="primary"
        name="acknowledge"
        ?disabled=${this.requests.pending}
        @click=${() => this.work(() => call(api().acknowledgeLicense({ name: pack.name })))}
      >
        ${t('models.acknowledge')}
      </button>
    </section>`;
  }

  private renderDownload() {
    const todo = setupTodo(this.packs);
    const size = todo.reduce((sum, p) => sum + (p.size ?? 0), 0);
    const running = this.requests.pending || this.engine?.state === 'downloading';
    return html`<section class="download">
      <h2>${t('setup.step.download')}</h2>
      <p>
        ${t('setup.downloadIntro', { names: todo.map((p) => p.name).join(' + '), size: formatBytes(size) })}
      </p>
      ${
        running
          ? html`<default-packs-bar
              data-progress="setup"
              .engine=${this.engine}
              .todo=${todo}
            ></default-packs-bar>`
          : html`<button
              class="primary"
              name="download"
              @click=${() => this.work(() => call(api().setUpDefaults(undefined)))}
            >
              ${this.error ? t('setup.downloadRetry') : t('setup.downloadStart')}
            </button>`
      }
    </section>`;
  }

  private renderEnroll() {
    if (this.enrolling) {
      return html`<admin-enroll
        .person=${this.enrolling}
        @enroll-close=${() => {
          this.enrolling = null;
          void this.resume();
        }}
      ></admin-enroll>`;
    }
    const waiting = this.people.find((p) => p.templates === 0);
    return html`<section class="enroll">
      <h2>${t('setup.step.enroll')}</h2>
      <p>${t('setup.enrollIntro')}</p>
      <label class="name"
        >${t('people.name')}
        <input name="first-name" autocomplete="off" maxlength="80" .value=${waiting?.name ?? ''} />
      </label>
      <div class="row">
        <button
          class="primary"
          name="enroll-camera"
          ?disabled=${this.requests.pending}
          @click=${() => this.addAndEnroll('camera')}
        >
          ${t('people.enrollCamera')}
        </button>
        <button
          name="enroll-photos"
          ?disabled=${this.requests.pending}
          @click=${() => this.addAndEnroll('photos')}
        >
          ${t('people.importPhotos')}
        </button>
      </div>
    </section>`;
  }

  private renderLock() {
    const kind = this.settings?.door.kind ?? 'none';
    return html`<section class="lock">
      <h2>${t('setup.step.lock')}</h2>
      <p>${t('setup.lockIntro')}</p>
      <admin-door
        .settings=${this.settings}
        @settings-changed=${(e: CustomEvent<Settings>) => (this.settings = e.detail)}
      ></admin-door>
      <button
        class="primary"
        name="lock-next"
        @click=${() => {
          this.lockChosen = true;
          void this.resume();
        }}
      >
        ${kind === 'none' ? t('setup.lockNoneNext') : t('setup.next')}
      </button>
    </section>`;
  }

  /** What the door will do at the test: open a lock, or plainly nothing. */
  private renderLockState(name: string) {
    const door = this.settings?.door;
    if (!door) return nothing;
    if (door.kind !== 'none')
      return html`<p class="notice ok lock-state" data-kind=${door.kind}>
        ${t('setup.lockWill', { lock: t(`door.kind.${door.kind}`) })}
      </p>`;
    return html`<p class="notice error lock-state" data-kind="none" role="status">
        ${t('setup.lockNone', { name })}
      </p>
      <button
        name="choose-lock"
        @click=${() => {
          this.lockChosen = false;
          this.step = 'lock';
        }}
      >
        ${t('setup.lockChoose')}
      </button>`;
  }

  private renderTest() {
    const person = this.people.find((p) => p.templates > 0);
    return html`<section class="test">
      <h2>${t('setup.step.test')}</h2>
      ${person ? html`<p class="notice ok">${t('setup.enrollDone', { name: person.name })}</p>` : nothing}
      ${this.renderLockState(person?.name ?? '')}
      <p>${t('setup.testIntro', { name: person?.name ?? '' })}</p>
      <button class="primary" name="test-door" @click=${() => this.close(true)}>${t('setup.testGo')}</button>
    </section>`;
  }

  static override styles = [
    panelStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100%;
        background: #0e1428;
        overflow: auto;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.8rem 1.5rem;
        padding: 0.8rem 1.5rem;
        background: #151c33;
        border-bottom: 1px solid #26305a;
      }
      h1 {
        font-size: 1.3rem;
        margin: 0;
      }
      .steps {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        flex: 1 1 auto;
        margin: 0;
        padding: 0;
        list-style: none;
        counter-reset: step;
      }
      .steps li {
        counter-increment: step;
        padding: 0.35rem 0.8rem;
        border-radius: 999px;
        border: 1px solid #3a4775;
        color: #9aa6c8;
      }
      .steps li::before {
        content: counter(step) '. ';
      }
      .steps li[data-state='current'] {
        background: #2a6df4;
        border-color: #2a6df4;
        color: #fff;
      }
      .steps li[data-state='done'] {
        color: #7ee2a8;
        border-color: #1f7a4a;
      }
      .steps li[data-state='done']::before {
        content: '✓ ';
      }
      main {
        padding: 1.5rem;
        max-width: 60rem;
        font-size: 1.1rem;
      }
      section {
        display: grid;
        gap: 0.9rem;
        justify-items: start;
      }
      h2 {
        font-size: 1.4rem;
      }
      .languages {
        display: flex;
        gap: 0.4rem;
      }
      .languages button[aria-pressed='true'] {
        background: #2a6df4;
        border-color: #2a6df4;
        color: #fff;
      }
      /* Over the PIN pad (z-index 10), in the top corner. */
      :host > .languages {
        position: fixed;
        top: 0.8rem;
        right: 1rem;
        z-index: 11;
      }
      admin-door {
        width: 100%;
      }
      .name {
        display: grid;
        gap: 0.3rem;
        width: min(100%, 24rem);
      }
      section > button,
      .row button {
        font-size: 1.1rem;
        padding: 0.6rem 1.6rem;
      }
      admin-enroll {
        display: block;
      }
    `,
  ];
}

customElements.define('setup-wizard', SetupWizard);
