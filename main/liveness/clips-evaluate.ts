// The public clips of ../shared/faces/pad/public (15 real people, 5 of whom turn their head,
// and 3 screen replays), judged by the door's own judge (attempts.ts): each clip read at
// 10 fps for at most 12 s, attempts as long as the door lets one last starting every second.
// Counted in people (clips), not frames:
// - a replay is accepted when any attempt passes (the attacker picks the moment);
// - a real person is accepted when an attempt decided within ACCEPT_WITHIN_MS passes (someone
//   at a door retries that long); the shares accepted within 3 s and within 8 s are reported.
// At level high only the people who turn their head count for BPCER: offline nothing was
// asked of them, and the structure layer needs the motion of a turn.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FaceAnalysis } from '../insightface/face_analysis.js';
import type { AntiSpoof } from './anti-spoof.js';
import {
  acceptedWithin,
  checkerScorer,
  DoorFrameJudge,
  judgeAttempts,
  overallOf,
  screenAloneAttempts,
  type Attempt,
  type DoorFrame,
  type Overall,
} from './attempts.js';
import { parseCsv } from './evaluate.js';
import { LivenessChecker } from './liveness.js';
import { cutFrames } from './footage.js';
import type { SecurityLevel } from './levels.js';
import { MIN_FUSED_FRAMES } from './passive-fusion.js';
import { DEFAULT_DECISION } from '../recognition/decision.js';
import { detectFaces } from '../recognition/close-face.js';

/** 10 frames per second, at most 12 s per clip: as issue 18's measurement. */
export const CLIP_FPS = 10;
export const CLIP_SECONDS = 12;

export interface ClipResult {
  file: string;
  kind: 'live' | 'replay';
  headTurn: boolean;
  standard: Overall;
  high: Overall;
  /** The screen-frame cue alone (attempts.ts screenAloneAttempts): live when an attempt passes it. */
  screenAlone: Overall;
  /** Layer 2 alone: an attempt at high whose motion showed a 3-D face. */
  structureAlone: boolean;
  /** The turns' time in the first attempt passed at high (ms), null when none passed. */
  challengeMs: number | null;
  /**
   * Whether the door's gates (judgeFrame: light, sharpness, size, pose) ever let enough frames
   * through for an agreeing window: a person they never do is refused by recognition (the door
   * asks for more light), before liveness judges anything.
   */
  gatesPass: boolean;
  /** Frames read, and how many passed the door's gates (eligible for the passive pair). */
  frames: number;
  eligible: number;
}

export interface ClipsDeps {
  /** Prepared with the door's detector settings. */
  fa: FaceAnalysis;
  antiSpoof: AntiSpoof;
  facesDir: string;
  /** Only these files (the bench's --clips), else all. */
  only?: readonly string[];
  log?: (line: string) => void;
}

/**
 * One recording through the door's judge: read at CLIP_FPS for at most CLIP_SECONDS, each
 * frame through the door's frame path (DoorFrameJudge: the gates, a face that holds still, the
 * passive pair and the screen-frame cue), detected as the CLI detects (close-face.ts: the
 * padded retry for a face that fills the frame), and judged in attempts at both levels.
 */
export async function judgeRecording(
  deps: Pick<ClipsDeps, 'fa' | 'antiSpoof'> & { timed?: (ms: number) => void },
  video: string,
  label: { file: string; kind: 'live' | 'replay'; headTurn: boolean },
): Promise<ClipResult> {
  const { frames } = await cutFrames(video, { from: 0, seconds: CLIP_SECONDS, fps: CLIP_FPS });
  const scorer = checkerScorer(new LivenessChecker(deps.antiSpoof));
  // The door's per-frame check: the passive pair and the screen-frame cue (liveness.ts).
  const judge = new DoorFrameJudge(
    { secondFaceRatio: DEFAULT_DECISION.secondFaceRatio, quality: DEFAULT_DECISION.quality },
    {
      score: async (image, face) => {
        const t0 = performance.now();
        const r = await scorer.score(image, face);
        deps.timed?.(performance.now() - t0);
        return r;
      },
    },
  );
  const judged: DoorFrame[] = [];
  for (const [i, image] of frames.entries())
    judged.push(await judge.frame(image, await detectFaces(deps.fa, image), (i * 1000) / CLIP_FPS));
  const standard = judgeAttempts(judged, 'standard');
  const high = judgeAttempts(judged, 'high');
  return {
    ...label,
    standard: overallOf(standard),
    high: overallOf(high),
    screenAlone: overallOf(screenAloneAttempts(judged)),
    structureAlone: high.some((a) => a.verdict.structure?.live === true),
    challengeMs: challengeMs(standard, high),
    gatesPass: standard.some((a) => a.verdict.passive.frames >= MIN_FUSED_FRAMES),
    frames: judged.length,
    eligible: judged.filter((f) => f.passive !== null).length,
  };
}

