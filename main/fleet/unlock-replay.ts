// The used nonces of signed remote-unlock commands, kept on disk for the command window, so that a
// command captured off the wire stays refused after the kiosk restarts or its MQTT link reconnects
// (issue 17: with the nonces in memory, a replayed command opened the door again after a restart).
// Written atomically (util/atomic-write.ts) before the door opens: a nonce the door acted on is on
// disk first. A file that cannot be read refuses every command stamped before it was opened.
import { readFile } from 'node:fs/promises';
import { removeStaleTempFiles } from '../store/stale-temp.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import path from 'node:path';

/** A command stamped more than this before the door's clock is refused (transit plus clock skew). */
export const UNLOCK_PAST_MS = 30_000;
/**
 * A command stamped more than this after the door's clock is refused: a few seconds of skew
 * between the sender's clock and the door's (NTP keeps both well within it). It was 30 s, which
 * let a command made for later be held back and played once the door's clock reached it.
 */
export const UNLOCK_FUTURE_MS = 5_000;

export const UNLOCK_NONCES_FILE = 'unlock-nonces.json';

export type ClaimResult = 'ok' | 'stale' | 'replayed' | 'unrecorded';

export class UnlockReplayStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string | null,
    private readonly used: Map<string, number>,
    /** Commands stamped before this are refused (the file was unreadable: its nonces are unknown). */
    private readonly floor: number,
  ) {}

  /** The store in `file` (created on the first command). `now` is the door's clock. */
  static async open(file: string, now: number): Promise<UnlockReplayStore> {
    await removeStaleTempFiles(path.dirname(file), path.basename(file));
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return new UnlockReplayStore(file, new Map(), 0);
      return new UnlockReplayStore(file, new Map(), now);
    }
    const used = new Map<string, number>();
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      for (const [nonce, ts] of Object.entries(parsed)) {
        if (typeof ts !== 'number') throw new Error('not a time');
        used.set(nonce, ts);
      }
    } catch {
      return new UnlockReplayStore(file, new Map(), now);
    }
    return new UnlockReplayStore(file, used, 0);
  }

  /** Memory only, for a door without a folder (a test's broker check): lost on restart. */
  static memory(): UnlockReplayStore {
    return new UnlockReplayStore(null, new Map(), 0);
  }

  /**
   * Checks a signed command's time and nonce and records the nonce; 'ok' only once it is on disk.
   * The check and the record are one step in memory, so the same nonce twice at once opens once.
   */
  async claim(nonce: string, ts: number, now: number): Promise<ClaimResult> {
    if (ts < now - UNLOCK_PAST_MS || ts > now + UNLOCK_FUTURE_MS) return 'stale';
    if (ts < this.floor) return 'replayed';
    // A nonce older than the window is refused as stale by its time, so it need not be kept.
    for (const [n, t] of this.used) if (t < now - UNLOCK_PAST_MS) this.used.delete(n);
    if (this.used.has(nonce)) return 'replayed';
    this.used.set(nonce, ts);
    if (!this.file) return 'ok';
    const file = this.file;
    const write = this.writing.then(() =>
      writeFileAtomic(file, JSON.stringify(Object.fromEntries(this.used))),
    );
    this.writing = write.catch(() => undefined);
    try {
      await write;
      return 'ok';
    } catch {
      return 'unrecorded'; // the door does not open on a command it could not make single-use
    }
  }
}

/** Loopback hosts: a broker on the door's own PC, where no one on the network reads the wire. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Remote unlock goes over TLS (mqtts:// or wss://) unless the broker is on loopback: on plain
 * mqtt:// anyone on the path reads and keeps the signed commands (issue 17). Null when allowed,
 * else the sentence that says why not.
 */
export function remoteUnlockTransportProblem(brokerUrl: URL): string | null {
  if (brokerUrl.protocol === 'mqtts:' || brokerUrl.protocol === 'wss:') return null;
  if (isLoopbackHost(brokerUrl.hostname)) return null;
  return (
    `remote unlock needs TLS to a broker other than on loopback: ${brokerUrl.protocol}//${brokerUrl.host} ` +
    'is plain text, where anyone on the network reads the commands; use mqtts:// (with --ca FILE for a private CA)'
  );
}
