// The main process's owner of model packs: list, download, import, verify, remove, the active
// pack and the licence acknowledgement. Everything it emits is a plain object, ready for IPC.
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { bundledCatalogPath, loadCatalog, PACK_NAME, type Catalog, type CatalogPack } from './catalog.js';
import { discardPartial, type FetchLike, type TransferProgress } from './download.js';
import {
  SharedDownloads,
  stagePack,
  type DownloadCallOptions,
  type FetchContext,
  type PackPhase,
  type PackProgress,
} from './fetch-pack.js';
import { PackError, type PackErrorCode } from './errors.js';
import { formatBytes, sha256File, statfsFreeSpace, type FreeSpace, type Hasher } from './hash.js';
import { installPack, makeStaging, readManifest, verifyZip, type PackManifest } from './install.js';
import { envProxyFetch } from './net.js';
import { onnxRouter, type ModelRouter } from './signature.js';
import { HashCache, verifyPack, type VerifyReport } from './verify.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { PackView } from '../../preload/contract/packs.js';
import { messageOf } from '../util/message-of.js';

export type { DownloadCallOptions, PackPhase, PackProgress } from './fetch-pack.js';

export type PackEvent =
  | { type: 'progress'; progress: PackProgress }
  | { type: 'installed'; pack: string }
  | { type: 'failed'; pack: string; code: PackErrorCode; message: string }
  | { type: 'removed'; pack: string }
  | { type: 'active'; pack: string | null };

/** A pack as listed: the contract's PackView, so it crosses IPC unchanged. */
export type PackInfo = PackView;

/** What the engine loads: a verified pack folder and its files by role. */
export interface LoadablePack {
  name: string;
  dir: string;
  files: PackManifest['files'];
  recognizer: string | null;
  threshold: number | null;
}

export interface PackManagerOptions {
  root: string;
  /** Catalog JSON; the bundled models/catalog.json by default. */
  catalogPath?: string;
  /** Electron's net.fetch in the app; an env-proxy undici fetch by default. */
  fetch?: FetchLike;
  hasher?: Hasher;
  freeSpace?: FreeSpace;
  router?: ModelRouter;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  progressIntervalMs?: number;
}

interface State {
  active: string | null;
  acknowledgedLicenses: string[];
}

const STATE_FILE = 'packs-state.json';
const CACHE_FILE = '.hash-cache.json';
const DOWNLOADS = '.downloads';

export class PackManager {
  readonly root: string;
  readonly catalogPath: string;
  private readonly fetchImpl: FetchLike;
  private readonly hasher: Hasher;
  private readonly freeSpace: FreeSpace;
  private readonly router: ModelRouter;
  private readonly cache: HashCache;
  private readonly downloads = new SharedDownloads<PackInfo>();
  private readonly listeners = new Set<(e: PackEvent) => void>();
  private catalog: Catalog | null = null;
  private prepared: Promise<void> | null = null;

  constructor(private readonly options: PackManagerOptions) {
    this.root = path.resolve(options.root);
    this.catalogPath = options.catalogPath ?? bundledCatalogPath();
    this.fetchImpl = options.fetch ?? envProxyFetch;
    this.hasher = options.hasher ?? sha256File;
    this.freeSpace = options.freeSpace ?? statfsFreeSpace;
    this.router = options.router ?? onnxRouter;
    this.cache = new HashCache(path.join(this.root, CACHE_FILE), this.hasher);
  }

