// Append-only JSONL audit log. `audit.jsonl` is the live file; when it would
// pass `maxFileBytes` it becomes audit.1.jsonl (older ones shift up) and the
// oldest beyond `maxFiles` is dropped. Each line is chained to the one before
// (audit-chain.ts), across rotations; `tobira audit verify` checks the chain.
import { randomUUID, type KeyObject } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import {
  chainLine,
  GENESIS,
  hashLine,
  isRecordLine,
  parseLine,
  PUBLIC_KEY_FILE,
  publicKeyPem,
} from './audit-chain.js';
import { CSV_COLUMNS, csvRow } from './csv.js';
import type { AdminInput, AdminRecord, AuditEntry, AuditInput, AuditRecord } from './types.js';

export interface AuditLogOptions {
  /** 5 MiB: about 10,000 decisions per file. */
  maxFileBytes?: number;
  /** Files kept, the live one included. */
  maxFiles?: number;
  /** Keep a snapshot of failed attempts (opt-in: they are photos of people). */
  snapshots?: boolean;
  /** Encrypts snapshots at rest (EnrollmentStore.sealAttachment); they are then stored as .sealed. */
  sealSnapshot?: (jpeg: Uint8Array) => Uint8Array;
  maxSnapshots?: number;
  /** The chain's HMAC key (EnrollmentStore.deriveKey(CHAIN_KEY_PURPOSE)); null writes lines without a MAC. */
  chainKey?: Buffer | null;
  /** Signs every line (signingKeyFromSeed(EnrollmentStore.deriveKey(SIGN_KEY_PURPOSE))); null: unsigned. */
  signingKey?: KeyObject | null;
}

export interface AuditPage<T = AuditRecord> {
  /** Newest first. */
  records: T[];
  total: number;
  /** Lines that are not records (the last line of a crash, or a hand-written one); never fatal. */
  skipped: number;
}

export const LIVE_FILE = 'audit.jsonl';
/** Files kept by default, the live one included: 10 × 5 MiB. */
export const DEFAULT_MAX_FILES = 10;
export const rotatedName = (n: number) => `audit.${n}.jsonl`;

export class AuditLog {
  private busy: Promise<unknown> = Promise.resolve();
  private readonly maxFileBytes: number;
  private readonly maxFiles: number;
  private readonly maxSnapshots: number;
  private readonly sealSnapshot: ((jpeg: Uint8Array) => Uint8Array) | null;
  private readonly chainKey: Buffer | null;
  private readonly signingKey: KeyObject | null;
  /** Whether the public key beside the log was checked (written if missing or other) by this log. */
  private publicKeyWritten = false;
  /**
   * The last line written (its seq and hash) and the live file's size after it. When
   * the size differs (the CLI appended from another process, or rotated), it is read again.
   */
  private tail: { seq: number; hash: string; size: number } | null = null;
  snapshotsEnabled: boolean;

  constructor(
    readonly dir: string,
    options: AuditLogOptions = {},
  ) {
    this.maxFileBytes = options.maxFileBytes ?? 5 * 1024 * 1024;
    this.maxFiles = Math.max(1, options.maxFiles ?? DEFAULT_MAX_FILES);
    this.maxSnapshots = options.maxSnapshots ?? 500;
    this.snapshotsEnabled = options.snapshots ?? false;
    this.sealSnapshot = options.sealSnapshot ?? null;
    this.chainKey = options.chainKey ?? null;
    this.signingKey = options.signingKey ?? null;
  }

  get snapshotDir(): string {
    return path.join(this.dir, 'snapshots');
  }

