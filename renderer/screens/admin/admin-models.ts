// Model manager: the catalog's packs and imported ones, with download (licence
// first, then a real progress bar and cancel), import from a zip or folder,
// choose the active pack, verify and remove; plus the engine's options and
// its live status.
import { LitElement, html, nothing } from 'lit';
import { api, call } from '../../api.js';
import { withPinAgain } from '../../components/pin-pad/ask-pin.js';
import { RequestTask } from '../../components/request-task.js';
import { t, type MessageKey } from '../../i18n/index.js';
import { licenceText } from './licence-text.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { PackList, PackView } from '../../../preload/contract/packs.js';
import type { DownloadProgress, EngineStatus, PackFailure } from '../../../preload/contract/events.js';
import type { Settings } from '../../../preload/contract/settings.js';
import { errorCode, errorMessage, formatBytes, formatSeconds, panelStyles } from './admin-shared.js';
import { modelsStyles } from './admin-models.styles.js';
import { setupTodo } from './default-packs.js';

type Engine = Settings['engine'];
const DET_SIZES: Engine['detSize'][] = ['auto', '160', '320', '640'];
const PROVIDERS: Engine['provider'][] = ['cpu', 'cuda', 'dml', 'coreml'];

interface Notice {
  tone: 'ok' | 'error' | 'info';
  text: string;
  /** Offer an import from file next to the message (offline, failed download). */
  offerImport?: boolean;
}

export class AdminModels extends LitElement {
  static override properties = {
    list: { state: true },
    engine: { state: true },
    settings: { state: true },
    progress: { state: true },
    licenseFor: { state: true },
    removing: { state: true },
    notice: { state: true },
    settingUp: { state: true },
  };
  declare settingUp: boolean;
  declare list: PackList | null;
  declare engine: EngineStatus | null;
  declare settings: Settings | null;
  /** Latest progress per pack being downloaded. */
  declare progress: Record<string, DownloadProgress>;
  /** The pack whose licence is shown for acknowledgement. */
  declare licenseFor: string | null;
  declare removing: string | null;
  declare notice: Notice | null;

  private unsubscribe: (() => void)[] = [];
  /** The licence shown belongs to the default setup: acknowledging it continues the setup. */
  private licenseThenSetup = false;

  constructor() {
    super();
    new LocaleController(this);
    this.list = null;
    this.engine = null;
    this.settings = null;
    this.progress = {};
    this.licenseFor = null;
    this.removing = null;
    this.notice = null;
    this.settingUp = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = [
      api().on('downloadProgress', (p) => (this.progress = { ...this.progress, [p.pack]: p })),
      api().on('packFailed', (failure) => this.onFailure(failure)),
      api().on('engineStatus', (status) => (this.engine = status)),
    ];
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe.forEach((off) => off());
  }

  /** The panel's requests, one at a time; leaving the panel drops a late result (main carries on). */
  private readonly requests = new RequestTask(this, (error) => this.showFailure(error));
  /** Loads of the list, apart from the requests: an older list never replaces a newer one. */
  private readonly loads = new RequestTask(this, (error) => {
    this.notice = { tone: 'error', text: errorMessage(error) };
  });

  private async load(): Promise<void> {
    const loaded = await this.loads.run(() =>
      Promise.all([
        call(api().listPacks(undefined)),
        call(api().getEngineStatus(undefined)),
        call(api().getSettings(undefined)),
      ]),
    );
    if (loaded) [this.list, this.engine, this.settings] = loaded;
  }

  /** A failed request in words; a cancelled download is news, not an error; offer an import instead. */
  private showFailure(error: unknown): void {
    const cancelled = errorCode(error) === 'CANCELLED';
    this.notice = { tone: cancelled ? 'info' : 'error', text: errorMessage(error), offerImport: !cancelled };
  }

  private onFailure(failure: PackFailure): void {
    this.notice = {
      tone: 'error',
      text: t('models.failed', { name: failure.pack, message: failure.message }),
      offerImport: failure.code !== 'CANCELLED',
    };
  }

  /** One request; the list it returns (if any) replaces ours; failures are shown. */
  private async run(work: () => Promise<PackList | null>, done?: string): Promise<boolean> {
    const answer = await this.requests.run(async () => ({ list: await work() }));
    if (!answer) return false;
    if (answer.list) this.list = answer.list;
    if (done) this.notice = { tone: 'ok', text: done };
    return true;
  }

