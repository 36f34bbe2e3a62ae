// The unlock flow: door frames from the capture context only (frames/frame-routing.ts). Detect
// every frame; embed and check liveness only for the one subject that passed the gates and
// holds still; N agreeing frames, whose passive scores fuse into one live decision (layer 1,
// liveness/passive-fusion.ts), open the door. At liveness level high, the door waits after the
// agreeing frames for the head-turn challenge with layers 1–3 (`startChallenge` /
// `challengeFrame`, liveness/levels.ts). A liveness refusal names its layer.
import type { FrameAnalysis } from '../frames/frame-service.js';
import type { Face, PixelImage } from '../insightface/types.js';
import type { ChallengeView, FaceView, Guidance } from '../../preload/contract/frames.js';
import type { DecisionEvent } from '../../preload/contract/events.js';
import type { FailureReason, FinalDecision } from '../recognition/decision.js';
import { judgeFrame, type FrameJudgement } from '../recognition/judge-frame.js';
import { concludeAttempt } from '../recognition/conclude.js';
import { verify } from '../recognition/matcher.js';
import type { LivenessInput } from '../recognition/types.js';
import type { ActiveCheck, LayeredVerdict } from '../liveness/levels.js';
import { PassiveWindow } from '../liveness/passive-fusion.js';
import { SteadyGate } from '../liveness/attempts.js';
import { encodeJpeg } from '../image/jpeg.js';
import type { DoorResult } from '../door/types.js';
import type { FlowContext } from './flow-context.js';
import { toView, toViews } from './face-view.js';
import { ChallengeMisses } from './challenge-misses.js';

/** An unlock held back until the person turns their head as asked (level high, layers 1–3). */
interface PendingChallenge {
  challenge: ActiveCheck;
  final: FinalDecision;
}

/** The audit reason of a liveness refusal names the layer: 'not_live:passive', … */
const layerReason = (v: LayeredVerdict): FailureReason => `not_live:${v.failedLayer ?? 'passive'}`;

/**
 * Whether the passive models gave this frame a score (live or not). Frames they could not score
 * (a frozen feed, a face too small, the models missing or failing) are refused outright.
 */
const scored = (v: { live: boolean; reason?: string } | undefined): boolean =>
  v !== undefined && (v.live || v.reason === 'presentation attack');

/**
 * Until the head is at rest the challenge judges nothing and asks to look at the camera
 * (challenge.ts); turns too small for layer 2 to judge ask for a little more (levels.ts).
 */
const turnGuidance = (challenge: ActiveCheck): Guidance =>
  !challenge.challenge.atRest
    ? 'look_at_camera'
    : challenge.turningFurther
      ? 'turn_further'
      : challenge.challenge.direction === 'left'
        ? 'turn_left'
        : 'turn_right';

/** The challenge as the door's prompt shows it: the arrow, "1 of 2", the countdown. */
function challengeView(check: ActiveCheck, now: number): ChallengeView {
  const c = check.challenge;
  return {
    direction: c.direction,
    step: c.current.step,
    steps: c.directions.length,
    atRest: c.atRest,
    leftMs: c.leftMs(now),
    windowMs: c.stepWindowMs,
  };
}

/** What the door screen hears of an attempt beyond its decision (DecisionEvent). */
type DoorNote = Pick<DecisionEvent, 'lockedForMs' | 'challengeMiss'>;

export class UnlockFlow {
  private challenge: PendingChallenge | null = null;
  /** Recognition and liveness wait for a subject that passed the gates and holds still. */
  private readonly gate = new SteadyGate();
  /** Since when every frame has shown a live subject in a moving feed; null: no evidence now. */
  private liveSince: number | null = null;
  /** Layer 1: the passive scores of the recent scored frames, fused when an unlock is due. */
  private readonly passiveScores = new PassiveWindow(60_000);
  /** Conclusions (door, log, event) still running: `settled` waits for them. */
  private readonly pending = new Set<Promise<void>>();
  /** Missed head turns count against the person the face matched, not everyone (challenge-misses.ts). */
  private readonly misses = new ChallengeMisses(() => this.ctx.decisions.settings);

  constructor(
    private readonly ctx: FlowContext,
    /** The frame to attach to a refused attempt's audit line (opt-in snapshots). */
    private readonly lastImage: () => PixelImage | null,
  ) {}

