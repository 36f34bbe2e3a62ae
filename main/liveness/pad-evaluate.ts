// ISO/IEC 30107-3 figures for each security level and each liveness layer alone, on the
// presentation-attack samples of ../shared/faces (pad/ and liveness/): APCER per attack type
// (print, replay, mask, unknown), BPCER, and the time liveness adds to an unlock.
//
// How each sample is presented (a still cannot turn its head, so this is stated, not hidden):
// - A still (an attack artefact, or a live capture) is what the camera sees for the agreeing
//   frames: layer 1 scores it. For layers 2 and 3 it is moved before the camera like paper
//   (paper-motion.ts: ±25° both ways, bends): the best a still can do against a head-turn
//   prompt. The 3-D masks are stills too: layer 2 sees a picture of a mask, not a mask.
// - The two videos are each one presentation, judged by the door's own judge as the public
//   clips are (clips-evaluate.ts judgeRecording: the door's frame path, attempts as long as the
//   door lets one last starting every second): the replay is accepted when any attempt passes
//   (the attacker picks the moment), the live video when an attempt decided within
//   ACCEPT_WITHIN_MS passes. Offline nothing asks for turns: for the videos layer 3 alone and
//   'before levels' are n/a, and layer 2 alone is the motion of the attempts at high.
// - The door's per-frame score is the pair's, capped where the screen-frame cue sees a frame
//   (screen-frame.ts): 'standard' and 'high' use it, 'layer 1 passive' is the pair alone, and
//   'screen frame cue' the cue alone (attempts.ts screenAloneAttempts; a still: does it see one).
// - 'before levels (per frame)' is the rule the kiosk used before: every agreeing frame
//   (3 by default) must score ≥ 0.5 with the real class winning.
// - Layer 3 is drawn at random: an attack still's rate is averaged over the 2ⁿ equally likely
//   draws (paper moves the same way whatever is asked).
// - Live stills cannot answer a challenge: BPCER at level high and for layer 2 comes from the
//   live head-turn footage only (one person, one session: few and correlated).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeImageFile } from '../image/decode.js';
import type { FaceAnalysis } from '../insightface/face_analysis.js';
import type { PixelImage, Point } from '../insightface/types.js';
import type { AntiSpoof } from './anti-spoof.js';
import { DEFAULT_CHALLENGE_STEPS, HeadTurnChallenge, type TurnDirection } from './challenge.js';
import { parseCsv } from './evaluate.js';
import { acceptedWithin, type Overall } from './attempts.js';
import { cappedScore, screenFrame } from './screen-frame.js';
import { replayUnlock, type LayeredFrame, type SecurityLevel } from './levels.js';
import { largestFace } from '../recognition/subject.js';
import { PAPER_SEQUENCE, renderPaper } from './paper-motion.js';
import { fusePassive, MIN_FUSED_FRAMES } from './passive-fusion.js';
import { judgeStructure } from './structure.js';
import {
  CLIP_FPS,
  clipColumns,
  describeClip,
  judgeRecording,
  type ClipColumns,
  type ClipRate,
  type ClipResult,
} from './clips-evaluate.js';
import { faceYaw } from './yaw.js';

export const ATTACK_TYPES = ['print', 'replay', 'mask', 'unknown'] as const;
export type AttackType = (typeof ATTACK_TYPES)[number];
export const ROWS = [
  'before levels (per frame)',
  'standard',
  'high',
  'layer 1 passive',
  'layer 2 structure',
  'layer 3 challenge',
  'screen frame cue',
] as const;
export type Row = (typeof ROWS)[number];

/** One presentation's outcome per row: 1 accepted as live, 0 refused, a fraction for draws; null: n/a. */
type Outcomes = Record<Row, number | null>;

export interface Presentation {
  name: string;
  /** 'live' or the attack type. */
  label: 'live' | AttackType;
  /** A live capture by a camera (webcam, phone), not a web photo. */
  camera: boolean;
  kind: 'still' | 'video';
  outcomes: Outcomes;
}

interface Sample {
  file: string;
  label: 'live' | AttackType;
  camera: boolean;
}