  private async download(pack: PackView): Promise<void> {
    if (pack.licenseAck && !pack.licenseAcknowledged) {
      this.licenseFor = pack.name;
      return;
    }
    this.notice = null;
    const { [pack.name]: _previous, ...others } = this.progress;
    this.progress = others;
    // Mark it downloading at once; main's list says so too once it answers.
    this.list = this.list && {
      ...this.list,
      packs: this.list.packs.map((p) => (p.name === pack.name ? { ...p, downloading: true } : p)),
    };
    await this.run(
      () => call(api().downloadPack({ name: pack.name })),
      t('models.installed', { name: pack.name }),
    );
    const { [pack.name]: _done, ...rest } = this.progress;
    this.progress = rest;
    await this.refresh();
  }

  private async acknowledge(pack: PackView): Promise<void> {
    this.licenseFor = null;
    const thenSetup = this.licenseThenSetup;
    this.licenseThenSetup = false;
    if (await this.run(() => call(api().acknowledgeLicense({ name: pack.name })))) {
      if (thenSetup) return this.setUpDefaults();
      const updated = this.list?.packs.find((p) => p.name === pack.name);
      if (updated) await this.download(updated);
    }
  }

  /** The packs the default setup still has to install: the default face pack, the liveness add-on. */
  private setupTodo(): PackView[] {
    return setupTodo(this.list?.packs ?? []);
  }

  /** Recognition and liveness together, behind one progress bar (the engine's). */
  private async setUpDefaults(): Promise<void> {
    const unacknowledged = this.setupTodo().find((p) => p.licenseAck && !p.licenseAcknowledged);
    if (unacknowledged) {
      this.licenseFor = unacknowledged.name;
      this.licenseThenSetup = true;
      return;
    }
    this.notice = null;
    this.settingUp = true;
    try {
      await this.run(() => call(api().setUpDefaults(undefined)), t('models.setupDone'));
    } finally {
      this.settingUp = false;
    }
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    const list = await this.loads.run(() => call(api().listPacks(undefined)));
    if (list) this.list = list;
  }

  private async verify(pack: PackView): Promise<void> {
    const result = await this.requests.run(() => call(api().verifyPack({ name: pack.name })));
    if (!result) return;
    this.notice = result.ok
      ? { tone: 'ok', text: t('models.verifyOk', { name: pack.name }) }
      : {
          tone: 'error',
          text: t('models.verifyBad', { name: pack.name, problems: result.problems.join('; ') }),
        };
  }

  private async saveEngine(patch: Partial<Engine>): Promise<void> {
    const current = this.settings;
    if (!current) return;
    const engine = { ...current.engine, ...patch };
    const settings = await this.engineSaves.run(() =>
      call(withPinAgain((pin) => api().updateSettings(pin ? { engine, pin } : { engine }))),
    );
    if (!settings) return;
    this.settings = settings;
    this.notice = { tone: 'ok', text: t('admin.saved') };
  }

  /** The engine's options save apart from the pack requests (a download may be running). */
  private readonly engineSaves = new RequestTask(this, (error) => {
    this.notice = { tone: 'error', text: errorMessage(error) };
  });

  override render() {
    const list = this.list;
    const licensePack = list?.packs.find((p) => p.name === this.licenseFor) ?? null;
    return html`
      ${this.renderEngine()}
      ${
        this.notice
          ? html`<div
              class="notice ${this.notice.tone}"
              role=${this.notice.tone === 'error' ? 'alert' : 'status'}
            >
              <span>${this.notice.text}</span>
              ${this.notice.offerImport ? html`<div class="row">${this.importButtons()}</div>` : nothing}
            </div>`
          : nothing
      }
      ${licensePack ? this.renderLicense(licensePack) : nothing} ${this.renderSetup()}
      <div class="row toolbar">
        <h2>${t('models.title')}</h2>
        <span class="spacer"></span>
        ${this.importButtons()}
      </div>
      ${
        list === null
          ? html`<p class="muted">${t('admin.loading')}</p>`
          : html`<div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>${t('models.name')}</th>
                      <th>${t('models.state')}</th>
                      <th>${t('models.size')}</th>
                      <th>${t('models.recognizer')}</th>
                      <th></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${list.packs.map((pack) => this.renderPack(pack))}
                  </tbody>
                </table>
              </div>
              <p class="muted root">${t('models.root', { path: list.root })}</p>`
      }
    `;
  }

