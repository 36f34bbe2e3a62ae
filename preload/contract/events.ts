import type { FrameResult } from './frames.js';
import type { EnrollStatus } from './people.js';
import type { DoorFleetNotice } from './fleet.js';

export type EngineState = 'no-models' | 'downloading' | 'loading' | 'ready' | 'error';

export interface EngineStatus {
  state: EngineState;
  pack: string | null;
  /** 0..1 while downloading. */
  progress: number | null;
  message: string | null;
  livenessAvailable: boolean;
}

export interface DownloadProgress {
  pack: string;
  phase: 'download' | 'verify' | 'extract' | 'done';
  bytes: number;
  total: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** Overall 0..100, monotonic, ends at 100. */
  percent: number | null;
}

export interface PackFailure {
  pack: string;
  code: string;
  message: string;
}

/**
 * Why a head-turn challenge failed, in the words the door may use (never an accusation):
 * turned the other way, too slow, turned too little, never looked at the camera first, or the
 * face changed during the turns. main/liveness/challenge.ts has the engine's own reasons.
 */
export const CHALLENGE_MISSES = [
  'wrong_way',
  'too_slow',
  'too_small',
  'not_at_rest',
  'face_changed',
] as const;
export type ChallengeMiss = (typeof CHALLENGE_MISSES)[number];

export interface DecisionEvent {
  at: number;
  outcome: 'unlocked' | 'refused' | 'door_failed';
  personName: string | null;
  score: number | null;
  /**
   * A code, never raw error text: 'match', a refusal's reason ('unknown_face', 'not_live:passive',
   * …), or 'door_failed'. The door's own error goes to the audit log and the app log only; the
   * door screen chooses its sentence by this code (renderer/screens/door/door-words.ts).
   */
  reason: string;
  liveness: number | null;
  /** > 0 when this refusal started the lockout (five refusals in a minute): its length in ms. */
  lockedForMs?: number;
  /** A failed head-turn challenge: why, for the door to say (the audit has the engine's reason). */
  challengeMiss?: ChallengeMiss;
}

/** Events from main to the renderer: name → payload. */
export interface Events {
  engineStatus: EngineStatus;
  downloadProgress: DownloadProgress;
  decision: DecisionEvent;
  frameResult: FrameResult;
  packFailed: PackFailure;
  enrollStatus: EnrollStatus;
  /** A fleet door's offline grace, for the door screen (fleet.ts). */
  fleetStatus: DoorFleetNotice;
}

export type EventName = keyof Events;
export const EVENT_NAMES = [
  'engineStatus',
  'downloadProgress',
  'decision',
  'frameResult',
  'packFailed',
  'enrollStatus',
  'fleetStatus',
] as const satisfies readonly EventName[];
