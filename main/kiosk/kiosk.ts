// The kiosk's per-frame path and its two modes. Unlock: detect every frame,
// gate, then embed and check liveness only for the one subject that passed the
// gates; N agreeing frames open the door. Enroll: sample good, varied frames of
// one person into the store.
import type { CheckedFrame, FrameAnalysis } from '../frames/frame-service.js';
import type { Face, PixelImage } from '../insightface/types.js';
import type { FaceView, Guidance } from '../../preload/contract/frames.js';
import type { DecisionEvent, EnrollStatus } from '../../preload/contract/index.js';
import type { Settings } from '../../preload/contract/settings.js';
import { DecisionEngine, DEFAULT_DECISION, type DecisionConfig, type FinalDecision } from '../recognition/decision.js';
import { selectSubject } from '../recognition/subject.js';
import { checkQuality } from '../recognition/quality.js';
import { checkEnrollmentFace, isNearDuplicate } from '../recognition/enroll-check.js';
import type { LivenessInput } from '../recognition/types.js';
import type { EnrollmentStore } from '../store/enrollment-store.js';
import { faceThumbnail } from '../store/thumbnail.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { DoorOutput } from '../door/types.js';
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
  target: number;
  accepted: Float32Array[];
  lastRefusal: string | null;
}

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
    framesRequired: r.framesToAgree,
    windowMs: r.agreeWithinMs,
    cooldownMs: r.cooldownMs,
    livenessRequired: settings.liveness.enabled,
  };
}

export class Kiosk {
  readonly decisions: DecisionEngine;
  private enrollment: Enrollment | null = null;
  private kept: KeptFrame | null = null;
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
    if (this.engine.recognizerId) this.decisions.setGallery(this.deps.store.gallery(this.engine.recognizerId));
  }

  get latestFrame(): KeptFrame | null {
    return this.kept;
  }

  async analyzeFrame(frame: CheckedFrame): Promise<FrameAnalysis> {
    const image: PixelImage = { data: frame.rgba, width: frame.width, height: frame.height, format: 'rgba' };
    const faces = await this.engine.analysis.detect(image);
    this.kept = { image, faces, at: this.now() };
    return this.enrollment ? this.enrollFrame(image, faces, this.enrollment) : this.unlockFrame(image, faces);
  }

  private async unlockFrame(image: PixelImage, faces: Face[]): Promise<FrameAnalysis> {
    const config = this.decisions.settings;
    const now = this.now();
    const { subject } = selectSubject(faces, image, {
      minFacePx: config.quality.minFacePx,
      secondFaceRatio: config.secondFaceRatio,
    });
    // Embedding and liveness cost most: only a subject that passed the gates gets them.
    const eligible = subject && checkQuality(subject, image, config.quality).passed ? subject : null;
    if (eligible) await this.engine.analysis.analyze(image, eligible);
    // Every frame goes through the liveness checker: its frozen-feed check needs the whole sequence.
    const [verdict] = await this.engine.liveness.checkFrame(image, eligible ? [eligible] : [], now);
    const liveness: LivenessInput | null =
      verdict && config.livenessRequired
        ? { live: verdict.live, score: Number.isNaN(verdict.score) ? 0 : verdict.score }
        : null;
    const decision = this.decisions.processFrame({ faces, image, width: image.width, height: image.height, liveness, now });
    if (decision.final) void this.conclude(decision.final);
    const views = faces.map((face, i): FaceView => {
      const view = toView(face);
      if (i === decision.subjectIndex) {
        if (decision.match) view.label = decision.match.name;
        if (decision.score !== null) view.score = decision.score;
        if (liveness) view.liveness = liveness.score;
      }
      return view;
    });
    let guidance: Guidance | null = decision.guidance;
    if (!guidance && decision.state === 'checking') guidance = liveness && !liveness.live ? 'not_live' : 'hold_still';
    if (!guidance && faces.length === 0) guidance = 'no_face';
    return { faces: views, guidance };
  }

  private async conclude(final: FinalDecision): Promise<void> {
    let door: { ok: boolean; kind: string; reason: string | null } | null = null;
    if (final.outcome === 'unlocked') {
      const output = this.deps.door();
      try {
        const result = await output.open({ personId: final.personId, personName: final.personName });
        door = { ok: result.ok, kind: result.kind, reason: result.reason };
      } catch (error) {
        door = { ok: false, kind: output.kind, reason: error instanceof Error ? error.message : String(error) };
      }
    }
    const { time, ...rest } = final;
    try {
      await this.deps.audit.append({ ...rest, time, door });
    } catch (error) {
      this.deps.log(`audit log write failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const opened = final.outcome === 'unlocked';
    this.deps.emitDecision({
      at: Date.parse(time),
      outcome: opened ? (door?.ok ? 'unlocked' : 'door_failed') : 'refused',
      personName: opened ? final.personName : null,
      score: final.score,
      reason: opened ? (door?.ok ? 'match' : (door?.reason ?? 'door failed')) : final.reason,
      liveness: final.liveness?.score ?? null,
    });
  }

  startEnrollment(personId: string, target: number): EnrollStatus {
    this.enrollment = { personId, target, accepted: [], lastRefusal: null };
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
      accepted: e?.accepted.length ?? 0,
      target: e?.target ?? 0,
      lastRefusal: e?.lastRefusal ?? null,
      done: e ? e.accepted.length >= e.target : false,
    };
  }

  private async enrollFrame(image: PixelImage, faces: Face[], e: Enrollment): Promise<FrameAnalysis> {
    const config = this.decisions.settings;
    const { subject } = selectSubject(faces, image, {
      minFacePx: config.quality.minFacePx,
      secondFaceRatio: config.secondFaceRatio,
    });
    if (subject && checkQuality(subject, image, config.quality).passed) await this.engine.analysis.analyze(image, subject);
    const check = checkEnrollmentFace(faces, image, config.quality, config.secondFaceRatio);
    let guidance: Guidance | null = null;
    if (!check.ok) {
      e.lastRefusal = check.code;
      guidance = check.code === 'several_faces' ? 'one_person' : check.code === 'no_face' ? 'no_face' : 'hold_still';
      const failed = check.gates.find((g) => !g.passed);
      if (failed?.guidance) guidance = failed.guidance;
    } else if (e.accepted.length < e.target) {
      const embedding = check.face.normedEmbedding!;
      if (isNearDuplicate(embedding, e.accepted)) {
        e.lastRefusal = 'duplicate';
      } else if (this.engine.recognizerId) {
        const thumbnail = e.accepted.length === 0 ? await faceThumbnail(image, check.face.bbox) : undefined;
        await this.deps.store.addTemplate(e.personId, {
          recognizerId: this.engine.recognizerId,
          embedding,
          ...(thumbnail ? { thumbnail } : {}),
        });
        e.accepted.push(embedding);
        e.lastRefusal = null;
      }
    }
    const status = this.enrollStatus();
    this.deps.emitEnroll(status);
    if (status.done) this.stopEnrollment();
    return { faces: faces.map(toView), guidance };
  }
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
