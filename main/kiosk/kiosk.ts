// The kiosk's per-frame path and its two modes. Unlock: detect every frame,
// gate, then embed and check liveness only for the one subject that passed the
// gates; N agreeing frames open the door. Enroll: sample good, varied frames of
// one person into the store.
import sharp from 'sharp';
import type { CheckedFrame, FrameAnalysis } from '../frames/frame-service.js';
import type { Face, PixelImage } from '../insightface/types.js';
import type { FaceView, Guidance } from '../../preload/contract/frames.js';
import type { DecisionEvent, EnrollStatus } from '../../preload/contract/index.js';
import type { Settings } from '../../preload/contract/settings.js';
import {
  DecisionEngine,
  DEFAULT_DECISION,
  type DecisionConfig,
  type FinalDecision,
} from '../recognition/decision.js';
import { selectSubject } from '../recognition/subject.js';
import { checkQuality } from '../recognition/quality.js';
import { CaptureSession, DEFAULT_CAPTURE_STEPS } from '../recognition/capture-session.js';
import { concludeAttempt } from '../recognition/conclude.js';
import { identify, verify } from '../recognition/matcher.js';
import type { ActiveCheck, LayeredVerdict } from '../liveness/levels.js';
import { MIN_FUSED_FRAMES, PassiveWindow } from '../liveness/passive-fusion.js';
import type { LivenessInput } from '../recognition/types.js';
import type { EnrollmentStore } from '../store/enrollment-store.js';
import { faceThumbnail } from '../store/thumbnail.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { DoorOutput, DoorResult } from '../door/types.js';
import type { LoadedEngine } from './face-engine.js';

export interface KioskDeps {
  store: EnrollmentStore;
  audit: AuditLog;
  door: () => DoorOutput;
  settings: () => Settings;
  emitDecision: (event: DecisionEvent) => void;
  emitEnroll: (status: EnrollStatus) => void;
  log: (message: string) => void;
  now?: () => number;
}

interface Enrollment {
  personId: string;
  session: CaptureSession;
  /** Why the last frame was not taken: a capture hint such as 'near_duplicate'. */
  lastRefusal: string | null;
  /** What to ask of the person now: 'turn_left', 'look_straight', … */
  hint: string | null;
  required: number;
}

/** An unlock held back until the person turns their head as asked (level high, layers 1–3). */
interface PendingChallenge {
  challenge: ActiveCheck;
  final: FinalDecision;
}

/** The audit reason of a liveness refusal names the layer: 'not_live:passive', … */
const layerReason = (v: LayeredVerdict): string => `not_live:${v.failedLayer ?? 'passive'}`;

/** Consecutive subject boxes overlapping this much count as holding still (0.6: a slow step moves less). */
const STEADY_IOU = 0.6;

function iou(a: Face['bbox'], b: Face['bbox']): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

const turnGuidance = (challenge: ActiveCheck): Guidance =>
  challenge.challenge.direction === 'left' ? 'turn_left' : 'turn_right';

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
    livenessRequired: settings.liveness.enabled,
  };
}

export class Kiosk {
  readonly decisions: DecisionEngine;
  private enrollment: Enrollment | null = null;
  private challenge: PendingChallenge | null = null;
  /** The subject's box in the previous frame: recognition waits for a face that holds still. */
  private lastSubject: Face['bbox'] | null = null;
  private kept: KeptFrame | null = null;
  /** Layer 1: the passive scores of the recent eligible frames, fused when an unlock is due. */
  private readonly passiveScores = new PassiveWindow(60_000);
  private readonly now: () => number;

  constructor(
    readonly engine: LoadedEngine,
    private readonly deps: KioskDeps,
  ) {
    this.now = deps.now ?? (() => Date.now());
    this.decisions = new DecisionEngine(decisionConfig(deps.settings(), engine));
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
    if (this.engine.recognizerId)
      this.decisions.setGallery(this.deps.store.gallery(this.engine.recognizerId));
  }

  /** The one face that counts (largest, most central), chosen as the decision engine chooses it. */
  private subjectOf(faces: readonly Face[], image: PixelImage): ReturnType<typeof selectSubject> {
    const config = this.decisions.settings;
    return selectSubject(faces, image, {
      minFacePx: config.quality.minFacePx,
      secondFaceRatio: config.secondFaceRatio,
    });
  }

