// The liveness decision the unlock flow asks for on each agreeing frame. It fails closed: with
// liveness on, anything that is not a clear pass (models missing, a model error, a frozen
// feed, a face too small to judge, a score under the threshold) is "not live".
import { AntiSpoof, LivenessModelsMissingError } from './anti-spoof.js';
import type { ChallengeOptions } from './challenge.js';
import { FrozenFrameDetector, type FrozenFrameOptions } from './frozen.js';
import { ActiveCheck, SECURITY_LEVELS, type LayerOptions, type SecurityLevel } from './levels.js';
import { toBgr } from '../insightface/image.js';
import type { Face, PixelImage } from '../insightface/types.js';
import { DEFAULT_PASSIVE_FUSION, fusePassive, type PassiveResult } from './passive-fusion.js';
import { cappedScore, screenFrame } from './screen-frame.js';

export interface LivenessSettings {
  enabled: boolean;
  /** Minimum mean real-class probability of the two models. */
  threshold: number;
  /** Which layers an unlock must pass (levels.ts): standard = passive, high = passive + 3-D + challenge. */
  level: SecurityLevel;
}

/**
 * 0.5: the real class then holds the majority of the averaged probability, which also makes it
 * the argmax the authors decide by. A principled midpoint, not fitted to any test photos.
 */
export const DEFAULT_LIVENESS_THRESHOLD = 0.5;

export const DEFAULT_LIVENESS_SETTINGS: Readonly<LivenessSettings> = {
  enabled: true,
  threshold: DEFAULT_LIVENESS_THRESHOLD,
  // Why standard: see DEFAULT_SETTINGS in preload/contract/settings.ts.
  level: 'standard',
};

export type LivenessReason =
  | 'liveness off'
  | 'liveness models missing'
  | 'frozen camera'
  | 'replayed frames'
  | 'face too small'
  | 'model error'
  | 'presentation attack';

export interface LivenessVerdict {
  live: boolean;
  /** Mean real-class probability; NaN when the models did not run. */
  score: number;
  reason?: LivenessReason;
  /** Details for the log (e.g. the model error's message). */
  detail?: string;
  /** The face sits in a screen's or a print's frame (screen-frame.ts); the score is capped. */
  screen?: true;
}

/** Throws RangeError unless the settings are usable. */
export function checkLivenessSettings(s: LivenessSettings): void {
  if (typeof s.enabled !== 'boolean') throw new RangeError('liveness.enabled: expected a boolean');
  if (!(SECURITY_LEVELS as readonly string[]).includes(s.level))
    throw new RangeError(`liveness.level: expected standard or high, got ${String(s.level)}`);
  if (typeof s.threshold !== 'number' || !(s.threshold >= 0 && s.threshold <= 1)) {
    throw new RangeError(`liveness.threshold: expected a number in [0, 1], got ${String(s.threshold)}`);
  }
}

export interface LivenessCheckerOptions {
  frozen?: FrozenFrameOptions;
  challenge?: ChallengeOptions;
  /** Fusion and structure thresholds (their defaults are derived from data in their files). */
  layers?: Omit<LayerOptions, 'challenge'>;
}

export class LivenessChecker {
  private settings: LivenessSettings;
  private readonly frozen: FrozenFrameDetector;
  /** Whether the last frame given to checkFrame showed a frozen or replayed feed. */
  feedStill = false;
  /** Whether the last frame given to checkFrame showed a new image (frozen.ts, `newImage`). */
  feedNewImage = false;
  /** Faces smaller than this (px, shorter box side) would be upsampled into every model's input. */
  readonly minFaceSize: number;

  /**
   * `antiSpoof` null means the liveness pack is not installed: with liveness on, every face
   * is refused ('liveness models missing') until it is.
   */
  constructor(
    private readonly antiSpoof: AntiSpoof | null,
    settings: LivenessSettings = DEFAULT_LIVENESS_SETTINGS,
    private opts: LivenessCheckerOptions = {},
  ) {
    checkLivenessSettings(settings);
    this.settings = { ...settings };
    this.frozen = new FrozenFrameDetector(opts.frozen);
    // The crop is `scale` × the face box and is resized to the model input: below input/scale
    // the patch would be upsampled, i.e. the model would see less detail than it was trained on.
    this.minFaceSize = Math.ceil(Math.max(0, ...(antiSpoof?.models ?? []).map((m) => m.width / m.scale)));
  }

  /** Loads the models from `modelsDir`; a missing liveness pack gives a checker that says so. */
  static async create(
    modelsDir: string,
    settings: LivenessSettings = DEFAULT_LIVENESS_SETTINGS,
  ): Promise<LivenessChecker> {
    try {
      return new LivenessChecker(await AntiSpoof.load(modelsDir), settings);
    } catch (err) {
      if (err instanceof LivenessModelsMissingError) return new LivenessChecker(null, settings);
      throw err;
    }
  }

