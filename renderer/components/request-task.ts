// Admin requests as cancellable tasks, on @lit/task: a request in flight is `pending` (its
// buttons are disabled), a new request aborts the one before it, and leaving the panel (the
// host disconnecting) aborts the one in flight. An aborted request's late result is dropped:
// `run` resolves to undefined and never calls `onError`, so nothing stale is rendered.
import { Task, TaskStatus } from '@lit/task';
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** One request: it may pass the signal on, and its result is dropped once the signal aborts. */
export type Work<T> = (signal: AbortSignal) => Promise<T>;

/** Settles as `pending` does, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class RequestTask implements ReactiveController {
  private readonly task: Task<[Work<unknown>], unknown>;

  /** `onError` hears the failures of the latest request only, never of an aborted one. */
  constructor(
    host: ReactiveControllerHost,
    private readonly onError: (error: unknown) => void,
  ) {
    host.addController(this);
    this.task = new Task<[Work<unknown>], unknown>(host, {
      task: ([work], { signal }) => untilAborted(work(signal), signal),
      autoRun: false,
    });
  }

  /** A request is in flight: its controls are disabled. */
  get pending(): boolean {
    return this.task.status === TaskStatus.PENDING;
  }

  /**
   * Runs `work`, aborting the request before it. Resolves to its result, or to undefined when it
   * failed (`onError` was told) or was aborted (its result is dropped).
   */
  async run<T>(work: Work<T>): Promise<T | undefined> {
    // Filled in by this run's own task function, which @lit/task calls with the run's signal.
    const run: { signal?: AbortSignal; outcome?: { ok: true; value: T } | { ok: false; error: unknown } } =
      {};
    await this.task.run([
      async (signal: AbortSignal) => {
        run.signal = signal;
        try {
          const value = await work(signal);
          run.outcome = { ok: true, value };
          return value;
        } catch (error) {
          run.outcome = { ok: false, error };
          throw error;
        }
      },
    ]);
    const { signal, outcome } = run;
    if (!outcome || !signal || signal.aborted) return undefined;
    if (outcome.ok) return outcome.value;
    this.onError(outcome.error);
    return undefined;
  }

  /** Aborts the request in flight, if any: its result is dropped. */
  abort(): void {
    this.task.abort(new DOMException('The request was abandoned.', 'AbortError'));
  }

  hostConnected(): void {}

  /** Leaving the panel abandons its request. */
  hostDisconnected(): void {
    this.abort();
  }
}
