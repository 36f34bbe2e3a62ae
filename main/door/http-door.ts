// A request to a relay controller or home-automation webhook. Any 2xx is success;
// network errors, timeouts and 5xx are retried with exponential backoff, 4xx are not
// (a wrong URL or token will not fix itself).
import { fillTemplate, jsonStringContent } from './template.js';
import type { DoorConfig, DoorEvent, DoorResult } from './types.js';

type HttpConfig = Extract<DoorConfig, { kind: 'http' }>;

export async function runHttpDoor(config: HttpConfig, event: DoorEvent): Promise<DoorResult> {
  const started = performance.now();
  let attempts = 0;
  const done = (ok: boolean, reason: string | null): DoorResult => ({
    ok,
    kind: 'http',
    reason,
    attempts,
    durationMs: performance.now() - started,
    holdMs: config.holdMs,
  });
  let url: string;
  let body: string | undefined;
  try {
    url = fillTemplate(config.url, event, config.holdMs, encodeURIComponent);
    body =
      config.body === undefined
        ? undefined
        : fillTemplate(config.body, event, config.holdMs, jsonStringContent);
  } catch (error) {
    return done(false, (error as Error).message);
  }
  let reason = 'not attempted';
  for (let attempt = 0; attempt <= config.retries; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, config.backoffMs * 2 ** (attempt - 1)));
    attempts++;
    try {
      const response = await fetch(url, {
        method: config.method,
        headers: config.headers,
        ...(body !== undefined && config.method !== 'GET' ? { body } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined); // drain, so the socket is reused
      if (response.ok) return done(true, null);
      reason = `HTTP ${response.status} ${response.statusText}`.trim();
      if (response.status < 500) break;
    } catch (error) {
      const e = error as Error;
      reason =
        e.name === 'TimeoutError'
          ? `timed out after ${config.timeoutMs} ms`
          : `${e.message}${e.cause instanceof Error ? `: ${e.cause.message}` : ''}`;
    }
  }
  return done(false, reason);
}
