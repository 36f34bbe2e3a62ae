// Model packs from the admin screen: list, licence, download with progress,
// cancel, import from a dialog, choose, verify, remove. Expected failures
// (offline, checksum, unsafe zip, …) come back as values with their code.
import type { packsChannels, PackList } from '../../../preload/contract/packs.js';
import type { AppServices } from '../../services.js';
import { requirePinAgain, type HandlersFor } from './common.js';
import { LIVENESS_PACK } from '../../engine/face-engine.js';

export function packHandlers(services: AppServices): HandlersFor<typeof packsChannels> {
  const { packs } = services;
  const downloads = new Map<string, AbortController>();
  const list = async (): Promise<PackList> => ({ packs: await packs.list(), root: packs.root });
  /** Pack errors are expected: they reach the screen with their code and message. */
  return {
    listPacks: () => {
      return list();
    },
    acknowledgeLicense: async ({ name }) => {
      await packs.acknowledgeLicense(name);
      return list();
    },
    downloadPack: async ({ name }) => {
      const controller = new AbortController();
      downloads.set(name, controller);
      try {
        await services.downloadAndLoad(name, controller.signal);
        await services.auditAdmin('pack_download', { pack: name });
      } finally {
        downloads.delete(name);
      }
      return list();
    },
    setUpDefaults: async () => {
      const controller = new AbortController();
      // Cancel by the name of either pack of the bundle.
      const names = (await packs.list())
        .filter((p) => p.default || p.name === LIVENESS_PACK)
        .map((p) => p.name);
      for (const name of names) downloads.set(name, controller);
      try {
        await services.setUpDefaults(controller.signal);
        await services.auditAdmin('pack_download', { pack: 'default setup' });
      } finally {
        for (const name of names) if (downloads.get(name) === controller) downloads.delete(name);
      }
      return list();
    },
    cancelDownload: ({ name }) => {
      const controller = downloads.get(name);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
    importPack: async ({ kind, name }) => {
      const picked = await services.options.pickFiles({ kind });
      const source = picked?.[0];
      if (!source) return null;
      const imported = await packs.import(source, name ? { name } : {});
      await services.auditAdmin('pack_import', { kind, pack: imported.name });
      await services.reloadEngine();
      return list();
    },
    removePack: async ({ name }) => {
      await packs.remove(name);
      await services.auditAdmin('pack_remove', { pack: name });
      await services.reloadEngine();
      return list();
    },
    setActivePack: async ({ name, pin }) => {
      const active = await packs.getActive();
      await requirePinAgain(services, active === name ? [] : ['the active pack'], pin);
      await packs.setActive(name);
      await services.auditAdmin('pack_switch', { pack: name });
      await services.reloadEngine();
      return list();
    },
    verifyPack: async ({ name }) => {
      const report = await packs.verify(name);
      return { ok: report.ok, problems: report.problems };
    },
  };
}
