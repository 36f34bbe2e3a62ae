// The door programs the admin screen may choose from (doors.json on the PC).
import path from 'node:path';
import type { settingsChannels } from '../../../preload/contract/settings.js';
import type { doorChannels } from '../../../preload/contract/door.js';
import { DOORS_FILE, readDoorsFile } from '../../door/doors-file.js';
import type { HandlersFor } from './common.js';
import { messageOf } from '../../util/message-of.js';
import type { Doorbell } from '../../door/doorbell.js';

export function doorHandlers(
  /** The data folder, where doors.json is kept. */
  dir: string,
  /** The Call button and the camera's state, audited (door/doorbell.ts). */
  doorbell: () => Pick<Doorbell, 'ring' | 'cameraChanged'>,
): HandlersFor<Pick<typeof settingsChannels, 'listDoorPrograms'> & typeof doorChannels> {
  return {
    callReception: () => doorbell().ring(),
    reportCamera: async ({ state }) => ({ logged: await doorbell().cameraChanged(state) }),
    listDoorPrograms: () => {
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
