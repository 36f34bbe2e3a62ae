// The kiosk: one detection per frame, then the frame goes to the flow that owns it. Door frames
// (the capture context's, with no admin at the screen) go to the unlock flow; an admin's frames
// go to the enroll flow while an enrollment runs, else to the preview. The kiosk decides
// nothing itself: each flow lives in its own file.
import type { CheckedFrame, FrameAnalysis } from '../frames/frame-service.js';
import type { Face, PixelImage } from '../insightface/types.js';
import type { EnrollStatus } from '../../preload/contract/index.js';
import type { Settings } from '../../preload/contract/settings.js';
import { DecisionEngine, DEFAULT_DECISION, type DecisionConfig } from '../recognition/decision.js';
import type { LoadedEngine } from '../engine/face-engine.js';
import { MIN_FUSED_FRAMES } from '../liveness/passive-fusion.js';
import { FlowContext, type KioskDeps } from './flow-context.js';
import { UnlockFlow } from './unlock-flow.js';
import { EnrollFlow } from './enroll-flow.js';
import { PreviewFlow } from './preview-flow.js';
import { IdleSampler } from '../frames/idle-sampler.js';
import { detectFaces } from '../recognition/close-face.js';

export type { KioskDeps } from './flow-context.js';
export { toView } from './face-view.js';

/** The last frame the engine saw, for "test recognition" and "compare". */
export interface KeptFrame {
  image: PixelImage;
  faces: Face[];
  at: number;
}

export function decisionConfig(settings: Settings, engine: LoadedEngine): DecisionConfig {
  const r = settings.recognition;
  return {
    ...DEFAULT_DECISION,
    mode: r.mode,
    recognizerId: engine.recognizerId ?? 'none',
    threshold: r.threshold ?? engine.defaultThreshold,
    // Layer 1 fuses the agreeing frames' scores and needs at least MIN_FUSED_FRAMES of them.
    framesRequired: settings.liveness.enabled ? Math.max(r.framesToAgree, MIN_FUSED_FRAMES) : r.framesToAgree,
    windowMs: r.agreeWithinMs,
    cooldownMs: r.cooldownMs,
    secondFaceRatio: r.secondFaceRatio,
    livenessRequired: settings.liveness.enabled,
  };
}

export class Kiosk {
  readonly decisions: DecisionEngine;
  private readonly ctx: FlowContext;
  private readonly unlock: UnlockFlow;
  private readonly enroll: EnrollFlow;
  private readonly preview: PreviewFlow;
  private kept: KeptFrame | null = null;
  /** Door frames with nobody in view are sampled slowly (frames/idle-sampler.ts). */
  private readonly idle = new IdleSampler();

  constructor(
    readonly engine: LoadedEngine,
    private readonly deps: KioskDeps,
  ) {
    this.decisions = new DecisionEngine(decisionConfig(deps.settings(), engine));
    this.ctx = new FlowContext(engine, this.decisions, deps);
    this.unlock = new UnlockFlow(this.ctx, () => this.kept?.image ?? null);
    this.enroll = new EnrollFlow(this.ctx, () => this.refreshGallery());
    this.preview = new PreviewFlow(this.ctx);
    this.refreshGallery();
  }

  get threshold(): number {
    return this.decisions.settings.threshold;
  }

  /** Settings or enrollments changed: the next frame uses them. */
  reconfigure(): void {
    const settings = this.deps.settings();
    this.decisions.updateConfig(decisionConfig(settings, this.engine));
    this.engine.liveness.updateSettings(settings.liveness);
  }

  refreshGallery(): void {
    if (this.engine.recognizerId) this.decisions.setGallery(this.ctx.gallery());
  }

  get latestFrame(): KeptFrame | null {
    return this.kept;
  }

  /**
   * `decide: true` only for door frames (frames/frame-routing.ts). Otherwise the frame is an
   * admin's: enrolled while an enrollment runs, else previewed (faces with the live liveness
   * score and the best match), and nothing is decided or logged.
   */
  analyzeFrame(frame: CheckedFrame, options: { decide?: boolean } = {}): Promise<FrameAnalysis> {
    return this.engine.exclusive(async () => {
      const image: PixelImage = {
        data: frame.rgba,
        width: frame.width,
        height: frame.height,
        format: 'rgba',
      };
      const decide = options.decide ?? true;
      const now = this.ctx.now();
      if (decide && !this.idle.shouldAnalyze(image, now)) return { faces: [], guidance: 'no_face' };
      const faces = await detectFaces(this.engine.analysis, image);
      this.kept = { image, faces, at: now };
      if (decide) {
        this.idle.analyzed(faces.length > 0, now);
        return this.unlock.frame(image, faces);
      }
      if (this.enroll.active) return this.enroll.frame(image, faces);
      return this.preview.frame(image, faces);
    });
  }

  /** Resolves once every attempt concluded so far has reached the door, the log and the screen. */
  settled(): Promise<void> {
    return this.unlock.settled();
  }

  startEnrollment(personId: string, target: number, allowLookalike = false): EnrollStatus {
    return this.enroll.start(personId, target, allowLookalike);
  }

  stopEnrollment(): EnrollStatus {
    return this.enroll.stop();
  }

  enrollStatus(): EnrollStatus {
    // Asking applies the timeout and the session rule: a lapsed enrollment reads as stopped.
    void this.enroll.active;
    return this.enroll.status();
  }
}
