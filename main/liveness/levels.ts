// Security levels: which liveness layers an unlock must pass.
//   standard: layer 1, the passive pair fused over the agreeing frames (passive-fusion.ts);
//   high:     layers 1 to 3: after the agreeing frames, a random head-turn challenge
//             (challenge.ts) during which every frame must pass layer 1, and whose motion
//             must show a 3-D face (structure.ts).
// ActiveCheck runs layers 1–3 frame by frame for the kiosk; attempts.ts judges a recording
// offline as the door would (the CLI, the benchmark), where no prompt was shown, so it uses the
// motion that is in the recording and has no challenge; judgeSequence fuses a whole sequence.
import type { Face, PixelImage } from '../insightface/types.js';
import {
  DEFAULT_STEP_TIMEOUT_MS,
  HeadTurnChallenge,
  type ChallengeOptions,
  type ChallengeStatus,
  type TurnDirection,
} from './challenge.js';
import {
  DEFAULT_PASSIVE_FUSION,
  fusePassive,
  type PassiveFusionOptions,
  type PassiveResult,
} from './passive-fusion.js';
import {
  DEFAULT_STRUCTURE,
  judgeStructure,
  structurePoints,
  type StructureOptions,
  type StructureResult,
} from './structure.js';
import { faceYaw } from './yaw.js';
import { FaceFlow, type FlowFrame } from './flow-structure.js';

export const SECURITY_LEVELS = ['standard', 'high'] as const;
export type SecurityLevel = (typeof SECURITY_LEVELS)[number];

export type LivenessLayer = 'passive' | 'structure' | 'challenge';

export const LEVEL_LAYERS: Record<SecurityLevel, readonly LivenessLayer[]> = {
  standard: ['passive'],
  high: ['passive', 'structure', 'challenge'],
};

export interface LayerOptions {
  fusion?: PassiveFusionOptions;
  structure?: StructureOptions;
  challenge?: ChallengeOptions;
}

/** One frame of a sequence: the subject's face (or none) and its passive score. */
export interface LayeredFrame {
  nowMs: number;
  face: Pick<Face, 'kps' | 'landmark2d106' | 'pose'> | null;
  /** The frame's passive score (NaN: the models failed); null when not measured. */
  passive: number | null;
  /** The identity this face matched (ActiveCheck only). */
  identity?: string | null;
  /** The face's tracked corners in this frame (flow-structure.ts), when the frame path tracks them. */
  flow?: FlowFrame | null;
}

export interface LayeredVerdict {
  live: boolean;
  level: SecurityLevel;
  /** The first layer that refused, in the order passive, structure, challenge. */
  failedLayer?: LivenessLayer;
  /** That layer's reason, e.g. 'below_floor', 'flat', 'not_enough_motion', 'wrong-direction'. */
  reason?: string;
  passive: PassiveResult;
  structure?: StructureResult;
  challenge?: ChallengeStatus;
}

const scored = (frames: readonly LayeredFrame[]): number[] =>
  frames.filter((f) => f.face && f.passive !== null).map((f) => f.passive!);

export const pointsOf = (frames: readonly LayeredFrame[]) =>
  frames.filter((f) => f.face).map((f) => structurePoints(f.face!));

/** The tracked corners of the frames with a face (layer 2 measures on them when present). */
export const flowOf = (frames: readonly LayeredFrame[]): FlowFrame[] =>
  frames.filter((f) => f.face && f.flow).map((f) => f.flow!);

/** Judges a recorded sequence at `level` (no challenge: nothing was asked of the subject). */
export function judgeSequence(
  frames: readonly LayeredFrame[],
  level: SecurityLevel,
  opts: LayerOptions = {},
): LayeredVerdict {
  const passive = fusePassive(scored(frames), opts.fusion ?? DEFAULT_PASSIVE_FUSION);
  const structure =
    level === 'high'
      ? judgeStructure(pointsOf(frames), opts.structure ?? DEFAULT_STRUCTURE, flowOf(frames))
      : undefined;
  return combine(level, passive, structure);
}

export function combine(
  level: SecurityLevel,
  passive: PassiveResult,
  structure?: StructureResult,
  challenge?: ChallengeStatus,
): LayeredVerdict {
  const base = {
    level,
    passive,
    ...(structure ? { structure } : {}),
    ...(challenge ? { challenge } : {}),
  };
  // A failed challenge may leave too few frames to fuse: then the challenge is what failed.
  const challengeFailed = challenge?.state === 'failed';
  if (!passive.live && !(challengeFailed && passive.reason === 'too_few_frames'))
    return { ...base, live: false, failedLayer: 'passive', reason: passive.reason! };
  // The structure of a challenge cut short by a wrong turn or a timeout says little.
  if (structure && !structure.live && !challengeFailed)
    return { ...base, live: false, failedLayer: 'structure', reason: structure.reason! };
  if (challenge && challenge.state !== 'passed')
    return {
      ...base,
      live: false,
      failedLayer: 'challenge',
      reason: challenge.state === 'failed' ? challenge.reason : 'pending',
    };
  return { ...base, live: true };
}

export type ActiveStatus =
  | { state: 'pending'; direction: TurnDirection; step: number; further?: true }
  | { state: 'done'; verdict: LayeredVerdict };

