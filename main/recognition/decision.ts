// The per-frame decision: subject selection, quality gates, matching, and the
// temporal rules (N agreeing frames within T, per-person cooldown, lockout after
// repeated failures, optional liveness). Pure: time comes in with each frame.
import type { AuditInput, DecisionMode } from '../audit/types.js';
import type { GalleryEntry } from '../store/enrollment-store.js';
import { identify, verify, type Ranking } from './matcher.js';
import { PackedGallery } from './packed-gallery.js';
import { DEFAULT_QUALITY } from './quality.js';
import type { QualityConfig } from './quality.js';
import { DEFAULT_SECOND_FACE_RATIO } from './subject.js';
import type { FrameJudgement } from './judge-frame.js';
import type { GateResult, Guidance, LivenessInput, MatchResult } from './types.js';
import { CAPTURE_INTERVAL_MS } from '../../preload/contract/capture.js';

export interface DecisionConfig {
  mode: DecisionMode;
  recognizerId: string;
  /** Cosine similarity a match must reach; see thresholds.ts. */
  threshold: number;
  /** N: consecutive frames that must agree. */
  framesRequired: number;
  /** T: the agreeing frames must fall within this window. */
  windowMs: number;
  /** After an unlock, the same person does not unlock again for this long. */
  cooldownMs: number;
  /** After a rejection, the same failure is not logged again for this long (one attempt, one record). */
  rejectHoldMs: number;
  /** maxFailures rejections within failureWindowMs lock everyone out for lockoutMs. */
  maxFailures: number;
  failureWindowMs: number;
  lockoutMs: number;
  /** 1:1: how long a claim (PIN typed) waits for a matching face. */
  claimTimeoutMs: number;
  /** Every agreeing frame must come with a live result (fail closed). */
  livenessRequired: boolean;
  /**
   * With liveness required, the agreeing frames must include at least this many distinct camera
   * images (LivenessInput.newImage). A still picture is one image however long it is shown and
   * however many bits are flipped in it, so it never gathers them: this, not a span of time, is
   * what keeps a still or frozen feed from opening the door, and it holds inside the streak
   * itself, so live frames of someone else before it lend it nothing.
   */
  minLiveImages: number;
  /**
   * With liveness required, an unlock also needs live evidence spanning at least this long
   * (LivenessInput.evidenceMs): agreeing frames sent in a burst, faster than the capture
   * context sends them, are not enough.
   */
  minLiveEvidenceMs: number;
  secondFaceRatio: number;
  quality: QualityConfig;
}

export const DEFAULT_DECISION: Omit<DecisionConfig, 'recognizerId' | 'threshold'> = {
  mode: 'identify',
  framesRequired: 3,
  windowMs: 2000,
  cooldownMs: 10_000,
  rejectHoldMs: 3000,
  maxFailures: 5,
  failureWindowMs: 60_000,
  lockoutMs: 60_000,
  claimTimeoutMs: 20_000,
  livenessRequired: false,
  // 3: each of the 3 agreeing frames (framesRequired, and layer 1's MIN_FUSED_FRAMES) a new image.
  // A live camera's sensor noise makes every frame one (liveness/frozen.ts: live feeds measure
  // >= 0.81 grey levels apart, a re-sent still < 0.01); a slow camera sampled twice per image
  // gives one every other frame, and simply takes a frame period longer.
  minLiveImages: 3,
  // Two periods of the capture context's frames (CAPTURE_INTERVAL_MS, 80 ms), the span of three
  // agreeing frames at that rate. It was 600 ms (frozen.ts's STILL_FEED_MS), so that the frozen-
  // feed check caught a still picture before the span was long enough; counting distinct images
  // (minLiveImages) refuses a still picture outright, and the 600 ms cost ~0.4 s per unlock.
  minLiveEvidenceMs: 2 * CAPTURE_INTERVAL_MS,
  secondFaceRatio: DEFAULT_SECOND_FACE_RATIO,
  quality: DEFAULT_QUALITY,
};

export interface FrameInput {
  /**
   * The frame's one judgement (judge-frame.ts: the face that counts, one person, quality), made
   * by the caller; the engine takes it as it is. Its subject carries the embedding when the
   * caller ran the recognizer on it (a detection-only subject neither advances nor breaks a streak).
   */
  judgement: FrameJudgement;
  /** Liveness of the judged subject; null when not measured. */
  liveness?: LivenessInput | null;
  /** ms, monotonic or wall clock, but the same for every frame. */
  now: number;
}

