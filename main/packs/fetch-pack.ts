// Fetching a catalog pack into a staging folder, and one transfer per pack shared by its callers.
// A pack is one zip (resumable, checked against its hash) or an add-on's files one by one (each
// checked against its pinned hash). PackManager (manager.ts) installs what is staged here.
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CatalogPack } from './catalog.js';
import { discardPartial, downloadFile, type FetchLike, type TransferProgress } from './download.js';
import { PackError } from './errors.js';
import type { FreeSpace, Hasher } from './hash.js';
import { makeStaging, verifyZip, type StageSource } from './install.js';
import type { ExtractedFile } from './zip.js';

export type PackPhase = 'download' | 'verify' | 'extract' | 'done';

/** Progress of one pack operation. `percent` is overall (download 0-95, then checks), monotonic, ends at 100. */
export interface PackProgress extends TransferProgress {
  pack: string;
  phase: PackPhase;
  percent: number | null;
}

export interface DownloadCallOptions {
  signal?: AbortSignal;
  onProgress?: (progress: PackProgress) => void;
}

/** Where and how a pack is fetched: the manager's root and its transfer settings. */
export interface FetchContext {
  /** The packs' root: staging folders are made here. */
  root: string;
  /** Partial downloads, kept after a cut so the next try resumes. */
  downloadsDir: string;
  hasher: Hasher;
  transfer: {
    fetch: FetchLike;
    freeSpace: FreeSpace;
    timeoutMs: number | undefined;
    retries: number | undefined;
    backoffMs: number | undefined;
    progressIntervalMs: number | undefined;
  };
}

export type StageEmit = (phase: PackPhase, t: TransferProgress, percent: number | null) => void;

/** A fetched pack, checked and staged for installPack (install.ts). */
export interface StagedPack {
  source: StageSource;
  staging: string;
  zipSha256: string | undefined;
  /** The zip's partial file, removed once installed; null for an add-on's files. */
  partial: string | null;
}

/** Fetches a catalog pack (its zip, or an add-on's files) into a staging folder, checked. */
export function stagePack(
  entry: CatalogPack,
  ctx: FetchContext,
  signal: AbortSignal,
  emit: StageEmit,
): Promise<StagedPack> {
  return entry.url
    ? downloadZip(entry, entry.url, ctx, signal, emit)
    : downloadFiles(entry, ctx, signal, emit);
}

async function downloadZip(
  entry: CatalogPack,
  url: string,
  ctx: FetchContext,
  signal: AbortSignal,
  emit: StageEmit,
): Promise<StagedPack> {
  const partial = path.join(ctx.downloadsDir, `${entry.name}.zip.part`);
  const bytes = await downloadFile({
    ...ctx.transfer,
    url,
    dest: partial,
    signal,
    expectedSize: entry.size,
    // The extracted models take about as much room as the zip.
    extraSpace: entry.size ?? 0,
    onProgress: (t) => emit('download', t, t.total ? (95 * t.bytes) / t.total : null),
  });
  emit('verify', { bytes, total: bytes, bytesPerSecond: 0, etaSeconds: null }, 96);
  let zipSha256: string;
  try {
    zipSha256 = await verifyZip(partial, entry, ctx.hasher);
  } catch (error) {
    // A wrong zip cannot be resumed into a right one.
    await discardPartial(partial);
    throw error;
  }
  if (signal.aborted) throw new PackError('CANCELLED', `download of pack ${entry.name} was cancelled`);
  emit('extract', { bytes, total: bytes, bytesPerSecond: 0, etaSeconds: null }, 98);
  return {
    source: { zip: partial },
    staging: await makeStaging(ctx.root, entry.name),
    zipSha256,
    partial,
  };
}

/** Add-on packs: each file from its own URL, each checked against its pinned hash. */
async function downloadFiles(
  entry: CatalogPack,
  ctx: FetchContext,
  signal: AbortSignal,
  emit: StageEmit,
): Promise<StagedPack> {
  const files = entry.files ?? [];
  const sizes = files.map((f) => f.size ?? 0);
  const total = files.every((f) => f.size) ? sizes.reduce((a, b) => a + b, 0) : null;
  const partials: string[] = [];
  let done = 0;
  for (const [i, file] of files.entries()) {
    const partial = path.join(ctx.downloadsDir, `${entry.name}--${file.name}.part`);
    partials.push(partial);
    const before = done;
    done += await downloadFile({
      ...ctx.transfer,
      url: file.url!,
      dest: partial,
      signal,
      expectedSize: file.size,
      extraSpace: sizes.slice(i + 1).reduce((a, b) => a + b, 0),
      onProgress: (t) => {
        const bytes = before + t.bytes;
        emit('download', { ...t, bytes, total }, total ? (95 * bytes) / total : null);
      },
    });
  }
  emit('verify', { bytes: done, total: done, bytesPerSecond: 0, etaSeconds: null }, 96);
  const staging = await makeStaging(ctx.root, entry.name);
  const staged: ExtractedFile[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const sha256 = await ctx.hasher(partials[i]!);
      if (sha256 !== file.sha256) {
        await discardPartial(partials[i]!);
        throw new PackError(
          'CHECKSUM_MISMATCH',
          `${file.name} of pack ${entry.name} (${file.url}) has sha256 ${sha256}, but the catalog expects ${file.sha256}; nothing was installed`,
        );
      }
      const target = path.join(staging, file.name);
      await rename(partials[i]!, target);
      await discardPartial(partials[i]!);
      staged.push({ name: file.name, sha256, size: (await stat(target)).size });
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { source: { staged }, staging, zipSha256: undefined, partial: null };
}

interface SharedDownload<T> {
  promise: Promise<T>;
  controller: AbortController;
  listeners: Set<(p: PackProgress) => void>;
  callers: number;
}

/**
 * One transfer per pack, shared by every caller that asks for it while it runs. Each caller's
 * signal cancels only its own wait; the transfer stops when every caller has cancelled.
 */
export class SharedDownloads<T> {
  private readonly inflight = new Map<string, SharedDownload<T>>();

  get(name: string): SharedDownload<T> | undefined {
    return this.inflight.get(name);
  }

  /** Starts the transfer of `name`; `onProgress` hears every progress, before the callers do. */
  start(
    name: string,
    run: (signal: AbortSignal, report: (p: PackProgress) => void) => Promise<T>,
    onProgress: (p: PackProgress) => void,
  ): SharedDownload<T> {
    const controller = new AbortController();
    const listeners = new Set<(p: PackProgress) => void>();
    const promise = run(controller.signal, (p) => {
      onProgress(p);
      for (const l of listeners) l(p);
    }).finally(() => this.inflight.delete(name));
    promise.catch(() => {});
    const created: SharedDownload<T> = { controller, listeners, callers: 0, promise };
    this.inflight.set(name, created);
    return created;
  }

  join(shared: SharedDownload<T>, name: string, opts: DownloadCallOptions): Promise<T> {
    shared.callers++;
    if (opts.onProgress) shared.listeners.add(opts.onProgress);
    const leave = () => {
      if (opts.onProgress) shared.listeners.delete(opts.onProgress);
      shared.callers--;
    };
    if (!opts.signal) return shared.promise.finally(leave);
    const signal = opts.signal;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        leave();
        if (shared.callers === 0) shared.controller.abort();
        reject(new PackError('CANCELLED', `download of pack ${name} was cancelled`));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      shared.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          leave();
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          leave();
          reject(error);
        },
      );
    });
  }
}