/**
 * Layers 1–3 while the head-turn challenge runs, one frame at a time. Any frame under the
 * passive floor ends it at once; when the turns are done, the passive fusion and the 3-D
 * structure are judged over every frame of the challenge.
 */
export class ActiveCheck {
  readonly challenge: HeadTurnChallenge;
  private readonly frames: LayeredFrame[] = [];
  /** The face's corners tracked over the challenge's frames, for layer 2 (flow-structure.ts). */
  private readonly flow = new FaceFlow();
  private outcome: LayeredVerdict | null = null;
  /**
   * Set when the turns were made but too small for layer 2 to tell a head from a picture
   * (structure 'turn_further'): the person is asked to turn a little further, for one more step
   * time, and the frames keep adding to the same sequence. Nothing else changes: only a
   * parallax of minParallax or more makes the face live.
   */
  private further: { deadline: number; status: ChallengeStatus } | null = null;

  constructor(
    identity: string,
    nowMs: number,
    startFace: Pick<Face, 'kps' | 'landmark2d106' | 'pose'> | null,
    private readonly opts: LayerOptions = {},
  ) {
    // The challenge takes its baseline from the head at rest after the start (challenge.ts).
    this.challenge = new HeadTurnChallenge(identity, nowMs, opts.challenge);
    if (startFace) this.frames.push({ nowMs, face: startFace, passive: null });
  }

  /** The enrolled person the challenge was started for. */
  get identity(): string {
    return this.challenge.identity;
  }

  get current(): ActiveStatus {
    if (this.outcome) return { state: 'done', verdict: this.outcome };
    const pending = {
      state: 'pending',
      direction: this.challenge.direction,
      step: this.challenge.current.step,
    } as const;
    return this.further ? { ...pending, further: true } : pending;
  }

  /** True while the person is asked to turn a little further (see `further`). */
  get turningFurther(): boolean {
    return this.further !== null && !this.outcome;
  }

  /** One frame of the challenge; with its `image`, the face's corners are tracked (layer 2). */
  observe(frame: LayeredFrame, image?: PixelImage): ActiveStatus {
    if (this.outcome) return this.current;
    this.frames.push(
      image && frame.flow === undefined ? { ...frame, flow: this.flow.add(image, frame.face) } : frame,
    );
    const fusion = this.opts.fusion ?? DEFAULT_PASSIVE_FUSION;
    const status =
      this.further?.status ??
      this.challenge.observe({
        yaw: frame.face ? faceYaw(frame.face) : null,
        identity: frame.identity ?? null,
        nowMs: frame.nowMs,
      });
    const scores = scored(this.frames);
    // Every challenge frame must pass layer 1: one frame under the floor ends it now.
    if (frame.face && frame.passive !== null && !(frame.passive >= fusion.floor)) {
      this.outcome = combine('high', fusePassive(scores, fusion));
      return this.current;
    }
    if (status.state === 'pending') return this.current;
    const passive = fusePassive(scores, fusion);
    if (this.further && frame.face && frame.identity !== this.identity) {
      // As during the turns (challenge.ts): a face that is not the same person ends it, before
      // its points could count towards the structure.
      const { direction, step } = status;
      const changed: ChallengeStatus = { state: 'failed', direction, step, reason: 'identity-changed' };
      this.outcome = combine('high', passive, undefined, changed);
      return this.current;
    }
    const structure = judgeStructure(
      pointsOf(this.frames),
      this.opts.structure ?? DEFAULT_STRUCTURE,
      flowOf(this.frames),
    );
    if (status.state === 'passed' && structure.reason === 'turn_further') {
      this.further ??= {
        deadline: frame.nowMs + (this.opts.challenge?.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS),
        status,
      };
      if (frame.nowMs <= this.further.deadline) return this.current;
    }
    this.outcome = combine('high', passive, structure, status);
    return this.current;
  }
}

/**
 * Replays the kiosk's unlock on a recorded sequence, as if the identity matched throughout:
 * the first frames with a face form the agreeing window (layer 1 fused over them); at level
 * high the rest answer a challenge with the given directions (layers 1–3). A challenge still
 * pending when the frames run out has timed out.
 */
export function replayUnlock(
  frames: readonly LayeredFrame[],
  level: SecurityLevel,
  directions: readonly TurnDirection[],
  opts: LayerOptions = {},
): LayeredVerdict {
  const fusion = opts.fusion ?? DEFAULT_PASSIVE_FUSION;
  const withFace = frames.filter((f) => f.face);
  const window = withFace.slice(0, fusion.minFrames);
  const passive = fusePassive(scored(window), fusion);
  if (level === 'standard' || !passive.live) return combine(level, passive);
  const start = window.at(-1)!;
  const rest = frames.slice(frames.indexOf(start) + 1);
  const check = new ActiveCheck('subject', start.nowMs, start.face, {
    ...opts,
    challenge: { ...opts.challenge, directions },
  });
  for (const f of rest) {
    const status = check.observe({ ...f, identity: f.face ? (f.identity ?? 'subject') : null });
    if (status.state === 'done') return status.verdict;
  }
  const { direction, step } = check.challenge.current;
  const timedOut: ChallengeStatus = { state: 'failed', direction, step, reason: 'timeout' };
  return combine('high', passive, undefined, timedOut);
}
