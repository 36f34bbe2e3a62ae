// Camera enrollment: sample good, varied frames of one person into the store. It belongs to the
// admin session (admin/admin-session.ts): services stop it when the session ends, and it takes
// no frame without a live session. It also stops by itself after ENROLL_TIMEOUT_MS.
import type { FrameAnalysis } from '../frames/frame-service.js';
import type { Face, PixelImage } from '../insightface/types.js';
import type { EnrollStatus } from '../../preload/contract/index.js';
import { judgeFrame } from '../recognition/judge-frame.js';
import { CaptureSession, DEFAULT_CAPTURE_STEPS } from '../recognition/capture-session.js';
import { faceThumbnail } from '../store/thumbnail.js';
import type { FlowContext } from './flow-context.js';
import { isCaptureGuidance, toViews } from './face-view.js';

/**
 * 2 minutes: five guided samples take well under one (a few seconds each); an enrollment still
 * running after two was left behind, and the next face at the camera must not join it.
 */
export const ENROLL_TIMEOUT_MS = 2 * 60_000;

interface Enrollment {
  personId: string;
  session: CaptureSession;
  startedAt: number;
  /** Why the last frame was not taken: a capture hint such as 'near_duplicate'. */
  lastRefusal: string | null;
  /** What to ask of the person now: 'turn_left', 'look_straight', … */
  hint: string | null;
  required: number;
  /** The admin said this person is not the one the duplicate check names: save flagged samples. */
  allowLookalike: boolean;
  lookalike: NonNullable<EnrollStatus['lookalike']> | null;
  /** Samples saved (a flagged one is taken by the session, but not saved). */
  saved: number;
}

/** What ends enrollment with the admin session: the session's end, and the kiosk of the moment. */
export interface EnrollOwner {
  onEnd(listener: (reason: string) => void): unknown;
}

/**
 * Camera enrollment belongs to the admin session (admin/admin-session.ts): when it ends, for any
 * reason, so does enrollment on whichever kiosk is current then.
 */
export function endEnrollmentWithSession(
  session: EnrollOwner,
  kiosk: () => { enrollStatus(): EnrollStatus; stopEnrollment(): EnrollStatus } | null,
  emit: (status: EnrollStatus) => void,
  log: (message: string) => void,
): void {
  session.onEnd((reason) => {
    const current = kiosk();
    if (!current?.enrollStatus().personId) return;
    log(`admin session ended (${reason}): enrollment stopped`);
    emit(current.stopEnrollment());
  });
}

export class EnrollFlow {
  private enrollment: Enrollment | null = null;

  constructor(
    private readonly ctx: FlowContext,
    /** The gallery changed (templates added): the unlock flow must see them. */
    private readonly galleryChanged: () => void,
  ) {}

  /** True while an enrollment runs, is within its time and has its admin session. */
  get active(): boolean {
    const e = this.enrollment;
    if (!e) return false;
    if (!this.ctx.deps.adminActive() || this.ctx.now() - e.startedAt > ENROLL_TIMEOUT_MS) {
      this.ctx.deps.log(
        `enrollment stopped: ${this.ctx.deps.adminActive() ? 'timed out' : 'no admin session'}`,
      );
      this.ctx.deps.emitEnroll(this.stop());
      return false;
    }
    return true;
  }

  start(personId: string, target: number, allowLookalike = false): EnrollStatus {
    const config = this.ctx.decisions.settings;
    const existing = this.ctx.gallery().find((g) => g.personId === personId)?.templates ?? [];
    const session = new CaptureSession({
      quality: config.quality,
      threshold: config.threshold,
      steps: DEFAULT_CAPTURE_STEPS.slice(0, target),
      existing,
    });
    const required = Math.min(target, DEFAULT_CAPTURE_STEPS.length);
    this.enrollment = {
      personId,
      session,
      startedAt: this.ctx.now(),
      lastRefusal: null,
      hint: 'look_straight',
      required,
      allowLookalike,
      lookalike: null,
      saved: 0,
    };
    // Sent as every status is: the audit's count starts again (enroll-events.ts), so a second run
    // for the same person writes its own lines.
    const status = this.status();
    this.ctx.deps.emitEnroll(status);
    return status;
  }

  stop(): EnrollStatus {
    const status = { ...this.status(), done: true };
    this.enrollment = null;
    this.galleryChanged();
    return status;
  }

  status(): EnrollStatus {
    const e = this.enrollment;
    return {
      personId: e?.personId ?? null,
      accepted: e?.saved ?? 0,
      target: e?.required ?? 0,
      lastRefusal: e?.lastRefusal ?? null,
      hint: e?.hint ?? null,
      done: (e?.session.done ?? false) || (e?.lookalike ? !e.lookalike.kept : false),
      lookalike: e?.lookalike ?? null,
    };
  }

  /** One admin frame; call only while `active`. */
  async frame(image: PixelImage, faces: Face[]): Promise<FrameAnalysis> {
    const e = this.enrollment;
    if (!e || !this.active) return { faces: toViews(faces, -1), guidance: null };
    const { engine, deps } = this.ctx;
    const config = this.ctx.decisions.settings;
    // Judged once, as the door judges a frame: the session's verdict and the overlay both read it.
    let judgement = judgeFrame(faces, image, image, config);
    if (judgement.passed && judgement.subject) {
      const subject = await engine.analysis.analyze(image, judgement.subject);
      faces[judgement.index] = subject;
      judgement = { ...judgement, subject };
    }
    const feedback = e.session.offer(judgement);
    const sample = feedback.accepted ? e.session.samples.at(-1)! : null;
    // The duplicate check (as at photo import): a face that already matches someone else enrolled
    // stops the enrollment before anything is saved, unless the admin has said they differ.
    const match = sample && this.ctx.decisions.rank(sample.embedding, this.ctx.gallery(), e.personId).match;
    if (match && (!e.lookalike || match.score > e.lookalike.score)) {
      const { personId, name, score } = match;
      e.lookalike = { personId, name, score, kept: e.allowLookalike };
    }
    const flagged = e.lookalike !== null && !e.lookalike.kept;
    // The session may have ended while the embedding ran: then nothing is stored.
    if (sample && !flagged && engine.recognizerId && this.enrollment === e && deps.adminActive()) {
      const thumbnail =
        e.session.samples.length === 1 ? await faceThumbnail(image, sample.face.bbox) : undefined;
      await deps.people.addTemplate(e.personId, {
        recognizerId: engine.recognizerId,
        embedding: sample.embedding,
        ...(thumbnail ? { thumbnail } : {}),
      });
      e.saved += 1;
      e.lastRefusal = null;
    } else if (sample && flagged) {
      e.lastRefusal = 'lookalike';
    } else if (!feedback.accepted) {
      e.lastRefusal = feedback.hint;
    }
    e.hint = feedback.hint;
    const status = this.status();
    deps.emitEnroll(status);
    if (status.done) this.stop();
    const guidance = feedback.hint && isCaptureGuidance(feedback.hint) ? feedback.hint : null;
    return { faces: toViews(faces, judgement.index), guidance };
  }
}
