// The door as the kiosk sees it: built from a validated config, never throwing.
import { runCommandDoor } from './command-door.js';
import { findDoorProgram, readDoorsFile } from './doors-file.js';
import { runHttpDoor } from './http-door.js';
import { doorConfigSchema } from './types.js';
import type { DoorConfig, DoorEvent, DoorOutput, DoorResult } from './types.js';
import { messageOf } from '../util/message-of.js';

/** Parses `config` (unknown, from settings or IPC); throws naming the bad field. */
export function parseDoorConfig(config: unknown): DoorConfig {
  const parsed = doorConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`door config is invalid: ${issues}`);
  }
  return parsed.data;
}

export interface DoorContext {
  /** The folder holding doors.json (the data folder); null allows no command door. */
  doorsDir: string | null;
}

export function createDoor(input: unknown, context: DoorContext = { doorsDir: null }): DoorOutput {
  const config = parseDoorConfig(input);
  const run = async (event: DoorEvent): Promise<DoorResult> => {
    try {
      switch (config.kind) {
        case 'none':
          return {
            ok: true,
            kind: 'none',
            reason: 'log only',
            attempts: 0,
            durationMs: 0,
            holdMs: config.holdMs,
          };
        case 'command': {
          if (context.doorsDir === null) throw new Error('no doors.json folder: command doors are off');
          // Read at each use: an edit of doors.json on the PC applies at once.
          const program = findDoorProgram(readDoorsFile(context.doorsDir), config.doorId);
          return await runCommandDoor(program, config.holdMs, event);
        }
        case 'http':
          return await runHttpDoor(config, event);
      }
    } catch (error) {
      // Whatever went wrong, it is a failure to open, never a success.
      return {
        ok: false,
        kind: config.kind,
        reason: messageOf(error),
        attempts: 0,
        durationMs: 0,
        holdMs: config.holdMs,
      };
    }
  };
  return {
    kind: config.kind,
    holdMs: config.holdMs,
    open: (who) => run({ event: 'unlock', ...who }),
    test: () => run({ event: 'test', personId: null, personName: null }),
    ring: async () =>
      tellsEvents(config) ? run({ event: 'doorbell', personId: null, personName: null }) : null,
  };
}

/** Whether the relay can tell a doorbell from an open: only an HTTP door whose request names the event. */
function tellsEvents(config: DoorConfig): boolean {
  const event = /\{\{\s*event\s*\}\}/;
  return config.kind === 'http' && (event.test(config.url) || event.test(config.body ?? ''));
}