  /** Whether the liveness models are loaded (the kiosk shows "liveness off" otherwise). */
  get available(): boolean {
    return this.antiSpoof !== null;
  }

  get currentSettings(): Readonly<LivenessSettings> {
    return this.settings;
  }

  updateSettings(settings: LivenessSettings): void {
    checkLivenessSettings(settings);
    this.settings = { ...settings };
  }

  /**
   * Checks every face of one camera frame, taken at `nowMs`. Call it once per frame: the
   * frozen-feed check remembers the frames it has seen.
   */
  async checkFrame(image: PixelImage, faces: readonly Face[], nowMs: number): Promise<LivenessVerdict[]> {
    if (!this.settings.enabled) {
      this.feedStill = false;
      this.feedNewImage = false;
      return faces.map(() => ({ live: true, score: Number.NaN, reason: 'liveness off' }));
    }
    const still = this.frozen.check(image, nowMs);
    this.feedStill = still.frozen;
    this.feedNewImage = still.newImage;
    if (still.frozen) {
      const reason = still.reason === 'replayed' ? 'replayed frames' : 'frozen camera';
      return faces.map(() => ({ live: false, score: Number.NaN, reason }));
    }
    // No face to check: nothing to convert (the frozen check above reads the frame in place).
    if (faces.length === 0) return [];
    // One BGR conversion per frame, shared by every face (a BGR frame is used without copying:
    // the unlock flow passes the engine's own conversion, FaceAnalysis.bgrOf).
    const bgr = toBgr(image);
    const frame: PixelImage = { data: bgr.data, width: bgr.width, height: bgr.height, format: 'bgr' };
    const out: LivenessVerdict[] = [];
    for (const face of faces) out.push(await this.checkFace(frame, face));
    return out;
  }

  /** Passive check of one face (no frozen-feed check: that needs the frame sequence). */
  async checkFace(image: PixelImage, face: Pick<Face, 'bbox'>): Promise<LivenessVerdict> {
    if (!this.settings.enabled) return { live: true, score: Number.NaN, reason: 'liveness off' };
    if (!this.antiSpoof) return { live: false, score: Number.NaN, reason: 'liveness models missing' };
    const [x1, y1, x2, y2] = face.bbox;
    if (Math.min(x2 - x1, y2 - y1) < this.minFaceSize) {
      return {
        live: false,
        score: Number.NaN,
        reason: 'face too small',
        detail: `under ${this.minFaceSize} px`,
      };
    }
    try {
      const r = await this.antiSpoof.predict(image, face.bbox);
      // The frame around the face that the models' crops miss (screen-frame.ts).
      const screen = screenFrame(image, face).screen;
      const score = cappedScore(r.score, screen);
      const live = r.realWins && score >= this.settings.threshold;
      const seen = screen ? ({ screen: true, detail: 'screen frame' } as const) : {};
      return live ? { live, score } : { live, score, reason: 'presentation attack', ...seen };
    } catch (err) {
      return { live: false, score: Number.NaN, reason: 'model error', detail: (err as Error).message };
    }
  }

  /** At level high, a new head-turn challenge with layers 1–3 for `identity`; else null. */
  startChallenge(
    identity: string,
    face: Pick<Face, 'pose' | 'kps' | 'landmark2d106'> | null,
    nowMs: number,
  ): ActiveCheck | null {
    if (!this.settings.enabled || this.settings.level !== 'high') return null;
    return new ActiveCheck(identity, nowMs, face, {
      ...this.opts.layers,
      fusion: { ...(this.opts.layers?.fusion ?? DEFAULT_PASSIVE_FUSION), threshold: this.settings.threshold },
      ...(this.opts.challenge ? { challenge: this.opts.challenge } : {}),
    });
  }

  /**
   * Fixes the challenge's options (e.g. its directions) instead of drawing them: for replaying
   * recorded footage through the kiosk (the end-to-end test). The kiosk itself never calls it.
   */
  setChallengeOptions(challenge: ChallengeOptions): void {
    this.opts = { ...this.opts, challenge };
  }

  /** Layer 1 over a window of per-frame scores, at the configured threshold. */
  fuse(scores: readonly number[]): PassiveResult {
    return fusePassive(scores, {
      ...(this.opts.layers?.fusion ?? DEFAULT_PASSIVE_FUSION),
      threshold: this.settings.threshold,
    });
  }

  /** Forgets the frames seen (e.g. when the camera restarts). */
  resetFrames(): void {
    this.frozen.reset();
  }

  async release(): Promise<void> {
    await this.antiSpoof?.release();
  }
}

/** The one largestFace lives with the other face-picking rules (main/recognition/subject.ts). */
export { largestFace } from '../recognition/subject.js';
