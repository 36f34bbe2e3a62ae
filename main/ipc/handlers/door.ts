// The door programs the admin screen may choose from (doors.json on the PC).
import path from 'node:path';
import type { settingsChannels } from '../../../preload/contract/settings.js';
import { DOORS_FILE, readDoorsFile } from '../../door/doors-file.js';
import type { HandlersFor } from './common.js';
import { messageOf } from '../../util/message-of.js';

export function doorHandlers(
  /** The data folder, where doors.json is kept. */
  dir: string,
): HandlersFor<Pick<typeof settingsChannels, 'listDoorPrograms'>> {
  return {
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