  async frame(image: PixelImage, faces: Face[]): Promise<FrameAnalysis> {
    const { engine, decisions } = this.ctx;
    // Judged once (subject, one person, quality); the decision engine takes this judgement as it is.
    const judgement = judgeFrame(faces, image, image, decisions.settings);
    if (this.challenge) return this.challengeFrame(image, faces, judgement, this.challenge);
    const now = this.ctx.now();
    const { subject } = judgement;
    // Embedding and liveness cost most: only a subject that passed the gates, and that stands
    // where it stood a frame ago, gets them (liveness/attempts.ts, the judge the CLI uses too).
    let eligible = this.gate.eligible(judgement);
    if (eligible) {
      eligible = await engine.analysis.analyze(image, eligible);
      faces[judgement.index] = eligible;
    }
    // Every frame goes through the liveness checker: its frozen-feed check needs the whole sequence.
    const [verdict] = eligible
      ? await engine.liveness.checkFrame(engine.analysis.bgrOf(image), [eligible], now)
      : await engine.liveness.checkFrame(image, [], now);
    const liveness = this.livenessOf(verdict, subject !== null, now);
    const decision = decisions.processFrame({
      judgement: eligible ? { ...judgement, subject: eligible } : judgement,
      liveness,
      now,
    });
    if (decision.final?.outcome === 'unlocked' && decisions.settings.livenessRequired) {
      // Layer 1 over the agreeing frames: one decision on the whole window, not a vote per frame.
      const fused = engine.liveness.fuse(this.passiveScores.last(decisions.settings.framesRequired));
      const live = { live: fused.live, score: Number.isNaN(fused.score) ? 0 : fused.score };
      decision.final = fused.live
        ? { ...decision.final, liveness: live }
        : decisions.revokeUnlock(decision.final, 'not_live:passive', live, now);
    }
    const rules = this.ctx.deps.rules;
    if (decision.final?.outcome === 'unlocked' && rules) {
      // A fleet door (kiosk-fleet.ts): the offline grace, then the person's access groups now.
      const refusal = rules.refusal(decision.final.personId ?? '', now);
      // Never towards the lockout: a schedule refusal is not a guess (decision.ts refuseByRule).
      if (refusal) decision.final = decisions.refuseByRule(decision.final, refusal);
    }
    if (decision.final) this.passiveScores.clear();
    let challenge =
      decision.final?.outcome === 'unlocked' ? this.startChallenge(decision.final, eligible, now) : null;
    const missedOut = challenge ? this.misses.lockedForMs(challenge.challenge.identity, now) : 0;
    if (challenge && decision.final && missedOut > 0) {
      // Too many missed turns for this person: refused until their own wait ends, no one else.
      this.challenge = challenge = null;
      decision.final = decisions.refuseByRule(decision.final, 'not_live:challenge');
      this.conclude(decision.final, { lockedForMs: missedOut });
    } else if (decision.final && !challenge) this.conclude(decision.final);
    const views = faces.map((face, i): FaceView => {
      const view = toView(face, i === decision.subjectIndex);
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
    return {
      faces: views,
      guidance,
      ...(challenge ? { challenge: challengeView(challenge.challenge, now) } : {}),
      ...(decision.state === 'locked_out' ? { lockedForMs: decision.retryAfterMs } : {}),
    };
  }

  /**
   * This frame's liveness for the decision engine, with the span of evidence behind it: the
   * time since every frame began showing a live subject in a feed that is not still. A frozen
   * feed, a refused face, or no face at all starts the span again.
   */
  private livenessOf(
    verdict: { live: boolean; score: number } | undefined,
    hasSubject: boolean,
    now: number,
  ): LivenessInput | null {
    const { engine, decisions } = this.ctx;
    // A frame the models scored counts as evidence here, its score joins layer 1's window, and
    // the fused decision is taken when the frames agree; an unscored frame breaks the streak.
    const ok = scored(verdict);
    if (engine.liveness.feedStill || !hasSubject || (verdict && !ok)) this.liveSince = null;
    else if (ok) this.liveSince ??= now;
    if (!verdict || !decisions.settings.livenessRequired) return null;
    if (ok) this.passiveScores.add(verdict.score, now);
    return {
      live: ok,
      score: Number.isNaN(verdict.score) ? 0 : verdict.score,
      evidenceMs: this.liveSince === null ? 0 : now - this.liveSince,
      newImage: ok && engine.liveness.feedNewImage,
    };
  }

  /**
   * The challenge hook: after the agreeing frames, at level high, the active check (random head
   * turns, same person throughout, layers 1–3 on every frame). Null: unlock now.
   */
  private startChallenge(final: FinalDecision, subject: Face | null, now: number): PendingChallenge | null {
    const started = this.ctx.engine.liveness.startChallenge(final.personId ?? '', subject, now);
    if (!started) return null;
    this.challenge = { challenge: started, final };
    return this.challenge;
  }

  /** While a head-turn challenge runs, each frame is checked for yaw and for the same person. */
  private async challengeFrame(
    image: PixelImage,
    faces: Face[],
    { subject, index, passed }: FrameJudgement,
    pending: PendingChallenge,
  ): Promise<FrameAnalysis> {
    const { engine } = this.ctx;
    const now = this.ctx.now();
    const config = this.ctx.decisions.settings;
    let identity: string | null = null;
    let score: number | null = null;
    if (subject) {
      const analyzed = await engine.analysis.analyze(image, subject);
      faces[index] = analyzed;
      const entry = this.ctx.gallery().find((g) => g.personId === pending.challenge.identity);
      const ranking = verify(analyzed.normedEmbedding!, entry, config.threshold);
      score = ranking.best?.score ?? null;
      identity = ranking.match ? ranking.match.personId : 'someone else';
    }
    const analyzedSubject = index >= 0 ? faces[index]! : null;
    // Every challenge frame is also scored by layer 1 (the frozen-feed check included).
    const [verdict] = analyzedSubject
      ? await engine.liveness.checkFrame(engine.analysis.bgrOf(image), [analyzedSubject], now)
      : await engine.liveness.checkFrame(image, [], now);
    // Only a frame that passed the recognition gates is judged by the passive pair (a turned,
    // blurred or dark frame says little); the floor applies to the fused window of those.
    const passive = verdict && passed ? (scored(verdict) ? verdict.score : 0) : null;
    const status = pending.challenge.observe({ nowMs: now, face: analyzedSubject, passive, identity }, image);
    if (status.state === 'done') {
      this.challenge = null;
      const v = status.verdict;
      if (!v.live)
        this.ctx.deps.log(
          `liveness refused an unlock at layer ${v.failedLayer}: ${v.reason}` +
            (v.challenge ? ` (step ${v.challenge.step + 1}, ${v.challenge.direction})` : ''),
        );
      const liveness = { live: v.live, score: Number.isNaN(v.passive.score) ? 0 : v.passive.score };
      const miss = v.failedLayer === 'challenge' ? pending.challenge.challenge.miss : null;
      if (v.live) this.conclude({ ...pending.final, liveness });
      else if (miss) {
        // A missed turn: the person may try again at once; it counts against them, not the door.
        const refused = this.ctx.decisions.refuseByRule(pending.final, layerReason(v), { retryNow: true });
        const lockedForMs = this.misses.miss(pending.challenge.identity, now);
        this.conclude({ ...refused, liveness, score }, { challengeMiss: miss, lockedForMs });
      } else
        this.conclude({
          ...this.ctx.decisions.revokeUnlock(pending.final, layerReason(v), liveness, now),
          score,
        });
    }
    const views = toViews(faces, index);
    if (index >= 0 && identity === pending.challenge.identity && pending.final.personName) {
      views[index]!.label = pending.final.personName;
      if (score !== null) views[index]!.score = score;
    }
    return {
      faces: views,
      guidance: status.state === 'pending' ? turnGuidance(pending.challenge) : 'hold_still',
      ...(status.state === 'pending' ? { challenge: challengeView(pending.challenge, now) } : {}),
    };
  }

  /** Resolves once every conclusion started so far (door, log, decision event) has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private conclude(final: FinalDecision, note: DoorNote = {}): void {
    const running = this.concludeNow(final, note).finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  private async concludeNow(final: FinalDecision, note: DoorNote): Promise<void> {
    const { deps } = this.ctx;
    let door: DoorResult | null = null;
    try {
      const image = this.lastImage();
      const snapshot =
        final.outcome !== 'unlocked' && deps.audit.snapshotsEnabled && image
          ? await encodeJpeg(image, { quality: 75 })
          : undefined;
      const concluded = await concludeAttempt(final, {
        door: deps.door(),
        audit: deps.audit,
        ...(snapshot ? { snapshot } : {}),
      });
      door = concluded.door;
      // Written locally first (durable); a fleet door then ships and announces it.
      deps.rules?.announce(concluded.record);
    } catch (error) {
      // The door or the log failed: say so on screen; never report an unlock that did not happen.
      deps.log(`concluding an attempt failed: ${error instanceof Error ? error.message : String(error)}`);
      if (final.outcome === 'unlocked') door = null;
    }
    const opened = final.outcome === 'unlocked';
    // The door's own error (ECONNREFUSED, HTTP 503, …) is in the audit record and the log; the
    // door screen gets a code and says what the person can do (renderer/screens/door/door-words.ts).
    if (opened && door && !door.ok) deps.log(`the door did not open for ${final.personName}: ${door.reason}`);
    const lockedForMs =
      final.outcome === 'locked_out'
        ? this.ctx.decisions.lockedForMs(this.ctx.now())
        : (note.lockedForMs ?? 0);
    deps.emitDecision({
      at: Date.parse(final.time),
      outcome: opened ? (door?.ok ? 'unlocked' : 'door_failed') : 'refused',
      personName: opened ? final.personName : null,
      score: final.score,
      reason: opened ? (door?.ok ? 'match' : 'door_failed') : final.reason,
      liveness: final.liveness?.score ?? null,
      ...(lockedForMs > 0 ? { lockedForMs } : {}),
      ...(note.challengeMiss ? { challengeMiss: note.challengeMiss } : {}),
    });
  }
}
