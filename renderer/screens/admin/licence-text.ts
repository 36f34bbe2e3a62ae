// A pack's licence as the admin reads it before acknowledging: the catalog's own words
// (English, and what binds), after a translation into the screen's language when there is
// one for that licence group (`licence.<licenseAck>`, e.g. licence.insightface).
import { html, nothing } from 'lit';
import { getLocale, hasMessage, t } from '../../i18n/index.js';
import type { PackView } from '../../../preload/contract/packs.js';

export function licenceText(pack: Pick<PackView, 'license' | 'licenseAck'>) {
  const original = pack.license ?? pack.licenseAck ?? '';
  const key = `licence.${pack.licenseAck ?? ''}`;
  const translated = getLocale() !== 'en' && hasMessage(key) ? t(key) : null;
  return html`${translated ? html`<blockquote class="translated">${translated}</blockquote>` : nothing}
    <blockquote class="original" lang="en">
      ${translated ? html`<span class="muted">${t('licence.original')}</span><br />` : nothing}${original}
    </blockquote>`;
}