export type FrameState =
  | 'idle' // no face
  | 'guidance' // a gate failed
  | 'awaiting_claim' // 1:1 mode, nobody has typed a PIN
  | 'checking' // gates passed, frames are being collected
  | 'unlocked'
  | 'rejected'
  | 'cooldown'
  | 'locked_out';

export type FailureReason =
  | 'unknown_face'
  | 'claim_mismatch'
  | 'not_live'
  | 'claim_timeout'
  | 'wrong_claim_pin'
  /** A fleet door's rules refused a face the frames agreed on (fleet/kiosk-fleet.ts). */
  | 'not_permitted_now'
  | 'offline_too_long'
  | 'person_disabled'
  /** A liveness layer refused an unlock the frames agreed on (liveness/levels.ts). */
  | `not_live:${'passive' | 'structure' | 'challenge'}`;

/** A concluded attempt: log it (AuditLog.append with the door result) and, when unlocked, open the door. */
export type FinalDecision = Omit<AuditInput, 'door'> & { time: string };

export interface FrameDecision {
  state: FrameState;
  subjectIndex: number;
  guidance: Guidance | null;
  gates: GateResult[];
  /** The person this frame matched above the threshold; never a name below it. */
  match: MatchResult | null;
  /** The best score this frame (for the admin's live view); null when nothing was matched. */
  score: number | null;
  /** Agreeing frames so far and how many are needed. */
  progress: { count: number; required: number };
  liveness: LivenessInput | null;
  retryAfterMs: number;
  final: FinalDecision | null;
}

interface Streak {
  key: string;
  firstAt: number;
  count: number;
  /** How many of the streak's frames showed a new camera image (LivenessInput.newImage). */
  images: number;
  minScore: number | null;
  match: MatchResult | null;
}

export class DecisionEngine {
  private gallery: readonly GalleryEntry[] = [];
  /** The same gallery packed for 1:N, updated in place as people change. */
  private readonly packed = new PackedGallery();
  private streak: Streak | null = null;
  private cooldowns = new Map<string, number>();
  private failures: number[] = [];
  /** The failures an unlock cleared, restored if a later check revokes it (revokeUnlock). */
  private failuresBeforeUnlock: number[] = [];
  private lockedUntil = 0;
  private lastReject: { key: string; at: number } | null = null;
  private claimed: { personId: string; until: number } | null = null;

  constructor(private config: DecisionConfig) {}

  get settings(): Readonly<DecisionConfig> {
    return this.config;
  }

  updateConfig(patch: Partial<DecisionConfig>): void {
    this.config = { ...this.config, ...patch };
    this.streak = null;
  }

  /** The active recognizer's templates (EnrollmentStore.gallery(recognizerId)). */
  setGallery(entries: readonly GalleryEntry[]): void {
    this.gallery = entries;
    this.packed.sync(entries);
    this.streak = null;
  }

  /**
   * 1:N through the packed matrix, brought in line with `entries` first (the same list costs
   * nothing): the admin's preview and the camera enrollment's duplicate check (`exclude`: the
   * person being enrolled), which must not walk a door's gallery entry by entry.
   */
  rank(probe: Float32Array, entries: readonly GalleryEntry[], exclude?: string): Ranking {
    this.gallery = entries;
    return this.packed.sync(entries).identify(probe, this.config.threshold, exclude);
  }

  /** 1:1: someone typed a PIN that belongs to `personId`. Refused while locked out. */
  claim(personId: string, now: number): { ok: boolean; retryAfterMs: number } {
    if (this.lockedUntil > now) return { ok: false, retryAfterMs: this.lockedUntil - now };
    this.claimed = { personId, until: now + this.config.claimTimeoutMs };
    this.streak = null;
    return { ok: true, retryAfterMs: 0 };
  }

  /** Milliseconds until the (face) lockout ends; 0 when not locked. */
  lockedForMs(now: number): number {
    return Math.max(0, this.lockedUntil - now);
  }

  get claimedPersonId(): string | null {
    return this.claimed?.personId ?? null;
  }

  /** A PIN matching nobody counts as a failed attempt, towards the lockout. */
  claimFailed(now: number): FinalDecision {
    return this.fail('wrong_claim_pin', now, null, [], null);
  }

  /** Clears streaks, cooldowns, the claim and any lockout (admin action). */
  reset(): void {
    this.streak = null;
    this.cooldowns.clear();
    this.failures = [];
    this.lockedUntil = 0;
    this.lastReject = null;
    this.claimed = null;
  }