  get latestFrame(): KeptFrame | null {
    return this.kept;
  }

  /**
   * `decide: false` while an admin works at the kiosk: faces are shown (with the
   * live liveness score and the best match) but nothing is decided or logged, and
   * the door stays shut.
   */
  analyzeFrame(frame: CheckedFrame, options: { decide?: boolean } = {}): Promise<FrameAnalysis> {
    return this.engine.exclusive(() => this.analyzeFrameNow(frame, options.decide ?? true));
  }

  private async analyzeFrameNow(frame: CheckedFrame, decide: boolean): Promise<FrameAnalysis> {
    const image: PixelImage = { data: frame.rgba, width: frame.width, height: frame.height, format: 'rgba' };
    const faces = await this.engine.analysis.detect(image);
    this.kept = { image, faces, at: this.now() };
    if (this.enrollment) return this.enrollFrame(image, faces, this.enrollment);
    if (!decide) return this.previewFrame(image, faces);
    if (this.challenge) return this.challengeFrame(image, faces, this.challenge);
    return this.unlockFrame(image, faces);
  }

  private async unlockFrame(image: PixelImage, faces: Face[]): Promise<FrameAnalysis> {
    const config = this.decisions.settings;
    const now = this.now();
    const { subject } = this.subjectOf(faces, image);
    // Embedding and liveness cost most: only a subject that passed the gates, and that stands
    // where it stood a frame ago, gets them. A moving face gives blurred, unreliable embeddings.
    const steady =
      subject !== null && this.lastSubject !== null && iou(subject.bbox, this.lastSubject) >= STEADY_IOU;
    this.lastSubject = subject?.bbox ?? null;
    // Measured once: the decision engine reuses it for the same subject.
    const quality = subject ? checkQuality(subject, image, config.quality) : undefined;
    let eligible = subject && steady && quality?.passed ? subject : null;
    if (eligible) {
      const analyzed = await this.engine.analysis.analyze(image, eligible);
      faces[faces.indexOf(eligible)] = analyzed;
      eligible = analyzed;
    }
    // Every frame goes through the liveness checker: its frozen-feed check needs the whole sequence.
    const [verdict] = await this.engine.liveness.checkFrame(image, eligible ? [eligible] : [], now);
    // Layer 1 is judged over the agreeing frames, not frame by frame: a frame the models scored
    // counts as live here and its score joins the window; a frame they could not score (frozen
    // feed, face too small, models missing or failing) still breaks the streak (fail closed).
    const scoredFrame = verdict !== undefined && (verdict.live || verdict.reason === 'presentation attack');
    if (scoredFrame && config.livenessRequired) this.passiveScores.add(verdict.score, now);
    const liveness: LivenessInput | null =
      verdict && config.livenessRequired
        ? { live: scoredFrame, score: Number.isNaN(verdict.score) ? 0 : verdict.score }
        : null;
    const decision = this.decisions.processFrame({
      faces,
      image,
      width: image.width,
      height: image.height,
      liveness,
      now,
      // A 3d68 head pose from the analysis refines the pose gate: then let the engine measure again.
      ...(quality && !eligible?.pose ? { subjectQuality: quality } : {}),
    });
    let challenge: PendingChallenge | null = null;
    if (decision.final?.outcome === 'unlocked' && config.livenessRequired) {
      // Layer 1 over the agreeing frames: one decision on the whole window.
      const fused = this.engine.liveness.fuse(this.passiveScores.last(config.framesRequired));
      this.passiveScores.clear();
      const live = { live: fused.live, score: Number.isNaN(fused.score) ? 0 : fused.score };
      if (!fused.live) {
        decision.final = {
          ...decision.final,
          outcome: 'rejected',
          reason: 'not_live:passive',
          liveness: live,
        };
      } else {
        decision.final = { ...decision.final, liveness: live };
        // Level high: the door waits for the head-turn challenge (layers 1–3), same person throughout.
        const started = this.engine.liveness.startChallenge(decision.final.personId ?? '', eligible, now);
        if (started) challenge = this.challenge = { challenge: started, final: decision.final };
      }
    } else if (decision.final) {
      this.passiveScores.clear();
    }
    if (decision.final && !challenge) void this.conclude(decision.final);
    const views = faces.map((face, i): FaceView => {
      const view = toView(face);
      if (i === decision.subjectIndex) {
        if (decision.match) view.label = decision.match.name;
        if (decision.score !== null) view.score = decision.score;
        if (liveness) view.liveness = liveness.score;
      }
      return view;
    });
    let guidance: Guidance | null = challenge ? turnGuidance(challenge.challenge) : decision.guidance;
    if (!guidance && decision.state === 'checking')
      guidance = liveness && !liveness.live ? 'not_live' : 'hold_still';
    if (!guidance && faces.length === 0) guidance = 'no_face';
    return { faces: views, guidance };
  }

