// The door output the settings describe, built on first use and again after the door settings
// change (the unlock flow, the door test and a remote unlock all open this one).
import type { Settings } from '../../preload/contract/settings.js';
import { createDoor } from './door.js';
import type { DoorOutput } from './types.js';

export class CurrentDoor {
  private output: DoorOutput | null = null;

  constructor(
    private readonly settings: () => Settings['door'],
    /** Where doors.json (the command door's allowed programs) is read from. */
    private readonly doorsDir: string,
  ) {}

  get(): DoorOutput {
    this.output ??= createDoor(this.settings(), { doorsDir: this.doorsDir });
    return this.output;
  }

  /** The door settings changed: the next `get` builds the door anew. */
  reset(): void {
    this.output = null;
  }
}
