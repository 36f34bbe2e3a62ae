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

export interface DecisionEvent {
  at: number;
  outcome: 'unlocked' | 'refused' | 'door_failed';
  personName: string | null;
  score: number | null;
  /** A guidance-like code ('not_live', 'unknown', 'rate_limited', …) or the door's error. */
  reason: string;
  liveness: number | null;
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
