// Deadlines for the waits in tests: a lost message or event fails the test
// with a message naming what never came, instead of stalling the run.
import type { EventEmitter } from 'node:events';

/**
 * How long a test waits for one event. Generous on purpose: the tests run on
 * a 2-core machine shared by several jobs, and a deadline here is a guard
 * against a hang, never a speed requirement (speeds are in the bench).
 */
export const EVENT_WAIT_MS = 30_000;

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(what: string, promise: Promise<T>, ms = EVENT_WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The first argument of the next `event` from `emitter` (any of `events`), or a rejection after `ms`. */
export function nextEvent<T = unknown>(
  emitter: Pick<EventEmitter, 'once' | 'off'>,
  events: string | string[],
  what = String(events),
  ms = EVENT_WAIT_MS,
): Promise<T> {
  const names = typeof events === 'string' ? [events] : events;
  let listener: ((value: T) => void) | undefined;
  const fired = new Promise<T>((resolve) => {
    listener = (value: T) => resolve(value);
    for (const name of names) emitter.once(name, listener);
  });
  return within(what, fired, ms).finally(() => {
    for (const name of names) emitter.off(name, listener as (value: T) => void);
  });
}

/** The exit code of a child process (already exited or future), with a deadline. */
export function exitOf(
  child: Pick<EventEmitter, 'once' | 'off'> & { exitCode: number | null; signalCode: NodeJS.Signals | null },
  what: string,
  ms = EVENT_WAIT_MS,
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return nextEvent<number | null>(child, 'exit', what, ms);
}

/** Polls `probe` every 100 ms until it gives a value; fails naming `what` after `ms`. */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