  private renderSetup() {
    const todo = this.setupTodo();
    const engine = this.engine;
    const running = this.settingUp || (engine?.state === 'downloading' && todo.length > 1);
    if (todo.length === 0 && !running) return nothing;
    const names = todo.map((p) => p.name).join(' + ');
    return html`<section class="setup-defaults">
      <p>${t('models.setupHelp', { names })}</p>
      ${
        running
          ? html`<default-packs-bar
              data-progress="setup"
              .engine=${engine}
              .todo=${todo}
            ></default-packs-bar>`
          : html`<button
              class="primary"
              name="setup-defaults"
              ?disabled=${this.requests.pending}
              @click=${() => this.setUpDefaults()}
            >
              ${t('models.setupDefaults')}
            </button>`
      }
    </section>`;
  }

  private importButtons() {
    return html`
      <button
        ?disabled=${this.requests.pending}
        @click=${() => this.run(() => call(api().importPack({ kind: 'zip' })))}
      >
        ${t('models.importZip')}
      </button>
      <button
        ?disabled=${this.requests.pending}
        @click=${() => this.run(() => call(api().importPack({ kind: 'folder' })))}
      >
        ${t('models.importFolder')}
      </button>
    `;
  }

  private renderEngine() {
    const engine = this.engine;
    const s = this.settings;
    return html`<section class="engine">
      <div class="status" data-state=${engine?.state ?? ''}>
        <span class="muted">${t('models.engine')}</span>
        <strong>${engine ? t(`models.engineState.${engine.state}` as MessageKey) : '…'}</strong>
        ${engine?.pack ? html`<span class="badge">${engine.pack}</span>` : nothing}
        ${
          engine
            ? html`<span class="badge ${engine.livenessAvailable ? 'good' : 'warn'}">
                ${
                  engine.livenessAvailable
                    ? t('models.livenessOn')
                    : s?.liveness.enabled === false
                      ? t('liveness.off')
                      : t('liveness.missing')
                }
              </span>`
            : nothing
        }
        ${engine?.message ? html`<span class="muted">${engine.message}</span>` : nothing}
      </div>
      ${
        s
          ? html`<div class="row options">
              <label
                >${t('models.detSize')}
                <select
                  name="detSize"
                  @change=${(e: Event) =>
                    this.saveEngine({ detSize: (e.target as HTMLSelectElement).value as Engine['detSize'] })}
                >
                  ${DET_SIZES.map(
                    (size) =>
                      html`<option value=${size} ?selected=${s.engine.detSize === size}>
                        ${size === 'auto' ? t('models.auto') : `${size}×${size}`}
                      </option>`,
                  )}
                </select>
              </label>
              <label
                >${t('models.provider')}
                <select
                  name="provider"
                  @change=${(e: Event) =>
                    this.saveEngine({
                      provider: (e.target as HTMLSelectElement).value as Engine['provider'],
                    })}
                >
                  ${PROVIDERS.map(
                    (p) =>
                      html`<option value=${p} ?selected=${s.engine.provider === p}>
                        ${t(`models.provider.${p}` as MessageKey)}
                      </option>`,
                  )}
                </select>
              </label>
            </div>`
          : nothing
      }
    </section>`;
  }

  private renderLicense(pack: PackView) {
    return html`<section class="license" role="dialog" aria-label=${t('models.licenseTitle')}>
      <h3>${t('models.licenseTitle')}: ${pack.name}</h3>
      ${licenceText(pack)}
      <p class="muted">${t('models.licenseOnce')}</p>
      <div class="row">
        <button class="primary" name="acknowledge" @click=${() => this.acknowledge(pack)}>
          ${t('models.acknowledge')}
        </button>
        <button @click=${() => (this.licenseFor = null)}>${t('admin.cancel')}</button>
      </div>
    </section>`;
  }

