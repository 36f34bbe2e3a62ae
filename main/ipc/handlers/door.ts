// The door programs the admin screen may choose from (doors.json on the PC).
import path from 'node:path';
import type { settingsChannels } from '../../../preload/contract/settings.js';
import type { doorChannels } from '../../../preload/contract/door.js';
import { DOORS_FILE, readDoorsFile } from '../../door/doors-file.js';
import type { AppServices } from '../../services.js';
import { messageOf, type HandlersFor } from './common.js';

export function doorHandlers(
  services: AppServices,
): HandlersFor<Pick<typeof settingsChannels, 'listDoorPrograms'> & typeof doorChannels> {
  return {
    callReception: () => services.doorbell.ring(),
    reportCamera: async ({ state }) => ({ logged: await services.doorbell.cameraChanged(state) }),
    listDoorPrograms: () => {
      const dir = services.paths.dataDir;
      const file = path.join(dir, DOORS_FILE);
      try {
        const programs = readDoorsFile(dir).doors.map((d) => ({
          id: d.id,
          label: d.label ?? null,
          program: d.program,
          args: d.args,
        }));
        return { programs, file, problem: null };
      } catch (error) {
        return { programs: [], file, problem: messageOf(error) };
      }
    },
  };
}
