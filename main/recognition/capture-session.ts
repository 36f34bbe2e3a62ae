// Guided enrollment by camera: about five samples, each passing the kiosk's quality
// gates, with a little head-turn variety (front, left, right, then any two more), no
// near-copies, and all of the same person.
import type { Face } from '../insightface/types.js';
import { NEAR_DUPLICATE_COSINE, enrollCheckOf, isNearDuplicate } from './enroll-check.js';
import type { FrameJudgement } from './judge-frame.js';
import { cosine } from './matcher.js';
import { facePose } from './pose.js';
import type { QualityConfig } from './quality.js';
import type { GateResult, Guidance } from './types.js';

export interface CaptureStep {
  id: 'front' | 'left' | 'right' | 'any';
  /** Allowed yaw in degrees (image-left turn is negative). */
  yaw: [number, number];
}

/** ±8°: clearly frontal for the 5-point estimate; 10–35°: a visible turn the recognizer still handles. */
export const DEFAULT_CAPTURE_STEPS: readonly CaptureStep[] = [
  { id: 'front', yaw: [-8, 8] },
  { id: 'left', yaw: [-35, -10] },
  { id: 'right', yaw: [10, 35] },
  { id: 'any', yaw: [-35, 35] },
  { id: 'any', yaw: [-35, 35] },
];

export type CaptureHint =
  Guidance | 'turn_left' | 'turn_right' | 'look_straight' | 'near_duplicate' | 'different_person';

export interface CaptureSample {
  embedding: Float32Array;
  face: Face;
  step: CaptureStep['id'];
}

export interface CaptureFeedback {
  accepted: boolean;
  /** What to show while not accepted (or the next step's hint after an accepted one). */
  hint: CaptureHint | null;
  gates: GateResult[];
  /** The step now wanted (null when done). */
  step: CaptureStep['id'] | null;
  collected: number;
  required: number;
  done: boolean;
}

export interface CaptureOptions {
  quality: QualityConfig;
  /** The recognizer's match threshold: every sample must match the first one at least this well. */
  threshold: number;
  steps?: readonly CaptureStep[];
  nearDuplicateCosine?: number;
  /** The person's existing templates (adding samples to someone already enrolled). */
  existing?: readonly Float32Array[];
}

export class CaptureSession {
  readonly samples: CaptureSample[] = [];
  private readonly steps: readonly CaptureStep[];

  constructor(private readonly options: CaptureOptions) {
    this.steps = options.steps ?? DEFAULT_CAPTURE_STEPS;
  }

  get done(): boolean {
    return this.samples.length >= this.steps.length;
  }

  /**
   * Offers one camera frame, as judged once (judge-frame.ts) with its subject embedded when it
   * passed. The session reads that judgement and adds only what enrollment asks beyond it: the
   * step's head turn, the same person, no near-copy. A refused frame always says why (`hint`).
   */
  offer(judgement: FrameJudgement): CaptureFeedback {
    const step = this.steps[this.samples.length];
    if (!step) return this.feedback(false, null, []);
    const check = enrollCheckOf(judgement);
    if (!check.ok) {
      const hint: CaptureHint =
        check.code === 'several_faces'
          ? 'one_person'
          : check.code === 'no_face'
            ? 'look_at_camera'
            : (check.gates.find((g) => !g.passed)?.guidance ?? 'look_at_camera');
      return this.feedback(false, hint, check.gates);
    }
    const yaw = facePose(check.face)?.yaw ?? Number.NaN;
    if (!(yaw >= step.yaw[0] && yaw <= step.yaw[1])) {
      // A step that takes any turn refuses only a head turned too far: ask to face the camera.
      return this.feedback(false, hintFor(step) ?? 'look_straight', check.gates);
    }
    const embedding = check.face.normedEmbedding!;
    const reference = this.samples[0]?.embedding ?? this.options.existing?.[0];
    if (reference && cosine(embedding, reference) < this.options.threshold) {
      return this.feedback(false, 'different_person', check.gates);
    }
    const known = [...(this.options.existing ?? []), ...this.samples.map((s) => s.embedding)];
    if (isNearDuplicate(embedding, known, this.options.nearDuplicateCosine ?? NEAR_DUPLICATE_COSINE)) {
      return this.feedback(false, 'near_duplicate', check.gates);
    }
    this.samples.push({ embedding, face: check.face, step: step.id });
    const next = this.steps[this.samples.length];
    return this.feedback(true, next ? hintFor(next) : null, check.gates);
  }

  private feedback(accepted: boolean, hint: CaptureHint | null, gates: GateResult[]): CaptureFeedback {
    const next = this.steps[this.samples.length];
    return {
      accepted,
      hint,
      gates,
      step: next?.id ?? null,
      collected: this.samples.length,
      required: this.steps.length,
      done: this.done,
    };
  }
}

function hintFor(step: CaptureStep): CaptureHint | null {
  switch (step.id) {
    case 'front':
      return 'look_straight';
    case 'left':
      return 'turn_left';
    case 'right':
      return 'turn_right';
    case 'any':
      return null;
  }
}