  private renderPack(pack: PackView) {
    const progress = this.progress[pack.name];
    const downloading = pack.downloading || progress !== undefined;
    return html`<tr data-pack=${pack.name}>
        <td>
          <div class="pack-name">${pack.name}</div>
          ${pack.description ? html`<div class="muted desc">${pack.description}</div>` : nothing}
          ${
            pack.license
              ? html`<div class="lic" title=${pack.license}>${t('models.license')}: ${pack.license}</div>`
              : nothing
          }
        </td>
        <td>
          <div class="row states">
            <span class="badge kind"
              >${pack.kind === 'face' ? t('models.kindFace') : t('models.kindAddon')}</span
            >
            ${
              pack.installed
                ? html`<span class="badge good">${t('models.installedState')}</span>`
                : html`<span class="badge">${t('models.available')}</span>`
            }
            ${pack.active ? html`<span class="badge active">${t('models.active')}</span>` : nothing}
            ${pack.default ? html`<span class="muted">${t('models.default')}</span>` : nothing}
          </div>
        </td>
        <td class="num">${formatBytes(pack.size)}</td>
        <td class="recognizer">
          ${pack.recognizer ?? '—'}
          ${pack.threshold !== null ? html`<div class="muted">${t('models.threshold', { value: pack.threshold })}</div>` : nothing}
        </td>
        <td class="actions">
          <div class="row">${this.packActions(pack, downloading)}</div>
        </td>
      </tr>
      ${
        downloading
          ? html`<tr class="progress-row" data-progress=${pack.name}>
              <td colspan="5">${this.renderProgress(pack, progress)}</td>
            </tr>`
          : nothing
      }
      ${
        this.removing === pack.name
          ? html`<tr class="confirm-row">
              <td colspan="5">
                <div class="row" role="alertdialog">
                  <span>${t('models.removeConfirm', { name: pack.name })}</span>
                  <button
                    class="danger"
                    name="confirm-remove"
                    ?disabled=${this.requests.pending}
                    @click=${async () => {
                      this.removing = null;
                      await this.run(
                        () => call(api().removePack({ name: pack.name })),
                        t('models.removed', { name: pack.name }),
                      );
                    }}
                  >
                    ${t('models.remove')}
                  </button>
                  <button @click=${() => (this.removing = null)}>${t('admin.cancel')}</button>
                </div>
              </td>
            </tr>`
          : nothing
      }`;
  }

  private packActions(pack: PackView, downloading: boolean) {
    if (downloading) return nothing;
    if (!pack.installed) {
      // Offline sites carry the catalog's zip on a stick: it is imported under this pack's name.
      return pack.source === 'catalog'
        ? html`<button
              class="primary"
              name="download"
              ?disabled=${this.requests.pending}
              @click=${() => this.download(pack)}
            >
              ${t('models.download')}
            </button>
            <button
              name="import-file"
              ?disabled=${this.requests.pending}
              @click=${() => this.run(() => call(api().importPack({ kind: 'zip', name: pack.name })))}
            >
              ${t('models.importFile')}
            </button>`
        : nothing;
    }
    return html`
      ${
        pack.kind === 'face' && !pack.active
          ? html`<button
              class="primary"
              name="activate"
              ?disabled=${this.requests.pending}
              @click=${() =>
                this.run(
                  () =>
                    call(
                      withPinAgain((pin) =>
                        api().setActivePack(pin ? { name: pack.name, pin } : { name: pack.name }),
                      ),
                    ),
                  t('models.activated', { name: pack.name }),
                )}
            >
              ${t('models.setActive')}
            </button>`
          : nothing
      }
      <button name="verify" ?disabled=${this.requests.pending} @click=${() => this.verify(pack)}>
        ${t('models.verify')}
      </button>
      <button
        class="danger"
        name="remove"
        ?disabled=${this.requests.pending}
        @click=${() => (this.removing = pack.name)}
      >
        ${t('models.remove')}
      </button>
    `;
  }

  private renderProgress(pack: PackView, p: DownloadProgress | undefined) {
    const percent = p?.percent ?? null;
    return html`<div class="progress">
      <progress
        max="100"
        .value=${percent ?? 0}
        aria-label=${t('models.downloading', { name: pack.name })}
      ></progress>
      <span class="pct">${percent === null ? '…' : `${Math.floor(percent)}%`}</span>
      <span class="muted">
        ${p ? t(`models.phase.${p.phase}` as MessageKey) : t('models.phase.download')}
        ${
          p && p.phase === 'download'
            ? t('models.rate', {
                bytes: formatBytes(p.bytes),
                total: formatBytes(p.total),
                rate: formatBytes(p.bytesPerSecond),
                eta: formatSeconds(p.etaSeconds),
              })
            : nothing
        }
      </span>
      <button
        name="cancel-download"
        @click=${() => call(api().cancelDownload({ name: pack.name })).catch(() => undefined)}
      >
        ${t('admin.cancel')}
      </button>
    </div>`;
  }

  static override styles = [panelStyles, modelsStyles];
}

customElements.define('admin-models', AdminModels);

declare global {
  interface HTMLElementTagNameMap {
    'admin-models': AdminModels;
  }
}
