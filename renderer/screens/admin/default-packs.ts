// The default setup (the face pack and the liveness add-on in one step), as the setup wizard
// and the model manager both show it: what is left to install, and its one progress bar.
import { LitElement, css, html } from 'lit';
import { api, call } from '../../api.js';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { EngineStatus } from '../../../preload/contract/events.js';
import type { PackView } from '../../../preload/contract/packs.js';
import { panelStyles } from './admin-shared.js';

/** The catalog's liveness add-on (main/engine/face-engine.ts LIVENESS_PACK). */
export const LIVENESS_PACK = 'minifasnet';

/** What the default setup still has to install (the same rule as main/packs/bundle.ts). */
export function setupTodo(packs: readonly PackView[]): PackView[] {
  const face = packs.find((p) => p.default && p.kind === 'face' && p.source === 'catalog');
  const todo = face && !packs.some((p) => p.kind === 'face' && p.installed) ? [face] : [];
  const addon = packs.find((p) => p.name === LIVENESS_PACK && p.source === 'catalog');
  return addon && !addon.installed ? [...todo, addon] : todo;
}

/** The one bar of the default setup: the engine's download figure, full once it loads the models. */
export function barValue(engine: EngineStatus | null): number {
  if (engine?.state === 'downloading') return engine.progress ?? 0;
  return engine?.state === 'loading' || engine?.state === 'ready' ? 1 : 0;
}

/** The default setup's progress bar, its percentage and its cancel button. */
export class DefaultPacksBar extends LitElement {
  static override properties = { engine: { attribute: false }, todo: { attribute: false } };
  declare engine: EngineStatus | null;
  /** The packs being installed: cancelling stops the first one still to come. */
  declare todo: readonly PackView[];

  constructor() {
    super();
    new LocaleController(this);
    this.engine = null;
    this.todo = [];
  }

  private cancel(): void {
    const name = this.todo[0]?.name ?? LIVENESS_PACK;
    // The setup's own request reports the cancellation (CANCELLED) where it was started.
    void call(api().cancelDownload({ name })).catch(() => undefined);
  }

  override render() {
    const progress = barValue(this.engine);
    return html`<progress max="1" .value=${progress} aria-label=${t('models.setupDefaults')}></progress>
      <span class="pct">${t('setup.downloading', { percent: Math.floor(progress * 100) })}</span>
      <button name="cancel-setup" @click=${() => this.cancel()}>${t('admin.cancel')}</button>`;
  }

  static override styles = [
    panelStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.8rem;
        width: 100%;
      }
      progress {
        flex: 1 1 16rem;
        height: 1.2rem;
        accent-color: #4fc3f7;
      }
      .pct {
        font-variant-numeric: tabular-nums;
      }
    `,
  ];
}

customElements.define('default-packs-bar', DefaultPacksBar);

declare global {
  interface HTMLElementTagNameMap {
    'default-packs-bar': DefaultPacksBar;
  }
}
