// The engine's lifecycle: loads the active face pack (and the liveness add-on) into whatever uses
// it (the kiosk), reloads on a pack switch or an engine setting, downloads packs with one progress
// figure, and reports its state as `engineStatus`. The composition root (main/services.ts) builds
// it; it knows the kiosk only through the `build` function it is given.
import type { EngineStatus, Events } from '../../preload/contract/events.js';
import type { Settings } from '../../preload/contract/settings.js';
import type { PackManager } from '../packs/manager.js';
import { isPackError } from '../packs/errors.js';
import { defaultSetupPacks, downloadBundle } from '../packs/bundle.js';
import type { PeopleDirectory, PeopleSource } from '../people/people-directory.js';
import { messageOf } from '../util/message-of.js';
import { LIVENESS_PACK, loadEngine, type LoadedEngine } from './face-engine.js';

export interface EngineHostDeps<K extends { readonly engine: LoadedEngine }> {
  packs: PackManager;
  settings: () => Settings;
  emit: <E extends 'engineStatus' | 'downloadProgress' | 'packFailed'>(event: E, payload: Events[E]) => void;
  people: PeopleSource;
  /** Builds the engine's user (the kiosk) on a freshly loaded engine. */
  build: (engine: LoadedEngine, people: PeopleDirectory) => K;
  log: (message: string) => void;
}

export class EngineHost<K extends { readonly engine: LoadedEngine }> {
  private status: EngineStatus = {
    state: 'loading',
    pack: null,
    progress: null,
    message: null,
    livenessAvailable: false,
  };
  private user: K | null = null;
  private loading: Promise<void> | null = null;
  /** True while the default setup's bundle owns the engine's progress figure. */
  private bundling = false;

  constructor(private readonly deps: EngineHostDeps<K>) {
    deps.packs.subscribe((event) => {
      if (event.type === 'progress') {
        const { pack, phase, bytes, total, bytesPerSecond, etaSeconds, percent } = event.progress;
        deps.emit('downloadProgress', { pack, phase, bytes, total, bytesPerSecond, etaSeconds, percent });
        if (!this.bundling && this.status.state === 'downloading' && this.status.pack === pack) {
          this.setStatus({ ...this.status, progress: percent === null ? null : percent / 100 });
        }
      } else if (event.type === 'failed') {
        deps.emit('packFailed', { pack: event.pack, code: event.code, message: event.message });
      }
    });
  }

  /** The kiosk on the loaded engine; null while none is loaded. */
  get current(): K | null {
    return this.user;
  }

  getStatus(): EngineStatus {
    return this.status;
  }

  private setStatus(status: EngineStatus): void {
    this.status = status;
    this.deps.emit('engineStatus', status);
  }

  private async release(previous: K | null): Promise<void> {
    await previous?.engine.analysis.release();
    await previous?.engine.liveness.release();
  }

  /**
   * Loads the active face pack. With none installed, downloads the catalog's
   * default once its licence was acknowledged; otherwise reports 'no-models'.
   */
  async start(): Promise<void> {
    const packs = await this.deps.packs.list();
    const hasFacePack = packs.some((p) => p.kind === 'face' && p.installed);
    const fallback = packs.find((p) => p.default);
    if (!hasFacePack && fallback && (!fallback.licenseAck || fallback.licenseAcknowledged)) {
      await this.setUpDefaults();
      return;
    }
    await this.reload();
  }

  async downloadAndLoad(name: string, signal?: AbortSignal): Promise<void> {
    this.setStatus({ ...this.status, state: 'downloading', pack: name, progress: 0, message: null });
    try {
      await this.deps.packs.download(name, signal ? { signal } : {});
    } catch (error) {
      const message = messageOf(error);
      this.deps.log(`download of ${name} failed: ${message}`);
      // The pack installed before, if any, stays in use.
      await this.reload(message);
      throw error;
    }
    const active = await this.deps.packs.getActive();
    if (!active) await this.deps.packs.setActive(name);
    await this.reload();
  }

  /**
   * The default setup in one step: the default face pack and the liveness add-on, with one
   * progress figure (engineStatus.progress), then the engine loads. Packs already installed
   * are skipped; with both in place it only reloads.
   */
  async setUpDefaults(signal?: AbortSignal): Promise<void> {
    const { packs } = this.deps;
    const todo = defaultSetupPacks(await packs.list(), LIVENESS_PACK);
    if (todo.length === 0) return this.reload();
    this.bundling = true;
    this.setStatus({ ...this.status, state: 'downloading', pack: todo[0]!.name, progress: 0, message: null });
    try {
      await downloadBundle(packs, todo, {
        ...(signal ? { signal } : {}),
        onProgress: (p) => this.setStatus({ ...this.status, progress: p.percent / 100 }),
      });
    } catch (error) {
      const message = messageOf(error);
      this.deps.log(`default setup (${todo.map((p) => p.name).join(' + ')}) failed: ${message}`);
      await this.reload(message);
      throw error;
    } finally {
      this.bundling = false;
    }
    await this.reload();
  }

  /** (Re)loads the engine from the active pack. Concurrent calls share one load. */
  reload(failureNote: string | null = null): Promise<void> {
    const chained = (this.loading ?? Promise.resolve()).then(() => this.load(failureNote));
    this.loading = chained;
    return chained;
  }

  private async load(failureNote: string | null): Promise<void> {
    const { people } = this.deps;
    const previous = this.user;
    this.setStatus({ ...this.status, state: 'loading', progress: null, message: null });
    const directory = people.directory();
    if (!directory && people.joined()) {
      // A joined folder whose fleet cannot be opened: the door refuses everyone; it never
      // keeps a kiosk built on another list of people (the store from before joining).
      this.user = null;
      await this.release(previous);
      this.setStatus({
        state: 'error',
        pack: null,
        progress: null,
        message: failureNote ?? people.problem() ?? 'nobody can be recognised',
        livenessAvailable: false,
      });
      return;
    }
    try {
      const engine = await loadEngine(this.deps.packs, this.deps.settings());
      if (!directory) throw new Error(people.problem() ?? 'nobody can be recognised');
      this.user = this.deps.build(engine, directory);
      await this.release(previous);
      this.setStatus({
        state: 'ready',
        pack: engine.pack.name,
        progress: null,
        message: failureNote,
        livenessAvailable: engine.liveness.available,
      });
    } catch (error) {
      const message = messageOf(error);
      // A pack that fails to load leaves the previous engine running, if there was one.
      if (previous) {
        this.setStatus({ ...this.status, state: 'ready', message });
        return;
      }
      const none = isPackError(error, 'NOT_FOUND');
      this.setStatus({
        state: none ? 'no-models' : 'error',
        pack: null,
        progress: null,
        message: failureNote ?? message,
        livenessAvailable: false,
      });
    }
  }

  async close(): Promise<void> {
    await this.loading;
    const previous = this.user;
    this.user = null;
    await this.release(previous);
  }
}
