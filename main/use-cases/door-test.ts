// The admin's door test: the door the settings describe opens once, and the answer says how it
// went in the door's words. Its audit line is declared in the contract (testDoor: 'door_test').
import type { Audited } from '../audit/types.js';
import type { DoorOutput } from '../door/types.js';
import { messageOf } from '../util/message-of.js';

export interface DoorTestResult {
  ok: boolean;
  message: string;
  elapsedMs: number;
}

export async function testDoor(door: () => DoorOutput): Promise<Audited<DoorTestResult>> {
  try {
    const result = await door().test();
    return {
      value: {
        ok: result.ok,
        message: result.ok
          ? `${result.kind}: opened (${result.reason ?? 'ok'})`
          : `${result.kind}: ${result.reason}`,
        elapsedMs: result.durationMs,
      },
      audit: {
        detail: { kind: result.kind, reason: result.reason, attempts: result.attempts },
        ok: result.ok,
      },
    };
  } catch (error) {
    // A door that could not even be built (a bad setting) is not a test: no line.
    return { value: { ok: false, message: messageOf(error), elapsedMs: 0 }, audit: null };
  }
}
