import { z } from 'zod';

/** Caps on a camera frame: 4K RGBA at most. */
export const FRAME_LIMITS = { maxWidth: 3840, maxHeight: 2160, minSide: 16 } as const;

/** A camera frame as RGBA pixels. `data` is transferred, not copied, where the transport allows. */
export interface FrameMessage {
  id: number;
  width: number;
  height: number;
  data: ArrayBuffer;
}

export const FrameMetaSchema = z
  .object({
    id: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    width: z.int().min(FRAME_LIMITS.minSide).max(FRAME_LIMITS.maxWidth),
    height: z.int().min(FRAME_LIMITS.minSide).max(FRAME_LIMITS.maxHeight),
  })
  .strict();

/** A face as the overlay draws it, in frame pixels. */
export interface FaceView {
  bbox: [number, number, number, number];
  kps: [number, number][];
  detScore: number;
  landmarks?: [number, number][];
  label?: string;
  score?: number;
  /** Real-class probability from the liveness models, when they ran on this face. */
  liveness?: number;
  /**
   * The face that counts (main/recognition/subject.ts faceThatCounts): the one main judged,
   * labelled and scored. At most one face of a result has it; the renderer never picks its own.
   */
  counts?: true;
}

/** What the screen may ask of the person at the camera; each has words in renderer/i18n (`guidance.*`). */
export const GUIDANCE = [
  'come_closer',
  'step_back',
  'look_at_camera',
  'one_person',
  'hold_still',
  'too_dark',
  'too_bright',
  'no_face',
  'not_live',
  'turn_left',
  'turn_right',
  'turn_further',
  'look_straight',
] as const;
export type Guidance = (typeof GUIDANCE)[number];
export const isGuidance = (hint: string): hint is Guidance => (GUIDANCE as readonly string[]).includes(hint);

/** A running head-turn challenge as the door shows it: "1 of 2", an arrow, a countdown. */
export interface ChallengeView {
  direction: 'left' | 'right';
  /** 0-based step, of `steps`. */
  step: number;
  steps: number;
  /** Until the head has been at rest, the door asks to look at the camera first; no countdown then. */
  atRest: boolean;
  /** Time left for this step, and the step's whole window, in ms. */
  leftMs: number;
  windowMs: number;
}

export interface FrameResult {
  id: number;
  /**
   * Who sent the frame: 'capture' (the capture context; the door screen draws these) or 'ui'
   * (an admin preview from the UI renderer). Ids count separately per source.
   */
  source: 'capture' | 'ui';
  width: number;
  height: number;
  /** Mean luma of the frame as main received it: lets tests prove pixels arrived intact. */
  meanLuma: number;
  faces: FaceView[];
  guidance: Guidance | null;
  /** The head-turn challenge while it runs (level high), for the door's prompt. */
  challenge?: ChallengeView;
  /** > 0 while everyone is locked out after repeated refusals: the time left, in ms. */
  lockedForMs?: number;
  /** Milliseconds main spent on this frame. */
  elapsedMs: number;
  /** Frames replaced while the engine was busy (latest-frame-wins). */
  dropped: number;
}