/** pad/ folders whose live images are camera captures (the others are web photos, CelebA). */
const CAMERA_SOURCES = ['apfol-liveness-opencv/', 'trueface-sample-apps/', 'tsne-ssan-supcon/'];

async function stillSamples(facesDir: string): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const r of parseCsv(await readFile(path.join(facesDir, 'pad', 'labels.csv'), 'utf8'))) {
    if (r.file!.startsWith('videos/')) continue;
    const label = r.label as Sample['label'];
    if (label !== 'live' && !(ATTACK_TYPES as readonly string[]).includes(label))
      throw new Error(`pad/labels.csv: ${r.file}: unknown label '${r.label}'`);
    out.push({ file: `pad/${r.file}`, label, camera: CAMERA_SOURCES.some((s) => r.file!.startsWith(s)) });
  }
  // liveness/: a printed photo held up, a tablet screen, and two live camera shots.
  const kinds: Record<string, AttackType> = { printed: 'print', tablet: 'replay' };
  for (const r of parseCsv(await readFile(path.join(facesDir, 'liveness', 'labels.csv'), 'utf8'))) {
    const file = `liveness/${r.file}`;
    if (r.label === 'live') out.push({ file, label: 'live', camera: true });
    else {
      const kind = Object.entries(kinds).find(([word]) => (r.attack_type ?? '').includes(word));
      out.push({ file, label: kind?.[1] ?? 'unknown', camera: false });
    }
  }
  return out;
}

/** Every sequence of `steps` directions. */
export function allDraws(steps = DEFAULT_CHALLENGE_STEPS): TurnDirection[][] {
  let draws: TurnDirection[][] = [[]];
  for (let i = 0; i < steps; i++)
    draws = draws.flatMap(
      (d) =>
        [
          [...d, 'left'],
          [...d, 'right'],
        ] as TurnDirection[][],
    );
  return draws;
}

/** Layer 3 alone: does a HeadTurnChallenge with `directions` pass on these frames? */
function challengeAlone(frames: readonly LayeredFrame[], directions: readonly TurnDirection[]): boolean {
  const first = frames.find((f) => f.face);
  if (!first) return false;
  const c = new HeadTurnChallenge('subject', first.nowMs, { directions });
  for (const f of frames) {
    const s = c.observe({ yaw: f.face ? faceYaw(f.face) : null, identity: 'subject', nowMs: f.nowMs });
    if (s.state !== 'pending') return s.state === 'passed';
  }
  return false;
}

/** An attack's rate over the challenge's equally likely draws. */
function overDraws(pass: (d: TurnDirection[]) => boolean): number {
  const results = allDraws().map(pass);
  return results.filter(Boolean).length / results.length;
}

export interface PadEvaluation {
  presentations: Presentation[];
  /** Median time of one passive check (both models), ms. */
  passiveMs: number;
  /** Median time from the challenge prompt to its end on the live footage, s. */
  challengeSeconds: number;
  /** Median number of frames in those challenges. */
  challengeFrames: number;
}

export interface PadDeps {
  fa: FaceAnalysis;
  antiSpoof: AntiSpoof;
  facesDir: string;
  log?: (line: string) => void;
}

