// The Fleet panel's backlog (issue 22): decisions written at this door and not yet in the fleet
// database (how many, the oldest one's age, why the last try failed), and whether the door is
// off MQTT with how many events wait for the broker. Its own element so the panel inserts one line.
import { LitElement, css, html, nothing } from 'lit';
import { t } from '../../i18n/index.js';
import { LocaleController } from '../../i18n/locale-controller.js';
import type { FleetBacklogView } from '../../../preload/contract/fleet.js';

export class FleetBacklogElement extends LitElement {
  static override properties = { backlog: { attribute: false } };
  declare backlog: FleetBacklogView | null;

  static override styles = css`
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 0.4em 1em;
      margin: 0;
    }
    dd {
      margin: 0;
    }
    .warn {
      color: var(--warn, #b45309);
      font-weight: 600;
    }
  `;

  constructor() {
    super();
    this.backlog = null;
    new LocaleController(this);
  }

  override render() {
    const b = this.backlog;
    if (!b) return nothing;
    const waiting = b.pending > 0;
    return html`<dl>
      <dt>${t('fleet.backlog')}</dt>
      <dd data-field="backlog" class=${waiting && b.shipError ? 'warn' : ''}>
        ${
          waiting
            ? t('fleet.backlogValue', {
                count: b.pending,
                minutes: Math.floor((b.oldestMs ?? 0) / 60_000),
              })
            : t('fleet.backlogNone')
        }
      </dd>
      ${
        b.shipError
          ? html`<dt>${t('fleet.shipError')}</dt>
              <dd data-field="ship-error" class="warn">${b.shipError}</dd>`
          : nothing
      }
      ${
        b.mqtt
          ? html`<dt>${t('fleet.mqtt')}</dt>
              <dd data-field="mqtt" class=${b.mqtt.connected ? '' : 'warn'}>
                ${b.mqtt.connected ? t('fleet.mqttOn') : t('fleet.mqttOff', { count: b.mqtt.queued })}
                ${b.mqtt.dropped > 0 ? t('fleet.mqttDropped', { count: b.mqtt.dropped }) : nothing}
              </dd>`
          : nothing
      }
    </dl>`;
  }
}

customElements.define('fleet-backlog', FleetBacklogElement);

declare global {
  interface HTMLElementTagNameMap {
    'fleet-backlog': FleetBacklogElement;
  }
}
