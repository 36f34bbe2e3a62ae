// Door outputs: how an unlock decision reaches the lock. Configs come from
// settings, so they are schemas, checked before use.
import { z } from 'zod';

/** 3 s: a common default unlock pulse for electric strikes. */
const holdMs = z.number().int().min(100).max(60_000).default(3000);
const timeoutMs = z.number().int().min(100).max(60_000).default(5000);

export const noneDoorSchema = z.object({ kind: z.literal('none'), holdMs });

export const commandDoorSchema = z.object({
  kind: z.literal('command'),
  holdMs,
  /** Absolute path or a name on PATH; run without a shell. */
  program: z.string().min(1),
  /** Each may hold {{holdMs}}, {{holdSeconds}}, {{event}}, {{personId}}, {{personName}}. */
  args: z.array(z.string()).default([]),
  timeoutMs,
});

export const httpDoorSchema = z.object({
  kind: z.literal('http'),
  holdMs,
  method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).default({}),
  /** Placeholders as for command args; values are JSON-string-escaped here. */
  body: z.string().optional(),
  timeoutMs,
  retries: z.number().int().min(0).max(5).default(2),
  /** Wait before retry k (k = 1, 2, …) is backoffMs · 2^(k-1). */
  backoffMs: z.number().int().min(0).max(10_000).default(250),
});

export const doorConfigSchema = z.discriminatedUnion('kind', [
  noneDoorSchema,
  commandDoorSchema,
  httpDoorSchema,
]);
export type DoorConfig = z.infer<typeof doorConfigSchema>;
export type DoorConfigInput = z.input<typeof doorConfigSchema>;

export interface DoorEvent {
  event: 'unlock' | 'test';
  personId: string | null;
  personName: string | null;
}

export interface DoorResult {
  ok: boolean;
  kind: DoorConfig['kind'];
  /** Why it failed (or 'log only' for none); null on success. */
  reason: string | null;
  attempts: number;
  durationMs: number;
  holdMs: number;
}

export interface DoorOutput {
  readonly kind: DoorConfig['kind'];
  readonly holdMs: number;
  open(event: Omit<DoorEvent, 'event'>): Promise<DoorResult>;
  /** The admin screen's test button: a real open with event 'test' and no person. */
  test(): Promise<DoorResult>;
}