  processFrame(frame: FrameInput): FrameDecision {
    const { now } = frame;
    const liveness = frame.liveness ?? null;
    const base: FrameDecision = {
      state: 'idle',
      subjectIndex: -1,
      guidance: null,
      gates: [],
      match: null,
      score: null,
      progress: { count: 0, required: this.config.framesRequired },
      liveness,
      retryAfterMs: 0,
      final: null,
    };
    if (this.claimed && this.claimed.until <= now) {
      const personId = this.claimed.personId;
      this.claimed = null;
      this.streak = null;
      const final = this.fail('claim_timeout', now, null, [], liveness, personId);
      return { ...base, state: final.outcome === 'locked_out' ? 'locked_out' : 'rejected', final };
    }
    if (this.lockedUntil > now) return { ...base, state: 'locked_out', retryAfterMs: this.lockedUntil - now };

    const judged = frame.judgement;
    if (!judged.subject) {
      this.streak = null;
      return { ...base, state: this.needsClaim() ? 'awaiting_claim' : 'idle' };
    }
    const { onePerson } = judged;
    if (!onePerson.passed || !judged.quality) {
      this.streak = null;
      return {
        ...base,
        state: 'guidance',
        subjectIndex: judged.index,
        guidance: 'one_person',
        gates: [onePerson],
      };
    }
    const quality = judged.quality;
    const gates = [onePerson, ...quality.gates];
    const withSubject = { ...base, subjectIndex: judged.index, gates };
    if (!quality.passed) {
      this.streak = null;
      return { ...withSubject, state: 'guidance', guidance: quality.guidance };
    }
    if (this.needsClaim()) {
      this.streak = null;
      return { ...withSubject, state: 'awaiting_claim' };
    }
    const probe = judged.subject.normedEmbedding ?? judged.subject.embedding;
    // A detection-only frame (recognition runs on some frames only) gives guidance but neither
    // advances nor breaks the streak: it says nothing about who this is.
    if (!probe) {
      const count = this.streak?.count ?? 0;
      return { ...withSubject, state: 'checking', progress: { count, required: this.config.framesRequired } };
    }

    const ranking =
      this.config.mode === 'identify'
        ? identify(probe, this.packed, this.config.threshold)
        : verify(
            probe,
            this.gallery.find((g) => g.personId === this.claimed?.personId),
            this.config.threshold,
          );
    const score = ranking.best?.score ?? null;
    const live = !this.config.livenessRequired || liveness?.live === true;
    const failure: FailureReason | null = !ranking.match
      ? this.config.mode === 'identify'
        ? 'unknown_face'
        : 'claim_mismatch'
      : live
        ? null
        : 'not_live';
    const key = failure ?? `match:${ranking.match!.personId}`;
    const streak = this.advance(key, now, score, failure ? null : ranking.match, liveness?.newImage === true);
    const shown = { ...withSubject, match: failure === 'not_live' ? null : ranking.match, score };
    const progress = { count: streak.count, required: this.config.framesRequired };
    if (streak.count < this.config.framesRequired) return { ...shown, state: 'checking', progress };
    if (
      !failure &&
      this.config.livenessRequired &&
      ((liveness?.evidenceMs ?? -1) < this.config.minLiveEvidenceMs ||
        streak.images < this.config.minLiveImages)
    ) {
      // Agreeing, live frames, but not yet enough distinct images or over long enough a span:
      // keep the streak and wait.
      return { ...shown, state: 'checking', progress };
    }

    this.streak = null;
    if (failure) {
      if (
        this.lastReject &&
        this.lastReject.key === key &&
        now - this.lastReject.at < this.config.rejectHoldMs
      ) {
        return { ...shown, state: 'rejected', progress };
      }
      const final = this.fail(failure, now, streak.minScore, gates, liveness);
      if (failure === 'claim_mismatch') this.claimed = null;
      const state = final.outcome === 'locked_out' ? 'locked_out' : 'rejected';
      return { ...shown, state, progress, final, retryAfterMs: Math.max(0, this.lockedUntil - now) };
    }
    const match = streak.match!;
    const until = this.cooldowns.get(match.personId) ?? 0;
    if (until > now) return { ...shown, state: 'cooldown', progress, retryAfterMs: until - now };
    this.cooldowns.set(match.personId, now + this.config.cooldownMs);
    for (const [id, t] of this.cooldowns) if (t <= now) this.cooldowns.delete(id);
    this.failuresBeforeUnlock = this.failures;
    this.failures = [];
    this.lastReject = null;
    this.claimed = null;
    // The weakest of the agreeing frames is the score the unlock rests on.
    const final = this.record('unlocked', 'match', match, streak.minScore ?? match.score, gates, liveness);
    return { ...shown, state: 'unlocked', progress, final };
  }