/**
 * How long the turns took in the first attempt that passed at high: from the end of its
 * agreeing window (where the same attempt decides at standard) to its decision; null if none.
 */
function challengeMs(standard: readonly Attempt[], high: readonly Attempt[]): number | null {
  const pass = high.find((a) => a.verdict.live);
  const window = pass && standard.find((a) => a.startMs === pass.startMs);
  return pass && window ? pass.decidedMs - window.decidedMs : null;
}

const show = (o: Overall) => (o.live ? `pass at ${((o.firstPassMs ?? 0) / 1000).toFixed(1)} s` : 'refused');

export function describeClip(result: ClipResult): string {
  return (
    `${result.file} (${result.kind}${result.headTurn ? ', turns' : ''}): standard ${show(result.standard)}, ` +
    `high ${show(result.high)}, screen-frame cue alone ${show(result.screenAlone)}; ` +
    `${result.eligible}/${result.frames} frames pass the gates` +
    (result.gatesPass ? '' : ' (never enough for an agreeing window: refused by recognition)')
  );
}

export async function evaluateClips(deps: ClipsDeps): Promise<ClipResult[]> {
  const dir = path.join(deps.facesDir, 'pad', 'public');
  const rows = parseCsv(await readFile(path.join(dir, 'labels.csv'), 'utf8'));
  const out: ClipResult[] = [];
  for (const r of rows) {
    const file = r.file!;
    if (deps.only && !deps.only.some((o) => file.startsWith(o))) continue;
    if (r.kind !== 'live' && r.kind !== 'replay')
      throw new Error(`pad/public/labels.csv: ${file}: kind '${r.kind}'`);
    const result = await judgeRecording(deps, path.join(dir, file), {
      file,
      kind: r.kind,
      headTurn: r.head_turn === 'yes',
    });
    deps.log?.(describeClip(result));
    out.push(result);
  }
  return out;
}

export interface ClipRate {
  count: number;
  of: number;
  rate: number | null;
}

export interface ClipColumns {
  /**
   * Real people refused by liveness (not accepted within ACCEPT_WITHIN_MS), of those the door's
   * gates let through; at high, head-turners only.
   */
  bpcer: ClipRate;
  /** Real people the door's gates never let through (too dark, blurred): refused by recognition. */
  gatedOut: ClipRate;
  /** Replays accepted by any attempt. */
  apcerReplay: ClipRate;
  /** Real people accepted within 3 s and within 8 s (the same people as bpcer). */
  within3s: ClipRate;
  within8s: ClipRate;
}

const rateOf = (hits: boolean[]): ClipRate => {
  const count = hits.filter(Boolean).length;
  return { count, of: hits.length, rate: hits.length ? count / hits.length : null };
};

/** The columns for a level, or for the screen-frame cue alone (all real people, as standard). */
export function clipColumns(clips: readonly ClipResult[], level: SecurityLevel | 'screenAlone'): ClipColumns {
  const all = clips.filter((c) => c.kind === 'live' && (level !== 'high' || c.headTurn));
  const people = all.filter((c) => c.gatesPass);
  return {
    gatedOut: rateOf(all.map((c) => !c.gatesPass)),
    bpcer: rateOf(people.map((c) => !acceptedWithin(c[level]))),
    apcerReplay: rateOf(clips.filter((c) => c.kind === 'replay').map((c) => c[level].live)),
    within3s: rateOf(people.map((c) => acceptedWithin(c[level], 3000))),
    within8s: rateOf(people.map((c) => acceptedWithin(c[level], 8000))),
  };
}