  private async previewFrame(image: PixelImage, faces: Face[]): Promise<FrameAnalysis> {
    const config = this.decisions.settings;
    const { subject, index } = this.subjectOf(faces, image);
    const views = faces.map(toView);
    if (!subject) return { faces: views, guidance: faces.length === 0 ? 'no_face' : 'come_closer' };
    const analyzed = await this.engine.analysis.analyze(image, subject);
    faces[index] = analyzed;
    const view = (views[index] = toView(analyzed));
    if (this.engine.recognizerId && analyzed.normedEmbedding) {
      const ranking = identify(
        analyzed.normedEmbedding,
        this.deps.store.gallery(this.engine.recognizerId),
        config.threshold,
      );
      if (ranking.match) view.label = ranking.match.name;
      if (ranking.best) view.score = ranking.best.score;
    }
    if (this.deps.settings().liveness.enabled && this.engine.liveness.available) {
      const verdict = await this.engine.liveness.checkFace(image, analyzed);
      if (Number.isFinite(verdict.score)) view.liveness = verdict.score;
    }
    return { faces: views, guidance: null };
  }

  /** While a head-turn challenge runs, each frame is checked for yaw and for the same person. */
  private async challengeFrame(
    image: PixelImage,
    faces: Face[],
    pending: PendingChallenge,
  ): Promise<FrameAnalysis> {
    const now = this.now();
    const config = this.decisions.settings;
    const { subject } = this.subjectOf(faces, image);
    let identity: string | null = null;
    let score: number | null = null;
    const index = subject ? faces.indexOf(subject) : -1;
    if (subject) {
      const analyzed = await this.engine.analysis.analyze(image, subject);
      faces[index] = analyzed;
      const entry = this.engine.recognizerId
        ? this.deps.store
            .gallery(this.engine.recognizerId)
            .find((g) => g.personId === pending.challenge.identity)
        : undefined;
      const ranking = verify(analyzed.normedEmbedding!, entry, config.threshold);
      score = ranking.best?.score ?? null;
      identity = ranking.match ? ranking.match.personId : 'someone else';
    }
    const analyzedSubject = index >= 0 ? faces[index]! : null;
    // Every challenge frame is also scored by layer 1 (the frozen-feed check included).
    const [verdict] = await this.engine.liveness.checkFrame(
      image,
      analyzedSubject ? [analyzedSubject] : [],
      now,
    );
    const passive = verdict
      ? verdict.live || verdict.reason === 'presentation attack'
        ? verdict.score
        : 0
      : null;
    const status = pending.challenge.observe({ nowMs: now, face: analyzedSubject, passive, identity });
    if (status.state === 'done') {
      this.challenge = null;
      const v = status.verdict;
      const liveness = { live: v.live, score: Number.isNaN(v.passive.score) ? 0 : v.passive.score };
      void this.conclude(
        v.live
          ? { ...pending.final, liveness }
          : { ...pending.final, outcome: 'rejected', reason: layerReason(v), score, liveness },
      );
    }
    const views = faces.map(toView);
    if (index >= 0 && identity === pending.challenge.identity && pending.final.personName) {
      views[index]!.label = pending.final.personName;
      if (score !== null) views[index]!.score = score;
    }
    return {
      faces: views,
      guidance: status.state === 'pending' ? turnGuidance(pending.challenge) : 'hold_still',
    };
  }