  /**
   * An identified, live person whom the door's access rules refuse (a fleet door's schedule or
   * offline grace, fleet/kiosk-fleet.ts). Not a guess: it never counts towards the lockout, which
   * would shut the door for everyone else too. The failures the unlock cleared are restored, and
   * the person's cooldown stays, so they are told once per cooldown, not every few frames.
   */
  refuseByRule(
    granted: FinalDecision,
    reason: FailureReason,
    opts: { retryNow?: boolean } = {},
  ): FinalDecision {
    this.failures = this.failuresBeforeUnlock;
    this.failuresBeforeUnlock = [];
    // A missed head turn (kiosk/challenge-misses.ts counts those per person): try again at once.
    if (opts.retryNow && granted.personId) this.cooldowns.delete(granted.personId);
    return { ...granted, outcome: 'rejected', reason };
  }

  /**
   * An unlock this engine granted was refused afterwards by a later check (a liveness layer):
   * the person's cooldown is lifted and the refusal counts towards the lockout like any other.
   */
  revokeUnlock(
    granted: FinalDecision,
    reason: FailureReason,
    liveness: LivenessInput | null,
    now: number,
  ): FinalDecision {
    if (granted.personId) this.cooldowns.delete(granted.personId);
    this.failures = this.failuresBeforeUnlock;
    this.failuresBeforeUnlock = [];
    const refused = this.fail(reason, now, granted.score, [], liveness);
    return {
      ...refused,
      gates: granted.gates,
      // In identify mode the refusal names who the face matched: whom the attack impersonated.
      personId: refused.personId ?? granted.personId,
      personName: refused.personName ?? granted.personName,
    };
  }

  private needsClaim(): boolean {
    return this.config.mode === 'verify' && !this.claimed;
  }

  /** Extends the streak when this frame says the same thing within the window, else starts anew. */
  private advance(
    key: string,
    now: number,
    score: number | null,
    match: MatchResult | null,
    newImage: boolean,
  ): Streak {
    const s = this.streak;
    if (s && s.key === key && now - s.firstAt <= this.config.windowMs) {
      s.count++;
      if (newImage) s.images++;
      if (score !== null) s.minScore = s.minScore === null ? score : Math.min(s.minScore, score);
      return s;
    }
    this.streak = { key, firstAt: now, count: 1, images: newImage ? 1 : 0, minScore: score, match };
    return this.streak;
  }

  private fail(
    reason: FailureReason,
    now: number,
    score: number | null,
    gates: GateResult[],
    liveness: LivenessInput | null,
    claimedId?: string,
  ): FinalDecision {
    this.lastReject = { key: reason, at: now };
    this.failures = this.failures.filter((t) => now - t < this.config.failureWindowMs);
    this.failures.push(now);
    const claimed = claimedId ?? this.claimed?.personId;
    const who = claimed ? this.gallery.find((g) => g.personId === claimed) : undefined;
    const person = who ? { personId: who.personId, name: who.name } : null;
    if (this.failures.length >= this.config.maxFailures) {
      this.failures = [];
      this.lockedUntil = now + this.config.lockoutMs;
      this.claimed = null;
      return this.record('locked_out', reason, person, score, gates, liveness);
    }
    return this.record('rejected', reason, person, score, gates, liveness);
  }

  private record(
    outcome: FinalDecision['outcome'],
    reason: string,
    person: { personId: string; name: string } | null,
    score: number | null,
    gates: GateResult[],
    liveness: LivenessInput | null,
  ): FinalDecision {
    return {
      // Wall-clock time for the log; `now` may be a monotonic clock.
      time: new Date().toISOString(),
      mode: this.config.mode,
      outcome,
      reason,
      // On a rejection in 1:1 mode this is the claimed person, never a recognised one.
      personId: person?.personId ?? null,
      personName: person?.name ?? null,
      score,
      threshold: this.config.threshold,
      recognizerId: this.config.recognizerId,
      gates: gates.map(({ name, passed, value }) => ({ name, passed, value })),
      liveness,
    };
  }
}
