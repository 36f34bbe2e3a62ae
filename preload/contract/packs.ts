import { z } from 'zod';
import { channel, pinAgainField } from './define.js';
import { NoArgs } from './app.js';

export const PackNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'not a pack name');

export interface PackView {
  name: string;
  kind: 'face' | 'addon';
  /** 'catalog' for catalog entries (installed or not), 'import' for custom packs. */
  source: 'catalog' | 'import';
  description: string | null;
  installed: boolean;
  active: boolean;
  default: boolean;
  downloading: boolean;
  /** Download size from the catalog, or the installed size. */
  size: number | null;
  license: string | null;
  /** The licence group the admin must acknowledge before the first download (e.g. 'insightface'), if any. */
  licenseAck: string | null;
  licenseAcknowledged: boolean;
  /** File name of the recognition model, if the pack holds one. */
  recognizer: string | null;
  threshold: number | null;
}

export interface PackList {
  packs: PackView[];
  /** Where packs live on disk, for the admin's information. */
  root: string;
}

const ByName = z.object({ name: PackNameSchema }).strict();

export const packsChannels = {
  listPacks: channel<PackList>()(NoArgs, 'admin'),
  acknowledgeLicense: channel<PackList>()(ByName, 'admin'),
  /** Resolves when installed; progress arrives as `downloadProgress` events. */
  downloadPack: channel<PackList>()(ByName, 'admin', 'pack_download'),
  /** The default setup: the default face pack and the liveness add-on in one step; progress in `engineStatus`. */
  setUpDefaults: channel<PackList>()(NoArgs, 'admin', 'pack_download'),
  cancelDownload: channel<{ cancelled: boolean }>()(ByName, 'admin'),
  /** Opens a file dialog in main (a zip or a folder): the renderer never names paths. */
  importPack: channel<PackList | null>()(
    z.object({ kind: z.enum(['zip', 'folder']), name: PackNameSchema.optional() }).strict(),
    'admin',
    'pack_import',
  ),
  removePack: channel<PackList>()(ByName, 'admin', 'pack_remove'),
  /** Changes the face models: needs the admin PIN typed again (PIN_REQUIRED without it). */
  setActivePack: channel<PackList>()(
    z.object({ name: PackNameSchema, ...pinAgainField }).strict(),
    'admin',
    'pack_switch',
  ),
  verifyPack: channel<{ ok: boolean; problems: string[] }>()(ByName, 'admin'),
};
