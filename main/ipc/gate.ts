// The one gate every IPC message passes: sender, channel, payload shape and
// size. Handlers behind it receive parsed, typed arguments only.
import { channels, CHANNEL_NAMES } from '../../preload/contract/index.js';
import type { ChannelName, Channels } from '../../preload/contract/index.js';
import type { AuditOf, Outcome, ParsedRequestOf, ResultOf } from '../../preload/contract/define.js';
import type { AdminAction, AdminRecord, Audited } from '../audit/types.js';
import { FrameMetaSchema } from '../../preload/contract/frames.js';
import { expectedOf, serializeError } from './errors.js';
import type { FrameSource } from '../frames/frame-routing.js';

/** Who sent a message, as the Electron shell (or the test bridge) saw it. */
export interface Sender {
  /** The WebContents id the message came from. */
  contentsId: number;
  /** The sending frame's URL. */
  url: string;
  /** True when the sending frame is the window's top frame. */
  isTopFrame: boolean;
}

/**
 * What the gate needs from the admin session (main/admin/admin-session.ts), and nothing more.
 */
export interface AdminSessions {
  /** True while this window holds a live admin session. Asking never extends it. */
  isActive(contentsId: number): boolean;
}

export interface GatePolicy {
  /** Origins the app's page is served from, e.g. `app://tobira` (or the test server's). */
  allowedOrigins: readonly string[];
  /** The WebContents of the app window; null before it exists. */
  appContentsId: () => number | null;
  /** Channels whose contract access is 'admin' need a live session here. */
  admin: AdminSessions;
  /** The WebContents of the capture context (see frames/frame-routing.ts); null before it exists. */
  captureContentsId?: () => number | null;
  /** Writes an audited channel's line (audit/admin-audit.ts): best effort, it never throws. */
  auditAdmin: AdminAuditSink;
  /**
   * For a channel the contract marks 'pin-again': resolves when `given` is the admin PIN, and
   * throws the expected failure otherwise (PIN_REQUIRED, WRONG_PIN, LOCKED_OUT), counting and
   * auditing it like any PIN typed (handlers/common.ts requirePinAgain).
   */
  pinAgain: (given: string | undefined, what: string) => Promise<void>;
}

export type AdminAuditSink = (
  action: AdminAction,
  detail: AdminRecord['detail'],
  ok: boolean,
) => Promise<void>;

/** What a handler returns: its channel's result, with its audit line when the contract declares one. */
export type HandlerResult<K extends ChannelName> =
  AuditOf<Channels[K]> extends null ? ResultOf<Channels[K]> : Audited<ResultOf<Channels[K]>>;

export type Handler<K extends ChannelName> = (
  arg: ParsedRequestOf<Channels[K]>,
  sender: Sender,
) => Promise<HandlerResult<K>> | HandlerResult<K>;

export type HandlerTable = { [K in ChannelName]: Handler<K> };

