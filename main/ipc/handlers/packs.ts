// Model packs from the admin screen: list, licence, download with progress,
// cancel, import from a dialog, choose, verify, remove. Expected failures
// (offline, checksum, unsafe zip, …) come back as values with their code.
import type { packsChannels, PackList } from '../../../preload/contract/packs.js';
import type { PackManager } from '../../packs/manager.js';
import type { EngineHost } from '../../engine/engine-host.js';
import type { Kiosk } from '../../kiosk/kiosk.js';
import type { FilePicker } from '../../util/file-picker.js';
import { requirePinAgain, type HandlersFor, type PinGuard } from './common.js';
import { LIVENESS_PACK } from '../../engine/face-engine.js';

export interface PackHandlerDeps {
  packs: PackManager;
  engine: Pick<EngineHost<Kiosk>, 'downloadAndLoad' | 'setUpDefaults' | 'reload'>;
  pickFiles: FilePicker;
  guard: PinGuard;
}

export function packHandlers(deps: PackHandlerDeps): HandlersFor<typeof packsChannels> {
  const { packs, engine, pickFiles, guard } = deps;
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
        await engine.downloadAndLoad(name, controller.signal);
      } finally {
        downloads.delete(name);
      }
      return { value: await list(), audit: { detail: { pack: name } } };
    },
    setUpDefaults: async () => {
      const controller = new AbortController();
      // Cancel by the name of either pack of the bundle.
      const names = (await packs.list())
        .filter((p) => p.default || p.name === LIVENESS_PACK)
        .map((p) => p.name);
      for (const name of names) downloads.set(name, controller);
      try {
        await engine.setUpDefaults(controller.signal);
      } finally {
        for (const name of names) if (downloads.get(name) === controller) downloads.delete(name);
      }
      return { value: await list(), audit: { detail: { pack: 'default setup' } } };
    },
    cancelDownload: ({ name }) => {
      const controller = downloads.get(name);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
    importPack: async ({ kind, name }) => {
      const picked = await pickFiles({ kind });
      const source = picked?.[0];
      if (!source) return { value: null, audit: null };
      const imported = await packs.import(source, name ? { name } : {});
      await engine.reload();
      return { value: await list(), audit: { detail: { kind, pack: imported.name } } };
    },
    removePack: async ({ name }) => {
      await packs.remove(name);
      await engine.reload();
      return { value: await list(), audit: { detail: { pack: name } } };
    },
    setActivePack: async ({ name, pin }) => {
      const active = await packs.getActive();
      await requirePinAgain(guard, active === name ? [] : ['the active pack'], pin);
      await packs.setActive(name);
      await engine.reload();
      return { value: await list(), audit: { detail: { pack: name } } };
    },
    verifyPack: async ({ name }) => {
      const report = await packs.verify(name);
      return { ok: report.ok, problems: report.problems };
    },
  };
}
