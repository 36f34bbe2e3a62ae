// The admin session: who holds the unlocked admin screen, and until when. It has an absolute
// lifetime (a kiosk is unattended: an admin who walks away must not leave it open), read-only
// questions never extend it, and it ends on logout, expiry, and a renderer crash, reload or
// navigation. Whatever an admin started (camera enrollment) listens to `onEnd` and stops with it.

/** Why a session ended. */
export type AdminEndReason = 'logout' | 'expired' | 'renderer-gone' | 'reloaded' | 'navigated' | 'closed';

/**
 * 10 minutes: long enough to enroll a few people or change settings in one sitting, short
 * enough that a kiosk left unlocked closes itself before the next passer-by is likely to try.
 */
export const ADMIN_SESSION_MS = 10 * 60_000;

export interface AdminSessionOptions {
  /** Absolute lifetime in ms, from login; nothing extends it. */
  lifetimeMs?: number;
  now?: () => number;
  /** Runs `fn` after `ms`; returns a cancel. Tests pass a fake; the default is an unref'd timer. */
  setTimer?: (fn: () => void, ms: number) => () => void;
}

type EndListener = (reason: AdminEndReason, contentsId: number) => void;

const realTimer = (fn: () => void, ms: number): (() => void) => {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

export class AdminSession {
  readonly lifetimeMs: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => () => void;
  private current: { contentsId: number; expiresAt: number; cancelTimer: () => void } | null = null;
  private readonly listeners = new Set<EndListener>();

  constructor(options: AdminSessionOptions = {}) {
    this.lifetimeMs = options.lifetimeMs ?? ADMIN_SESSION_MS;
    this.now = options.now ?? (() => Date.now());
    this.setTimer = options.setTimer ?? realTimer;
  }

  /** A successful PIN: the window `contentsId` holds the session from now, for the lifetime. */
  begin(contentsId: number): void {
    // A fresh login replaces any session before it: whatever that one started stops.
    if (this.current) this.end('logout');
    const expiresAt = this.now() + this.lifetimeMs;
    const cancelTimer = this.setTimer(() => this.expireIfDue(), this.lifetimeMs);
    this.current = { contentsId, expiresAt, cancelTimer };
  }

  /**
   * Whether a session is live (held by `contentsId`, when given). Never extends it. A session
   * found past its end is ended here too, so a late timer cannot leave it usable.
   */
  isActive(contentsId?: number): boolean {
    this.expireIfDue();
    if (!this.current) return false;
    return contentsId === undefined || this.current.contentsId === contentsId;
  }

  /** The window holding the session, or null. */
  get holder(): number | null {
    return this.isActive() ? this.current!.contentsId : null;
  }

  /** Ms left, or 0 without a session. */
  remainingMs(): number {
    return this.isActive() ? Math.max(0, this.current!.expiresAt - this.now()) : 0;
  }

  /**
   * Ends the session, if any (and if `contentsId` is given, only when that window holds it),
   * and tells every listener why.
   */
  end(reason: AdminEndReason, contentsId?: number): void {
    const ended = this.current;
    if (!ended || (contentsId !== undefined && ended.contentsId !== contentsId)) return;
    this.current = null;
    ended.cancelTimer();
    for (const listener of [...this.listeners]) listener(reason, ended.contentsId);
  }

  /** Called once per ended session; returns an unsubscribe. */
  onEnd(listener: EndListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private expireIfDue(): void {
    if (this.current && this.now() >= this.current.expiresAt) this.end('expired');
  }
}