/** A JSON payload larger than this is refused before parsing: no channel needs more. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export type Refusal = { ok: false; code: string; message: string };
const fail = (code: string, message: string): Refusal => ({ ok: false, code, message });

export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // Custom schemes report origin "null"; rebuild it from scheme and host.
    return parsed.origin !== 'null' ? parsed.origin : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

export class IpcGate {
  constructor(
    private readonly handlers: HandlerTable,
    private readonly policy: GatePolicy,
  ) {}

  /** Null when the sender may talk to main; otherwise why not. */
  checkSender(sender: Sender): Refusal | null {
    const appId = this.policy.appContentsId();
    if (appId === null || sender.contentsId !== appId) {
      return fail('FORBIDDEN_SENDER', 'message from a window that is not the app window');
    }
    if (!sender.isTopFrame) return fail('FORBIDDEN_SENDER', 'message from a subframe');
    const origin = originOf(sender.url);
    if (origin === null || !this.policy.allowedOrigins.includes(origin)) {
      return fail('FORBIDDEN_SENDER', `message from a foreign origin: ${origin ?? sender.url}`);
    }
    return null;
  }

  async handle(channel: string, sender: Sender, payload: unknown): Promise<Outcome<unknown>> {
    const refused = this.checkSender(sender);
    if (refused) return refused;
    if (!isChannelName(channel)) return fail('UNKNOWN_CHANNEL', `unknown channel: ${channel.slice(0, 64)}`);
    // Access is declared per channel in the contract and checked here, before the
    // payload is even read: no handler has to remember it.
    if (channels[channel].access === 'admin' && !this.policy.admin.isActive(sender.contentsId)) {
      return fail('ADMIN_REQUIRED', 'Unlock the admin screen first.');
    }
    const size = payloadSize(payload);
    if (size === null) return fail('INVALID_PAYLOAD', `${channel}: payload is not plain data`);
    if (size > MAX_PAYLOAD_BYTES) {
      return fail(
        'PAYLOAD_TOO_LARGE',
        `${channel}: payload is ${size} bytes, the limit is ${MAX_PAYLOAD_BYTES}`,
      );
    }
    const parsed = channels[channel].request.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'payload';
      return fail('INVALID_PAYLOAD', `${channel}: ${where}: ${issue?.message ?? 'invalid'}`);
    }
    // An audited channel's line is written here, from what its handler reported: declared in the
    // contract like its access, so no handler can forget it.
    const action: AdminAction | null = channels[channel].audit;
    try {
      // A change that decides who gets in needs the PIN typed again, whatever the session; the
      // handler never sees the PIN.
      const arg =
        channels[channel].confirm === 'pin-again' ? await this.confirmed(channel, parsed.data) : parsed.data;
      const handler = this.handlers[channel] as (arg: unknown, sender: Sender) => unknown;
      const result = await handler(arg, sender);
      if (action === null) return { ok: true, value: result };
      const { value, audit } = result as Audited<unknown>;
      if (audit) await this.policy.auditAdmin(action, audit.detail, audit.ok ?? true);
      return { ok: true, value };
    } catch (error) {
      const expected = expectedOf(error);
      // A refused attempt that is worth a line (a wrong current PIN) says so in its error.
      if (action !== null && expected?.audit)
        await this.policy.auditAdmin(action, expected.audit.detail, false);
      if (expected) return fail(expected.code, expected.message);
      const serialized = serializeError(error);
      return {
        ok: false,
        code: serialized.code ?? 'INTERNAL',
        message: serialized.message,
        error: serialized,
      };
    }
  }

  private async confirmed(channel: ChannelName, data: unknown): Promise<unknown> {
    const { pin, ...rest } = data as { pin?: string };
    await this.policy.pinAgain(pin, channel);
    return rest;
  }

  /**
   * Checks a frame's metadata and byte length. Returns the pixels as a view, or
   * the reason the frame was refused.
   */
  checkFrame(
    sender: Sender,
    message: unknown,
  ):
    { ok: true; id: number; width: number; height: number; rgba: Uint8Array; source: FrameSource } | Refusal {
    const source = this.frameSourceOf(sender);
    if (!source.ok) return source;
    if (typeof message !== 'object' || message === null)
      return fail('INVALID_FRAME', 'frame is not an object');
    const { data, ...meta } = message as Record<string, unknown>;
    const parsed = FrameMetaSchema.safeParse(meta);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail('INVALID_FRAME', `frame ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`);
    }
    const bytes = toBytes(data);
    if (!bytes) return fail('INVALID_FRAME', 'frame data is not an ArrayBuffer or byte array');
    const expected = parsed.data.width * parsed.data.height * 4;
    if (bytes.byteLength !== expected) {
      return fail(
        'INVALID_FRAME',
        `frame data is ${bytes.byteLength} bytes; ${parsed.data.width}x${parsed.data.height} RGBA needs ${expected}`,
      );
    }
    return { ok: true, ...parsed.data, rgba: bytes, source: source.source };
  }

  /**
   * A frame's sender is the app window (the UI renderer) or the capture context; anything else
   * is refused. The capture context never passes `checkSender`: it may send frames, nothing else.
   */
  private frameSourceOf(sender: Sender): { ok: true; source: FrameSource } | Refusal {
    const captureId = this.policy.captureContentsId?.() ?? null;
    // The app window is never the capture context, even if both ids were misconfigured alike.
    if (captureId === null || sender.contentsId !== captureId || captureId === this.policy.appContentsId()) {
      const refused = this.checkSender(sender);
      return refused ?? { ok: true, source: 'ui' };
    }
    if (!sender.isTopFrame) return fail('FORBIDDEN_SENDER', 'frame from a subframe');
    const origin = originOf(sender.url);
    if (origin === null || !this.policy.allowedOrigins.includes(origin)) {
      return fail('FORBIDDEN_SENDER', `frame from a foreign origin: ${origin ?? sender.url}`);
    }
    return { ok: true, source: 'capture' };
  }
}

function isChannelName(name: string): name is ChannelName {
  return (CHANNEL_NAMES as string[]).includes(name);
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** Size as JSON; null for values that are not plain data (functions, cycles, binary). */
function payloadSize(payload: unknown): number | null {
  if (payload === undefined) return 0;
  if (payload instanceof ArrayBuffer || ArrayBuffer.isView(payload)) return null;
  try {
    const json = JSON.stringify(payload);
    return json === undefined ? null : Buffer.byteLength(json);
  } catch {
    return null;
  }
}
