// What follows a settings change: the door is rebuilt, the store's and the audit log's privacy
// switches follow, the engine reloads (engine settings) or the kiosk reconfigures (the rest), and
// watchers (the capture window's camera) hear of it. Each dependent is named by what it does here.
import type { Settings } from '../../preload/contract/settings.js';

export interface SettingsDependents {
  door: { reset(): void };
  store: { setAllowInsecureKeyStorage(allow: boolean): void } | null;
  audit: { snapshotsEnabled: boolean };
  /** The engine's host: a reload for engine settings, a reconfigure of the kiosk otherwise. */
  engine: { reload(): Promise<void>; reconfigure(): void };
}

export class SettingsEffects {
  private readonly watchers = new Set<(next: Settings) => void>();

  constructor(private readonly deps: SettingsDependents) {}

  /** Called after each settings change (the capture window reopens its camera from it). */
  watch(watcher: (next: Settings) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Settings changed: rebuild what depends on them. */
  async apply(previous: Settings, next: Settings): Promise<void> {
    const { door, store, audit, engine } = this.deps;
    for (const watcher of this.watchers) watcher(next);
    if (JSON.stringify(previous.door) !== JSON.stringify(next.door)) door.reset();
    store?.setAllowInsecureKeyStorage(next.privacy.allowInsecureKeyStorage);
    audit.snapshotsEnabled = next.privacy.auditSnapshots;
    if (JSON.stringify(previous.engine) !== JSON.stringify(next.engine)) await engine.reload();
    else engine.reconfigure();
  }
}
