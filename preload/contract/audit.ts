import { z } from 'zod';
import { channel, pinAgainField } from './define.js';
import { NoArgs } from './app.js';

export interface AuditView {
  time: string;
  mode: string;
  person: string | null;
  score: number | null;
  gates: string;
  liveness: number | null;
  door: string;
  outcome: string;
  /** The outcome for people, as the screen words it: a door failure is never an unlock. */
  result: 'unlocked' | 'refused' | 'door_failed' | 'door_test' | 'locked_out' | 'admin';
  /** The decision's reason code ('unknown_face', 'not_live', …), or the door's error. */
  reason: string;
  /** What the door did: opened; nothing because no door is connected (`none`); failed; or not asked. */
  doorState: 'opened' | 'logged' | 'failed' | null;
  doorKind: string | null;
  /**
   * An admin action with its real values (null on a decision): the screen words the action
   * and each detail, and never reads them as quality gates.
   */
  admin: {
    action: string;
    /** The touchscreen, or the CLI on the PC itself. */
    actor: 'screen' | 'cli';
    ok: boolean;
    details: { name: string; value: string }[];
  } | null;
}

/** The audit view's filter: everything, the doors' decisions, admins' actions, or faults (a door that failed). */
export const AUDIT_SHOW = ['all', 'decisions', 'admin', 'faults'] as const;
export type AuditShow = (typeof AUDIT_SHOW)[number];

export interface Calibration {
  recognizer: string | null;
  genuine: number[];
  impostor: number[];
  /** Suggested threshold for the requested false-accept rate, null when there is too little data. */
  suggested: number | null;
  targetFar: number;
  current: number;
  roc: { threshold: number; far: number; frr: number }[];
  /** The recognizer's own threshold: without enough pairs, nothing is suggested below it. */
  defaultThreshold: number;
  /** Impostor pairs the target needs (3 / targetFar). */
  pairsNeeded: number;
  /** What too few pairs would have suggested below the default (then `suggested` is null). */
  refusedBelowDefault: number | null;
}

/** How often a stranger is taken for someone (main/recognition/stranger-rate.ts). */
export interface StrangerRateView {
  people: number;
  threshold: number;
  /** Estimated chance that a stranger's attempt matches someone; null with fewer than 2 people. */
  fpir: number | null;
  targetFpir: number;
  suggestedThreshold: number | null;
  /** Share of enrolled people's own genuine pairs the suggested threshold refuses; null without any. */
  refusalsAtSuggested: number | null;
  genuinePairs: number;
  tooLargeForFaceAlone: boolean;
}

export interface CompareFace {
  bbox: [number, number, number, number];
  /** The frame the face was found in, as a JPEG data: URL. */
  image: string;
  width: number;
  height: number;
}

export interface CompareResult {
  a: CompareFace | null;
  b: CompareFace | null;
  similarity: number | null;
  threshold: number;
  same: boolean | null;
  reason: string | null;
}

export const auditChannels = {
  listAudit: channel<{ records: AuditView[]; total: number }>()(
    z
      .object({
        offset: z.int().min(0).max(1_000_000),
        limit: z.int().min(1).max(500),
        show: z.enum(AUDIT_SHOW).optional(),
      })
      .strict(),
    'admin',
  ),
  /** Opens a save dialog in main and writes the CSV there. */
  exportAudit: channel<{ path: string | null }>()(NoArgs, 'admin'),
  /** Drives the lock once: it lets in whoever stands there, so it takes the admin PIN typed again. */
  testDoor: channel<{ ok: boolean; message: string; elapsedMs: number }>()(
    z.object(pinAgainField).strict(),
    'admin',
    'door_test',
    'pin-again',
  ),
  getCalibration: channel<Calibration>()(
    z.object({ targetFar: z.number().min(0.0001).max(0.5) }).strict(),
    'admin',
  ),
  /** The stranger rate at the current threshold and gallery size, and the threshold for `targetFpir`. */
  getStrangerRate: channel<StrangerRateView>()(
    z.object({ targetFpir: z.number().min(0.00001).max(0.1) }).strict(),
    'admin',
  ),
  /** Two camera frames one second apart, or two photos from a file dialog. */
  compare: channel<CompareResult>()(z.object({ source: z.enum(['camera', 'photos']) }).strict(), 'admin'),
};