/** Runs every presentation. Videos need ffmpeg; without it they are left out (and said so). */
export async function evaluatePad(deps: PadDeps): Promise<PadEvaluation> {
  const { fa, antiSpoof, facesDir } = deps;
  const times: number[] = [];
  const predict = async (image: PixelImage, bbox: [number, number, number, number]) => {
    const t0 = performance.now();
    const r = await antiSpoof.predict(image, bbox);
    times.push(performance.now() - t0);
    return r;
  };
  const presentations: Presentation[] = [];
  for (const s of await stillSamples(facesDir)) {
    const image = await decodeImageFile(path.join(facesDir, s.file));
    const face = largestFace(await fa.detect(image));
    const r = face ? await predict(image, face.bbox) : null;
    const raw = r ? r.score : Number.NaN;
    const stillWins = r?.realWins ?? false;
    // The door's score: the pair's, capped when the screen-frame cue sees a frame (liveness.ts).
    const screen = face ? screenFrame(image, face).screen : false;
    const still = cappedScore(raw, screen);
    // The still moved like paper, 10 poses at 10 fps; every frame carries the still's score.
    const paper: LayeredFrame[] = [];
    for (const [i, pose] of PAPER_SEQUENCE.entries()) {
      const f = largestFace(await fa.detect(renderPaper(image, pose)));
      paper.push({ nowMs: i * 100, face: f, passive: face ? still : null });
    }
    const agreeing: LayeredFrame[] = Array.from({ length: MIN_FUSED_FRAMES }, (_, i) => ({
      nowMs: -300 + i * 100,
      face,
      passive: face ? still : null,
    }));
    const live = s.label === 'live';
    const fused = (score: number) => (face ? (fusePassive([score, score, score]).live ? 1 : 0) : 0);
    const before = face && stillWins && raw >= 0.5 ? 1 : 0;
    const points: Point[][] = paper.filter((f) => f.face).map((f) => f.face!.kps);
    presentations.push({
      name: s.file,
      label: s.label,
      camera: s.camera,
      kind: 'still',
      outcomes: {
        'before levels (per frame)': before,
        standard: fused(still),
        // A live still cannot turn its head: n/a. An attack gets its best chance: moved like paper.
        high: live ? null : overDraws((d) => replayUnlock([...agreeing, ...paper], 'high', d).live),
        'layer 1 passive': fused(raw),
        'layer 2 structure': live ? null : judgeStructure(points).live ? 1 : 0,
        'layer 3 challenge': live ? null : overDraws((d) => challengeAlone(paper, d)),
        'screen frame cue': face ? (screen ? 0 : 1) : 0,
      },
    });
  }
  // The videos through the door's own judge, as the public clips (clips-evaluate.ts): attempts
  // as long as the door lets one last, every second; the replay is accepted when any attempt
  // passes, the live person when one decided within ACCEPT_WITHIN_MS passes. Offline nothing
  // asks for turns: layer 3 alone is n/a, and layer 2 alone is the motion in the attempts.
  const challengeMsOf: number[] = [];
  for (const [video, label] of [
    ['pad/videos/apfol_real2.webm', 'live'],
    ['pad/videos/apfol_fake2.webm', 'replay'],
  ] as const) {
    let r: ClipResult;
    try {
      r = await judgeRecording({ fa, antiSpoof, timed: (ms) => times.push(ms) }, path.join(facesDir, video), {
        file: video,
        kind: label,
        headTurn: label === 'live',
      });
    } catch (err) {
      deps.log?.(`${video}: left out (${(err as Error).message})`);
      continue;
    }
    deps.log?.(describeClip(r));
    const live = label === 'live';
    const accepted = (o: Overall) => ((live ? acceptedWithin(o) : o.live) ? 1 : 0);
    if (r.challengeMs !== null) challengeMsOf.push(r.challengeMs);
    presentations.push({
      name: video,
      label,
      camera: true,
      kind: 'video',
      outcomes: {
        'before levels (per frame)': null,
        standard: accepted(r.standard),
        high: accepted(r.high),
        'layer 1 passive': accepted(r.standard),
        'layer 2 structure': r.structureAlone ? 1 : 0,
        'layer 3 challenge': null,
        'screen frame cue': accepted(r.screenAlone),
      },
    });
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
  return {
    presentations,
    passiveMs: median(times),
    challengeSeconds: median(challengeMsOf) / 1000,
    // Frames the turns took, at the recordings' CLIP_FPS.
    challengeFrames: (median(challengeMsOf) / 1000) * CLIP_FPS,
  };
}

export interface Rate {
  /** Accepted (attacks) or refused (live), summed over presentations (fractions for draws). */
  count: number;
  of: number;
  rate: number | null;
}

export interface PadTable {
  rows: {
    row: Row;
    apcer: Record<AttackType, Rate>;
    /** Live stills by a camera, live stills from the web, and the live head-turn footage. */
    bpcer: { cameraStills: Rate; webStills: Rate; footage: Rate };
    /** Seconds liveness adds to one unlock. */
    seconds: number;
    /** The public clips judged by the door's judge (clips-evaluate.ts): levels only, else null. */
    clips: ClipColumns | null;
  }[];
}

function rate(values: (number | null)[], refused: boolean): Rate {
  const known = values.filter((v): v is number => v !== null);
  const count = known.reduce((a, v) => a + (refused ? 1 - v : v), 0);
  return {
    count: Number(count.toFixed(2)),
    of: known.length,
    rate: known.length ? count / known.length : null,
  };
}

/** APCER per attack type and BPCER per live kind, for each level and each layer alone. */
export function tabulate(e: PadEvaluation, clips: readonly ClipResult[] = []): PadTable {
  const perFrame = e.passiveMs / 1000;
  const standardSeconds = MIN_FUSED_FRAMES * perFrame;
  const highSeconds = standardSeconds + e.challengeSeconds + e.challengeFrames * perFrame;
  // Layers 2 and 3 both need the challenge's motion: their time is the challenge's.
  const seconds: Record<Row, number> = {
    'before levels (per frame)': standardSeconds,
    standard: standardSeconds,
    high: highSeconds,
    'layer 1 passive': standardSeconds,
    'layer 2 structure': e.challengeSeconds,
    'layer 3 challenge': e.challengeSeconds,
    // The cue runs in the door's per-frame check with the pair (timed with it on the videos).
    'screen frame cue': standardSeconds,
  };
  const clipRows: Partial<Record<Row, SecurityLevel | 'screenAlone'>> = {
    standard: 'standard',
    high: 'high',
    'screen frame cue': 'screenAlone',
  };
  return {
    rows: ROWS.map((row) => {
      const of = (pred: (p: Presentation) => boolean) =>
        e.presentations.filter(pred).map((p) => p.outcomes[row]);
      const apcer = Object.fromEntries(
        ATTACK_TYPES.map((t) => [
          t,
          rate(
            of((p) => p.label === t),
            false,
          ),
        ]),
      ) as Record<AttackType, Rate>;
      return {
        row,
        apcer,
        bpcer: {
          cameraStills: rate(
            of((p) => p.label === 'live' && p.kind === 'still' && p.camera),
            true,
          ),
          webStills: rate(
            of((p) => p.label === 'live' && p.kind === 'still' && !p.camera),
            true,
          ),
          footage: rate(
            of((p) => p.label === 'live' && p.kind === 'video'),
            true,
          ),
        },
        seconds: Number(seconds[row].toFixed(3)),
        clips: clips.length > 0 && clipRows[row] ? clipColumns(clips, clipRows[row]) : null,
      };
    }),
  };
}

const cell = (r: Rate | ClipRate): string =>
  r.rate === null ? 'n/a' : `${(r.rate * 100).toFixed(0)}% (${r.count}/${r.of})`;

/** The table as Markdown, for the README and the admin screen's source. */
export function markdownTable(t: PadTable): string[] {
  const lines = [
    '| level or layer | APCER print | APCER replay | APCER mask | APCER unknown | BPCER camera stills | BPCER web stills | BPCER head-turn footage | s per unlock | BPCER public clips (people) | public clips refused by the gates | APCER public replays | people in ≤3 s | people in ≤8 s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const na = { count: 0, of: 0, rate: null };
  for (const r of t.rows) {
    const c = r.clips ?? { bpcer: na, gatedOut: na, apcerReplay: na, within3s: na, within8s: na };
    lines.push(
      `| ${r.row} | ${ATTACK_TYPES.map((a) => cell(r.apcer[a])).join(' | ')} | ${cell(r.bpcer.cameraStills)} | ${cell(r.bpcer.webStills)} | ${cell(r.bpcer.footage)} | ${r.seconds.toFixed(2)} | ${cell(c.bpcer)} | ${cell(c.gatedOut)} | ${cell(c.apcerReplay)} | ${cell(c.within3s)} | ${cell(c.within8s)} |`,
    );
  }
  return lines;
}