  private async conclude(final: FinalDecision): Promise<void> {
    let door: DoorResult | null = null;
    try {
      const snapshot =
        final.outcome !== 'unlocked' && this.deps.audit.snapshotsEnabled && this.kept
          ? await jpegOf(this.kept.image)
          : undefined;
      door = (
        await concludeAttempt(final, {
          door: this.deps.door(),
          audit: this.deps.audit,
          ...(snapshot ? { snapshot } : {}),
        })
      ).door;
    } catch (error) {
      // The door or the log failed: say so on screen; never report an unlock that did not happen.
      this.deps.log(
        `concluding an attempt failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (final.outcome === 'unlocked') door = null;
    }
    const opened = final.outcome === 'unlocked';
    this.deps.emitDecision({
      at: Date.parse(final.time),
      outcome: opened ? (door?.ok ? 'unlocked' : 'door_failed') : 'refused',
      personName: opened ? final.personName : null,
      score: final.score,
      reason: opened ? (door?.ok ? 'match' : (door?.reason ?? 'the door output failed')) : final.reason,
      liveness: final.liveness?.score ?? null,
    });
  }

  startEnrollment(personId: string, target: number): EnrollStatus {
    const config = this.decisions.settings;
    const existing = this.engine.recognizerId
      ? (this.deps.store.gallery(this.engine.recognizerId).find((g) => g.personId === personId)?.templates ??
        [])
      : [];
    const session = new CaptureSession({
      quality: config.quality,
      threshold: config.threshold,
      steps: DEFAULT_CAPTURE_STEPS.slice(0, target),
      existing,
    });
    const required = Math.min(target, DEFAULT_CAPTURE_STEPS.length);
    this.enrollment = { personId, session, lastRefusal: null, hint: 'look_straight', required };
    return this.enrollStatus();
  }

  stopEnrollment(): EnrollStatus {
    const status = { ...this.enrollStatus(), done: true };
    this.enrollment = null;
    this.refreshGallery();
    return status;
  }

  enrollStatus(): EnrollStatus {
    const e = this.enrollment;
    return {
      personId: e?.personId ?? null,
      accepted: e?.session.samples.length ?? 0,
      target: e?.required ?? 0,
      lastRefusal: e?.lastRefusal ?? null,
      hint: e?.hint ?? null,
      done: e?.session.done ?? false,
    };
  }

  private async enrollFrame(image: PixelImage, faces: Face[], e: Enrollment): Promise<FrameAnalysis> {
    const config = this.decisions.settings;
    const { subject } = this.subjectOf(faces, image);
    if (subject && checkQuality(subject, image, config.quality).passed) {
      faces[faces.indexOf(subject)] = await this.engine.analysis.analyze(image, subject);
    }
    const feedback = e.session.offer(faces, image);
    if (feedback.accepted && this.engine.recognizerId) {
      const sample = e.session.samples.at(-1)!;
      const thumbnail =
        e.session.samples.length === 1 ? await faceThumbnail(image, sample.face.bbox) : undefined;
      await this.deps.store.addTemplate(e.personId, {
        recognizerId: this.engine.recognizerId,
        embedding: sample.embedding,
        ...(thumbnail ? { thumbnail } : {}),
      });
      e.lastRefusal = null;
    } else if (!feedback.accepted) {
      e.lastRefusal = feedback.hint;
    }
    e.hint = feedback.hint;
    const status = this.enrollStatus();
    this.deps.emitEnroll(status);
    if (status.done) this.stopEnrollment();
    const guidance = feedback.hint && isGuidance(feedback.hint) ? feedback.hint : null;
    return { faces: faces.map(toView), guidance };
  }
}

const GUIDANCE: ReadonlySet<string> = new Set<Guidance>([
  'come_closer',
  'look_at_camera',
  'one_person',
  'hold_still',
  'too_dark',
  'too_bright',
  'turn_left',
  'turn_right',
]);
const isGuidance = (hint: string): hint is Guidance => GUIDANCE.has(hint);

/** A frame as a JPEG, for opt-in snapshots of failed attempts. */
async function jpegOf(image: PixelImage): Promise<Uint8Array> {
  const channels = image.format === 'rgba' ? 4 : 3;
  const raw = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return sharp(raw, { raw: { width: image.width, height: image.height, channels } })
    .removeAlpha()
    .jpeg({ quality: 75 })
    .toBuffer();
}

export function toView(face: Face): FaceView {
  const view: FaceView = {
    bbox: [face.bbox[0], face.bbox[1], face.bbox[2], face.bbox[3]],
    kps: face.kps.map(([x, y]) => [x, y] as [number, number]),
    detScore: face.detScore,
  };
  if (face.landmark2d106) view.landmarks = face.landmark2d106.map(([x, y]) => [x, y] as [number, number]);
  return view;
}