  /** Listens to every pack event; returns the unsubscribe function. */
  subscribe(listener: (event: PackEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: PackEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  async getCatalog(): Promise<Catalog> {
    this.catalog ??= await loadCatalog(this.catalogPath);
    return this.catalog;
  }

  private async entry(name: string): Promise<CatalogPack | null> {
    return (await this.getCatalog()).packs.find((p) => p.name === name) ?? null;
  }

  packDir(name: string): string {
    return path.join(this.root, checkName(name));
  }

  /** Creates the root and undoes what a crash mid-install left behind. */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      await mkdir(path.join(this.root, DOWNLOADS), { recursive: true });
      for (const entry of await readdir(this.root)) {
        const full = path.join(this.root, entry);
        if (entry.startsWith('.staging-')) await rm(full, { recursive: true, force: true });
        const old = entry.match(/^\.old-(.+)-[0-9a-f]{8}$/);
        if (old) {
          // A crash between the two renames of an install: the previous pack comes back.
          const target = path.join(this.root, old[1]!);
          if (await exists(target)) await rm(full, { recursive: true, force: true });
          else await rename(full, target);
        }
      }
    })();
    return this.prepared;
  }

  private async readState(): Promise<State> {
    try {
      const raw = JSON.parse(await readFile(path.join(this.root, STATE_FILE), 'utf8')) as Partial<State>;
      return {
        active: typeof raw.active === 'string' ? raw.active : null,
        acknowledgedLicenses: Array.isArray(raw.acknowledgedLicenses)
          ? raw.acknowledgedLicenses.filter((x): x is string => typeof x === 'string')
          : [],
      };
    } catch {
      return { active: null, acknowledgedLicenses: [] };
    }
  }

  private async writeState(state: State): Promise<void> {
    await this.prepare();
    await writeFileAtomic(path.join(this.root, STATE_FILE), JSON.stringify(state, null, 2), { mode: 0o644 });
  }

  private async installedManifests(): Promise<Map<string, PackManifest>> {
    const out = new Map<string, PackManifest>();
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return out;
    }
    for (const entry of entries) {
      if (entry.startsWith('.') || !PACK_NAME.safeParse(entry).success) continue;
      const manifest = await readManifest(path.join(this.root, entry));
      if (manifest) out.set(entry, manifest);
    }
    return out;
  }

  /** The active pack: the one chosen, else the catalog's default if installed. */
  async getActive(): Promise<string | null> {
    const state = await this.readState();
    const installed = await this.installedManifests();
    if (state.active && installed.has(state.active)) return state.active;
    const catalog = await this.getCatalog();
    const fallback = catalog.packs.find((p) => p.default && installed.has(p.name));
    return fallback?.name ?? null;
  }

  async setActive(name: string): Promise<void> {
    const manifest = await readManifest(this.packDir(name));
    if (!manifest) throw new PackError('NOT_FOUND', `pack ${name} is not installed`);
    if (manifest.kind !== 'face')
      throw new PackError('BAD_INPUT', `pack ${name} is an add-on, not a face pack`);
    await this.writeState({ ...(await this.readState()), active: name });
    this.emit({ type: 'active', pack: name });
  }

  /** Acknowledges a licence group ('insightface'), or the group of the named pack. */
  async acknowledgeLicense(nameOrGroup: string): Promise<void> {
    const group = (await this.entry(nameOrGroup))?.licenseAck ?? nameOrGroup;
    const state = await this.readState();
    if (!state.acknowledgedLicenses.includes(group)) {
      await this.writeState({ ...state, acknowledgedLicenses: [...state.acknowledgedLicenses, group] });
    }
  }

  async isLicenseAcknowledged(nameOrGroup: string): Promise<boolean> {
    const entry = await this.entry(nameOrGroup);
    const group = entry ? entry.licenseAck : nameOrGroup;
    if (!group) return true;
    return (await this.readState()).acknowledgedLicenses.includes(group);
  }

  async list(): Promise<PackInfo[]> {
    await this.prepare();
    const catalog = await this.getCatalog();
    const installed = await this.installedManifests();
    const active = await this.getActive();
    const acknowledged = new Set((await this.readState()).acknowledgedLicenses);
    const info = (name: string, entry: CatalogPack | null, manifest: PackManifest | undefined): PackInfo => {
      const recognizerFile =
        manifest?.files.find((f) => f.role === 'recognition') ??
        entry?.files?.find((f) => f.role === 'recognition');
      const catalogRecognizer = entry?.files?.find((f) => f.role === 'recognition');
      return {
        name,
        kind: manifest?.kind ?? entry?.kind ?? 'face',
        source: entry ? 'catalog' : 'import',
        description: entry?.description ?? null,
        installed: manifest !== undefined,
        active: name === active,
        default: entry?.default ?? false,
        downloading: this.downloads.get(name) !== undefined,
        size: entry?.size ?? (manifest ? manifest.files.reduce((sum, f) => sum + f.size, 0) : null),
        license: entry?.license ?? null,
        licenseAck: entry?.licenseAck ?? null,
        licenseAcknowledged: !entry?.licenseAck || acknowledged.has(entry.licenseAck),
        recognizer: recognizerFile?.name ?? null,
        threshold: catalogRecognizer?.threshold ?? entry?.threshold ?? null,
      };
    };
    const out = catalog.packs.map((entry) => info(entry.name, entry, installed.get(entry.name)));
    for (const [name, manifest] of installed) {
      if (!catalog.packs.some((p) => p.name === name)) out.push(info(name, null, manifest));
    }
    return out;
  }

  private async infoOf(name: string): Promise<PackInfo> {
    const found = (await this.list()).find((p) => p.name === name);
    if (!found) throw new PackError('NOT_FOUND', `pack ${name} is neither in the catalog nor installed`);
    return found;
  }

  /**
   * Downloads, checks and installs a catalog pack. Two calls for the same pack share one
   * transfer; each caller's signal cancels only its wait, and the transfer stops when every
   * caller has cancelled.
   */
  async download(name: string, opts: DownloadCallOptions = {}): Promise<PackInfo> {
    let shared = this.downloads.get(name);
    if (!shared) {
      const entry = await this.entry(name);
      if (!entry) {
        throw new PackError('NOT_FOUND', `pack ${name} is not in the catalog ${this.catalogPath}`);
      }
      if (entry.licenseAck && !(await this.isLicenseAcknowledged(name))) {
        throw new PackError(
          'LICENSE_NOT_ACKNOWLEDGED',
          `pack ${name} is under this licence: "${entry.license ?? entry.licenseAck}". ` +
            `Acknowledge it once before the first download (CLI: tobira models download ${name} --accept-license)`,
        );
      }
      // Another caller may have started while we awaited.
      shared =
        this.downloads.get(name) ??
        this.downloads.start(
          name,
          (signal, report) => this.runDownload(entry, signal, report),
          (progress) => this.emit({ type: 'progress', progress }),
        );
    }
    return this.downloads.join(shared, name, opts);
  }

  private async runDownload(
    entry: CatalogPack,
    signal: AbortSignal,
    report: (p: PackProgress) => void,
  ): Promise<PackInfo> {
    const name = entry.name;
    await this.prepare();
    let lastPercent = 0;
    const emit = (phase: PackPhase, t: TransferProgress, percent: number | null) => {
      if (percent !== null) lastPercent = Math.max(lastPercent, percent);
      report({ pack: name, phase, ...t, percent: percent === null ? null : lastPercent });
    };
    try {
      const staged = await stagePack(entry, this.fetchContext(), signal, emit);
      const manifest = await installPack(staged.source, staged.staging, {
        root: this.root,
        name,
        catalog: entry,
        router: this.router,
        hasher: this.hasher,
        zipSha256: staged.zipSha256,
        signal,
      });
      if (staged.partial) await discardPartial(staged.partial);
      const total = manifest.files.reduce((sum, f) => sum + f.size, 0);
      emit('done', { bytes: total, total, bytesPerSecond: 0, etaSeconds: 0 }, 100);
      this.cache.forget(this.packDir(name));
      if (entry.kind === 'face' && !(await this.readState()).active) {
        await this.writeState({ ...(await this.readState()), active: name });
        this.emit({ type: 'active', pack: name });
      }
      this.emit({ type: 'installed', pack: name });
      return await this.infoOf(name);
    } catch (error) {
      const packError =
        error instanceof PackError
          ? error
          : new PackError('BAD_INPUT', `installing pack ${name} failed: ${messageOf(error)}`, {
              cause: error,
            });
      this.emit({ type: 'failed', pack: name, code: packError.code, message: packError.message });
      throw packError;
    }
  }

  private fetchContext(): FetchContext {
    return {
      root: this.root,
      downloadsDir: path.join(this.root, DOWNLOADS),
      hasher: this.hasher,
      transfer: {
        fetch: this.fetchImpl,
        freeSpace: this.freeSpace,
        timeoutMs: this.options.timeoutMs,
        retries: this.options.retries,
        backoffMs: this.options.backoffMs,
        progressIntervalMs: this.options.progressIntervalMs,
      },
    };
  }

  /**
   * Installs a pack from a zip or a folder, with no network. A name that is in the catalog is
   * checked against the catalog's hashes; any other name is a custom pack, whose models are
   * routed by their ONNX signature and which must hold a detector.
   */
  async import(source: string, opts: { name?: string } = {}): Promise<PackInfo> {
    await this.prepare();
    let info;
    try {
      info = await stat(source);
    } catch {
      throw new PackError('NOT_FOUND', `${source} does not exist`);
    }
    const isZip = info.isFile();
    if (!isZip && !info.isDirectory())
      throw new PackError('BAD_INPUT', `${source} is neither a zip file nor a folder`);
    const name = checkName(opts.name ?? path.basename(source).replace(/\.zip$/i, ''));
    if (this.downloads.get(name) !== undefined)
      throw new PackError('BAD_INPUT', `pack ${name} is being downloaded; wait or cancel`);
    const entry = await this.entry(name);
    const need = isZip ? info.size : await folderSize(source);
    const free = await this.freeSpace(this.root);
    if (free < need) {
      throw new PackError(
        'DISK_FULL',
        `not enough disk space in ${this.root} to import ${source}: need ${formatBytes(need)}, ${formatBytes(free)} free`,
      );
    }
    const zipSha256 = isZip ? await verifyZip(source, entry?.url ? entry : null, this.hasher) : undefined;
    const staging = await makeStaging(this.root, name);
    await installPack(isZip ? { zip: source } : { dir: source }, staging, {
      root: this.root,
      name,
      catalog: entry,
      router: this.router,
      hasher: this.hasher,
      zipSha256,
    });
    this.cache.forget(this.packDir(name));
    const manifest = await readManifest(this.packDir(name));
    if (manifest?.kind === 'face' && !(await this.readState()).active) {
      await this.writeState({ ...(await this.readState()), active: name });
      this.emit({ type: 'active', pack: name });
    }
    this.emit({ type: 'installed', pack: name });
    return this.infoOf(name);
  }

  async remove(name: string): Promise<void> {
    const dir = this.packDir(name);
    if (!(await readManifest(dir))) throw new PackError('NOT_FOUND', `pack ${name} is not installed`);
    await this.prepare();
    // Rename first: the folder vanishes at once, even if deleting its files takes a while.
    const doomed = path.join(this.root, `.staging-removed-${name}-${Date.now()}`);
    await rename(dir, doomed);
    await rm(doomed, { recursive: true, force: true });
    await discardPartial(path.join(this.root, DOWNLOADS, `${name}.zip.part`));
    this.cache.forget(dir);
    await this.cache.save();
    const state = await this.readState();
    if (state.active === name) {
      await this.writeState({ ...state, active: null });
      this.emit({ type: 'active', pack: null });
    }
    this.emit({ type: 'removed', pack: name });
  }

  async verify(name: string): Promise<VerifyReport> {
    return verifyPack(this.packDir(name), name, await this.entry(name), this.cache);
  }

  /**
   * The check before sessions are created: the active (or named) pack, verified. Throws a
   * PackError naming the file and the action when it is missing or corrupt.
   */
  async resolveForLoad(name?: string): Promise<LoadablePack> {
    await this.prepare();
    const chosen = name ?? (await this.getActive());
    if (!chosen) {
      throw new PackError(
        'NOT_FOUND',
        'no model pack is installed: download one, or import it from a zip or folder',
      );
    }
    const report = await this.verify(chosen);
    if (!report.ok) {
      const code = report.files.some((f) => f.status === 'corrupt') ? 'CORRUPT_FILE' : 'MISSING_FILE';
      throw new PackError(code, report.problems.join('\n'));
    }
    const manifest = (await readManifest(this.packDir(chosen)))!;
    const entry = await this.entry(chosen);
    const recognizer = manifest.files.find((f) => f.role === 'recognition')?.name ?? null;
    const threshold =
      entry?.files?.find((f) => f.role === 'recognition')?.threshold ?? entry?.threshold ?? null;
    return { name: chosen, dir: this.packDir(chosen), files: manifest.files, recognizer, threshold };
  }
}

function checkName(name: string): string {
  if (!PACK_NAME.safeParse(name).success) {
    throw new PackError(
      'BAD_INPUT',
      `"${name}" is not a valid pack name (1-64 letters, digits, ".", "_" or "-")`,
    );
  }
  return name;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function folderSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
