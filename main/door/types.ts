// Door outputs: how an unlock decision reaches the lock. Configs come from
// settings, so they are schemas, checked before use.
import { z } from 'zod';
import { doorIdSchema } from './doors-file.js';

/** 3 s: a common default unlock pulse for electric strikes. */
const holdMs = z.number().int().min(100).max(60_000).default(3000);
const timeoutMs = z.number().int().min(100).max(60_000).default(5000);

export const noneDoorSchema = z.object({ kind: z.literal('none'), holdMs }).strict();

/** A program from doors.json, chosen by id: the program and its arguments never come from settings. */
export const commandDoorSchema = z
  .object({
    kind: z.literal('command'),
    holdMs,
    doorId: doorIdSchema,
  })
  // Strict: a program or args smuggled into settings is an error, not silently dropped.
  .strict();

/** SPKI SHA-256 in base64, as `openssl ... | openssl dgst -sha256 -binary | base64` prints it (curl's --pinnedpubkey). */
export const spkiPinSchema = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 SHA-256 (44 characters)');

export const httpDoorSchema = z
  .object({
    kind: z.literal('http'),
    holdMs,
    method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
    url: z.url({ protocol: /^https?$/ }),
    /** Plain http:// is refused unless the admin says the network is trusted (the screen warns while on). */
    insecureNetwork: z.boolean().default(false),
    headers: z.record(z.string(), z.string()).default({}),
    /** Placeholders as for command args; values are JSON-string-escaped here. */
    body: z.string().optional(),
    /** The shared key the relay checks X-Tobira-Signature with (see README). */
    hmacKey: z.string().min(16, 'the HMAC key needs at least 16 characters'),
    /** Accept only these relay keys (SPKI SHA-256); the chain is then not checked, the key is. */
    pinSha256: z.array(spkiPinSchema).max(8).default([]),
    /** A private CA (PEM) to check the relay's certificate with, instead of the system's. */
    caPem: z.string().max(16_384).nullable().default(null),
    timeoutMs,
    retries: z.number().int().min(0).max(5).default(2),
    /** Wait before retry k (k = 1, 2, …) is backoffMs · 2^(k-1). */
    backoffMs: z.number().int().min(0).max(10_000).default(250),
  })
  .strict();

export const doorConfigSchema = z.discriminatedUnion('kind', [
  noneDoorSchema,
  commandDoorSchema,
  httpDoorSchema,
]);
export type DoorConfig = z.infer<typeof doorConfigSchema>;
export type DoorConfigInput = z.input<typeof doorConfigSchema>;

export interface DoorEvent {
  /** 'doorbell': the door screen's Call button (door.ts sends it only to a door that tells events apart). */
  event: 'unlock' | 'test' | 'doorbell';
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
  /**
   * The door screen's Call button, sent as event 'doorbell' to an HTTP door whose URL or body
   * carries {{event}}; null for any other door, which could not tell a ring from an open.
   */
  ring?(): Promise<DoorResult | null>;
}
