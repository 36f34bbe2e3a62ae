// Shapes shared by the decision core. Pure data: no engine, no Electron.

/** What the kiosk shows to help the person in front of it. */
export type Guidance =
  'come_closer' | 'step_back' | 'look_at_camera' | 'hold_still' | 'one_person' | 'too_dark' | 'too_bright';

export type GateName = 'one_person' | 'face_size' | 'det_score' | 'blur' | 'brightness' | 'pose';

export interface GateResult {
  name: GateName;
  passed: boolean;
  /** The measured value: px, score, Laplacian variance, mean grey, or the worst pose angle in degrees. */
  value: number | null;
  /** What to tell the person when this gate fails. */
  guidance: Guidance | null;
}

export interface LivenessInput {
  live: boolean;
  score: number;
  /**
   * How long, in ms up to this frame, every frame has shown a live, moving feed (the liveness
   * checker's own evidence span). Absent: no span is known, and a rule that needs one waits.
   */
  evidenceMs?: number;
  /**
   * Whether this frame shows a new camera image: it differs from the frame before by more than
   * a still picture re-sent with bits flipped does (liveness/frozen.ts, STILL_MAD). Absent or
   * false: a repeat, which never counts towards the distinct images an unlock needs.
   */
  newImage?: boolean;
}

export interface MatchResult {
  personId: string;
  name: string;
  /** Cosine similarity, max over the person's templates. */
  score: number;
}
