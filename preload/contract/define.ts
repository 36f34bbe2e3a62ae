// The building blocks of the IPC contract. A channel is a zod schema for its
// request plus a phantom type for its result; main's handler table, the
// preload API and the renderer's `window.tobira` type are all derived from it.
import { z } from 'zod';
import type { AdminAction } from './admin-actions.js';

declare const resultBrand: unique symbol;

/**
 * Who may call a channel, enforced by the gate in main/ipc/gate.ts (never by handlers):
 * 'public' for anyone at the door (the unlock screen, the PIN pad), 'admin' for a live
 * admin session only. A required argument, so a new channel cannot be public by omission.
 */
export type Access = 'public' | 'admin';

/**
 * The admin action a channel is, when it is one: the gate (main/ipc/gate.ts) writes its line in
 * the chained audit log from what the handler reports, so no handler has to remember it. Null
 * for a channel that changes nothing worth a line (reads, the PIN pad's checks).
 */
export type AuditedAs = AdminAction | null;

/**
 * 'pin-again' for a change that decides who gets in (issue 17: joining a fleet, starting an
 * enrollment, group and member edits): the gate (main/ipc/gate.ts) lets it through only with the
 * admin PIN typed again in the payload's `pin` (PinAgainSchema), checked and counted like a login,
 * even inside a live session. Settings and packs decide per change, in their handlers.
 */
export type Confirm = 'pin-again' | null;

/** The admin PIN typed again: optional in the schema, so that a call without it is PIN_REQUIRED. */
export const pinAgainField = { pin: z.string().min(1).max(64).optional() };

export interface Channel<Req extends z.ZodType, Res, Audit extends AuditedAs = AuditedAs> {
  readonly request: Req;
  readonly access: Access;
  readonly audit: Audit;
  readonly confirm: Confirm;
  /** Type-level only: never read at run time. */
  readonly [resultBrand]?: Res;
}

/**
 * `channel<Result>()(requestSchema, access, audit?, confirm?)`: curried so the result type can be
 * named while the request is inferred.
 */
export const channel =
  <Res>() =>
  <Req extends z.ZodType, Audit extends AuditedAs = null>(
    request: Req,
    access: Access,
    audit: Audit = null as Audit,
    confirm: Confirm = null,
  ): Channel<Req, Res, Audit> => ({ request, access, audit, confirm });

export type RequestOf<C> = C extends Channel<infer Req, unknown> ? z.input<Req> : never;
export type ParsedRequestOf<C> = C extends Channel<infer Req, unknown> ? z.output<Req> : never;
export type ResultOf<C> = C extends Channel<z.ZodType, infer Res> ? Res : never;
/** The admin action a channel declares, or null. */
export type AuditOf<C> = C extends Channel<z.ZodType, unknown, infer A> ? A : null;

/** Expected failures travel as values; unexpected errors carry their serialised form. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  cause?: SerializedError;
}

export type Outcome<T> =
  { ok: true; value: T } | { ok: false; code: string; message: string; error?: SerializedError };