  /** Appends one decision. `snapshot` (JPEG bytes) is kept only for failed attempts with snapshots on. */
  append(input: AuditInput, snapshot?: Uint8Array): Promise<AuditRecord> {
    return this.serial(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const id = randomUUID();
      let snapshotName: string | null = null;
      if (snapshot && this.snapshotsEnabled && input.outcome !== 'unlocked') {
        snapshotName = this.sealSnapshot ? `${id}.jpg.sealed` : `${id}.jpg`;
        await mkdir(this.snapshotDir, { recursive: true, mode: 0o700 });
        const bytes = this.sealSnapshot ? this.sealSnapshot(snapshot) : snapshot;
        await writeFileAtomic(path.join(this.snapshotDir, snapshotName), bytes);
        await this.pruneSnapshots();
      }
      const record: AuditRecord = {
        ...input,
        id,
        time: input.time ?? new Date().toISOString(),
        snapshot: snapshotName,
      };
      await this.writeLine(record);
      return record;
    });
  }

  /** Logs something an admin did (on the screen or through the CLI). */
  appendAdmin(input: AdminInput): Promise<AdminRecord> {
    return this.serial(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const record: AdminRecord = {
        kind: 'admin',
        id: randomUUID(),
        time: input.time ?? new Date().toISOString(),
        action: input.action,
        actor: input.actor,
        ok: input.ok,
        detail: input.detail,
      };
      await this.writeLine(record);
      return record;
    });
  }

  private async writeLine(record: AuditEntry): Promise<void> {
    const live = path.join(this.dir, LIVE_FILE);
    const sizeNow = await stat(live).then(
      (s) => s.size,
      () => 0,
    );
    const tail = this.tail && this.tail.size === sizeNow ? this.tail : await this.readTail();
    await this.writePublicKey();
    const text = chainLine(record, tail.seq + 1, tail.hash, this.chainKey, this.signingKey);
    const line = text + '\n';
    await this.rotateIfNeeded(Buffer.byteLength(line));
    const handle = await open(live, 'a', 0o600);
    let written = 0;
    try {
      // A torn last line (a crash mid-write) must not swallow this one.
      const size = (await handle.stat()).size;
      const torn = size > 0 && (await lastByte(live, size)) !== 0x0a;
      await handle.write(torn ? '\n' + line : line);
      await handle.datasync();
      written = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    this.tail = { seq: tail.seq + 1, hash: hashLine(text), size: written };
  }

  /** The signing key's public half beside the log, so that it is exported with it. */
  private async writePublicKey(): Promise<void> {
    if (!this.signingKey || this.publicKeyWritten) return;
    const file = path.join(this.dir, PUBLIC_KEY_FILE);
    const pem = publicKeyPem(this.signingKey);
    if ((await readFile(file, 'utf8').catch(ignoreMissingText)) !== pem) await writeFileAtomic(file, pem);
    this.publicKeyWritten = true;
  }

  /** The newest readable line's seq (0 for unchained lines) and hash; genesis for an empty log. */
  private async readTail(): Promise<{ seq: number; hash: string; size: number }> {
    for (const name of this.fileNames()) {
      const text = await readFile(path.join(this.dir, name), 'utf8').catch(ignoreMissingText);
      const lines = text.split('\n').filter((l) => l.length > 0);
      for (let i = lines.length - 1; i >= 0; i--) {
        const parsed = parseLine(lines[i]!);
        if (!isRecordLine(parsed)) continue;
        return { seq: parsed.kind === 'chained' ? parsed.chain.seq : 0, hash: hashLine(lines[i]!), size: -1 };
      }
    }
    return { seq: 0, hash: GENESIS, size: -1 };
  }

  /** Newest first: the live file, then audit.1.jsonl, audit.2.jsonl, … */
  private fileNames(): string[] {
    return [LIVE_FILE, ...Array.from({ length: this.maxFiles - 1 }, (_, i) => rotatedName(i + 1))];
  }

  /** A snapshot's stored bytes (still sealed when sealSnapshot is set); the name comes from a record. */
  async readSnapshot(name: string): Promise<Buffer> {
    if (!/^[0-9a-f-]{36}\.jpg(\.sealed)?$/.test(name)) throw new Error(`not a snapshot name: ${name}`);
    return readFile(path.join(this.snapshotDir, name));
  }

  /** A page of records, newest first, for the admin viewer. */
  /** A page of the kiosk's decisions, newest first. */
  async read(options: { offset?: number; limit?: number } = {}): Promise<AuditPage> {
    const { records, skipped } = await this.readAll();
    return page(
      records.filter((r): r is AuditRecord => r.kind !== 'admin'),
      skipped,
      options,
    );
  }

  /** A page of everything, decisions and admin actions, newest first, for the admin viewer. */
  async readEntries(
    options: { offset?: number; limit?: number; keep?: (entry: AuditEntry) => boolean } = {},
  ): Promise<AuditPage<AuditEntry>> {
    const { records, skipped } = await this.readAll();
    return page(options.keep ? records.filter(options.keep) : records, skipped, options);
  }

  /**
   * Every decision after line `seq` of the chain, oldest first, each with its seq, and the
   * newest line's seq (admin lines move it too). One read of every file, under the append lock:
   * no line written meanwhile can shift what is read (the fleet's audit shipper, which reads
   * forward from the seq it last shipped). Lines from before the chain have seq 0 and come
   * first when `seq` is 0.
   */
  readSince(seq: number): Promise<{ records: { seq: number; record: AuditRecord }[]; lastSeq: number }> {
    return this.serial(async () => {
      const { records } = await this.readAll();
      const out: { seq: number; record: AuditRecord }[] = [];
      // Another AuditLog on the same folder (the kiosk's own) may rotate it mid-read: a file can
      // then be read twice, under two names. Each line once, by its id.
      const seen = new Set<string>();
      let lastSeq = 0;
      for (const entry of records.reverse()) {
        const at = (entry as { seq?: unknown }).seq;
        const lineSeq = typeof at === 'number' ? at : 0;
        lastSeq = Math.max(lastSeq, lineSeq);
        if (entry.kind === 'admin' || (lineSeq <= seq && !(seq === 0 && lineSeq === 0))) continue;
        if (seen.has(entry.id)) continue;
        seen.add(entry.id);
        out.push({ seq: lineSeq, record: entry });
      }
      out.sort((a, b) => a.seq - b.seq);
      return { records: out, lastSeq };
    });
  }

  /** The whole log, oldest first, as CSV. */
  async exportCsv(): Promise<string> {
    const { records } = await this.readAll();
    const rows = records.reverse().map(csvRow);
    return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
  }

  private async readAll(): Promise<{ records: AuditEntry[]; skipped: number }> {
    const records: AuditEntry[] = [];
    let skipped = 0;
    // Newest file first, newest line first within it.
    for (const name of this.fileNames()) {
      let text: string;
      try {
        text = await readFile(path.join(this.dir, name), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const lines = text.split('\n').filter((l) => l.length > 0);
      for (let i = lines.length - 1; i >= 0; i--) {
        // Only lines that are records with whole chain fields (or from before the chain) are
        // shown: a hand-written line without them is not (`tobira audit verify` names it).
        const parsed = parseLine(lines[i]!);
        if (isRecordLine(parsed)) records.push(parsed.record as unknown as AuditEntry);
        else skipped++;
      }
    }
    return { records, skipped };
  }

  private async rotateIfNeeded(incoming: number): Promise<void> {
    const live = path.join(this.dir, LIVE_FILE);
    let size = 0;
    try {
      size = (await stat(live)).size;
    } catch {
      return;
    }
    if (size === 0 || size + incoming <= this.maxFileBytes) return;
    await rm(path.join(this.dir, rotatedName(this.maxFiles - 1)), { force: true });
    for (let n = this.maxFiles - 2; n >= 1; n--) {
      await rename(path.join(this.dir, rotatedName(n)), path.join(this.dir, rotatedName(n + 1))).catch(
        ignoreMissing,
      );
    }
    if (this.maxFiles > 1) await rename(live, path.join(this.dir, rotatedName(1)));
    else await rm(live, { force: true });
  }

  private async pruneSnapshots(): Promise<void> {
    const names = (await readdir(this.snapshotDir)).filter((n) => /\.jpg(\.sealed)?$/.test(n));
    if (names.length <= this.maxSnapshots) return;
    const dated = await Promise.all(
      names.map(async (n) => ({ n, t: (await stat(path.join(this.snapshotDir, n))).mtimeMs })),
    );
    dated.sort((a, b) => a.t - b.t);
    for (const { n } of dated.slice(0, names.length - this.maxSnapshots)) {
      await rm(path.join(this.snapshotDir, n), { force: true });
    }
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.busy.then(task, task);
    this.busy = run.catch(() => undefined);
    return run;
  }
}

function page<T>(records: T[], skipped: number, options: { offset?: number; limit?: number }): AuditPage<T> {
  const offset = Math.max(0, options.offset ?? 0);
  const limit = Math.min(1000, Math.max(1, options.limit ?? 50));
  return { records: records.slice(offset, offset + limit), total: records.length, skipped };
}

async function lastByte(file: string, size: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const { buffer } = await handle.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0]!;
  } finally {
    await handle.close();
  }
}

function ignoreMissingText(error: unknown): string {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
  throw error;
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
