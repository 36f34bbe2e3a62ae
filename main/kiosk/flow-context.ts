// What every kiosk flow (unlock, enroll, preview) shares: the loaded engine, the decision
// engine's settings, the app's services and one clock. The kiosk builds it once.
import type { DecisionEvent, EnrollStatus } from '../../preload/contract/index.js';
import type { Settings } from '../../preload/contract/settings.js';
import type { DecisionEngine } from '../recognition/decision.js';
import type { GalleryEntry } from '../store/enrollment-store.js';
import type { PeopleDirectory } from '../people/people-directory.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { DoorOutput } from '../door/types.js';
import type { LoadedEngine } from '../engine/face-engine.js';
import type { DoorRules } from '../fleet/door-rules.js';

export type { DoorRules } from '../fleet/door-rules.js';

export interface KioskDeps {
  /** The local store on a lone kiosk, the fleet's replica on a joined one (people/). */
  people: PeopleDirectory;
  rules?: DoorRules | null;
  audit: AuditLog;
  door: () => DoorOutput;
  settings: () => Settings;
  emitDecision: (event: DecisionEvent) => void;
  emitEnroll: (status: EnrollStatus) => void;
  /** Whether an admin session is live (admin/admin-session.ts): enrollment needs one. */
  adminActive: () => boolean;
  log: (message: string) => void;
  now?: () => number;
}

export class FlowContext {
  readonly now: () => number;

  constructor(
    readonly engine: LoadedEngine,
    readonly decisions: DecisionEngine,
    readonly deps: KioskDeps,
  ) {
    this.now = deps.now ?? (() => Date.now());
  }

  /** The enrolled templates for the active recognizer. */
  gallery(): GalleryEntry[] {
    return this.engine.recognizerId ? this.deps.people.gallery(this.engine.recognizerId) : [];
  }
}
