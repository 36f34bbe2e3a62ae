// AppServices as the harness and unit tests build them: the app's own wiring
// with Node stand-ins for Electron's pieces (a key file for safeStorage,
// Conf for electron-store, a queue of answers for file dialogs).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { AppServices } from '../../main/services.js';
import type { ServicesOptions } from '../../main/services-options.js';
import type { PickRequest } from '../../main/util/file-picker.js';
import { resolvePaths } from '../../main/paths.js';
import { FileKeyWrapper } from '../../main/store/key-file.js';
import type { Settings } from '../../preload/contract/settings.js';

export interface NodeServices {
  services: AppServices;
  dataDir: string;
  /** Answers for main's file dialogs, taken in order; an empty queue is a cancelled dialog. */
  picks: (string[] | null)[];
  pickRequests: PickRequest[];
  logs: string[];
  kioskExits: () => number;
}

export async function createNodeServices(
  options: { dataDir?: string; argv?: string[]; services?: Partial<ServicesOptions> } = {},
): Promise<NodeServices> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'tobira-data-'));
  const picks: (string[] | null)[] = [];
  const pickRequests: PickRequest[] = [];
  const logs: string[] = [];
  let exits = 0;
  const services = await AppServices.create({
    paths: resolvePaths(dataDir, options.argv ?? []),
    createSettingsStore: (opts) => new Conf<Settings>(opts),
    version: '0.0.0-test',
    platform: process.platform,
    kiosk: { isKiosk: () => exits === 0, exit: () => void (exits += 1) },
    keyWrapper: () => FileKeyWrapper.open(path.join(dataDir, 'store.key'), { create: true }),
    pickFiles: async (request) => {
      pickRequests.push(request);
      return picks.shift() ?? null;
    },
    // Cheap scrypt for tests; the real cost is tested with the PIN store itself.
    pinCost: { N: 2 ** 10, r: 8, p: 1 },
    log: (message) => void logs.push(message),
    ...options.services,
  });
  return { services, dataDir, picks, pickRequests, logs, kioskExits: () => exits };
}
