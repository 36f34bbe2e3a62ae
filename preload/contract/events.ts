import type { FrameResult } from './frames.js';

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
  bytes: number;
  total: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
  done: boolean;
}

export interface DecisionEvent {
  at: number;
  outcome: 'unlocked' | 'refused' | 'door_failed';
  personName: string | null;
  score: number | null;
  reason: string;
}

/** Events from main to the renderer: name → payload. */
export interface Events {
  engineStatus: EngineStatus;
  downloadProgress: DownloadProgress;
  decision: DecisionEvent;
  frameResult: FrameResult;
}

export type EventName = keyof Events;
export const EVENT_NAMES = ['engineStatus', 'downloadProgress', 'decision', 'frameResult'] as const satisfies readonly EventName[];
