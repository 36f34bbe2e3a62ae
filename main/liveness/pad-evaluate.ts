// ISO/IEC 30107-3 figures for each security level and each liveness layer alone, on the
// presentation-attack samples of ../shared/faces (pad/ and liveness/): APCER per attack type
// (print, replay, mask, unknown), BPCER, and the time liveness adds to an unlock.
//
// How each sample is presented (a still cannot turn its head, so this is stated, not hidden):
// - A still (an attack artefact, or a live capture) is what the camera sees for the agreeing
//   frames: layer 1 scores it. For layers 2 and 3 it is moved before the camera like paper
//   (paper-motion.ts: ±25° both ways, bends): the best a still can do against a head-turn
//   prompt. The 3-D masks are stills too: layer 2 sees a picture of a mask, not a mask.
// - The two videos are read at 10 fps and cut into attempts as long as the kiosk lets one
//   last (8.3 s, attemptFrames below): the first frames form the agreeing window, the rest
//   answer the challenge. The replay's attempts start every second (the attacker picks the
//   moment); a live attempt is placed where the frames after the prompt find the person holding
//   still (the challenge's rest), at least 1 s after the previous attempt.
// - 'before levels (per frame)' is the rule the kiosk used before: every agreeing frame
//   (3 by default) must score ≥ 0.5 with the real class winning.
// - Layer 3 is drawn at random: an attack's rate is averaged over the 2ⁿ equally likely
//   draws (a recording plays the same turns whatever is asked). A live person follows the
//   prompt: a live segment counts as passed when the draw matching its turns passes.
// - Live stills cannot answer a challenge: BPCER at level high and for layers 2 and 3 comes
//   from the live head-turn footage only (one person, one session: few and correlated).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeImageFile } from '../image/decode.js';
import type { FaceAnalysis } from '../insightface/face_analysis.js';
import type { PixelImage, Point } from '../insightface/types.js';
import type { AntiSpoof } from './anti-spoof.js';
import {
  DEFAULT_CHALLENGE_STEPS,
  DEFAULT_REST_FRAMES,
  DEFAULT_REST_SPREAD,
  DEFAULT_SETTLE_TIMEOUT_MS,
  DEFAULT_STEP_TIMEOUT_MS,
  HeadTurnChallenge,
  type TurnDirection,
} from './challenge.js';
import { parseCsv } from './evaluate.js';
import { cutFrames } from './footage.js';
import { replayUnlock, type LayeredFrame } from './levels.js';
import { largestFace } from '../recognition/subject.js';
import { PAPER_SEQUENCE, renderPaper } from './paper-motion.js';
import { fusePassive, MIN_FUSED_FRAMES } from './passive-fusion.js';
import { judgeStructure } from './structure.js';
import { clipColumns, type ClipColumns, type ClipRate, type ClipResult } from './clips-evaluate.js';
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

/** Attack: mean over the draws; live: passed if the draw matching its motion passes. */
function overDraws(live: boolean, pass: (d: TurnDirection[]) => boolean): number {
  const results = allDraws().map(pass);
  if (live) return results.some(Boolean) ? 1 : 0;
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
    const still = r ? r.score : Number.NaN;
    const stillWins = r?.realWins ?? false;
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
    const layer1 = face ? (fusePassive([still, still, still]).live ? 1 : 0) : 0;
    const before = face && stillWins && still >= 0.5 ? 1 : 0;
    const points: Point[][] = paper.filter((f) => f.face).map((f) => f.face!.kps);
    presentations.push({
      name: s.file,
      label: s.label,
      camera: s.camera,
      kind: 'still',
      outcomes: {
        'before levels (per frame)': before,
        standard: layer1,
        // A live still cannot turn its head: n/a. An attack gets its best chance: moved like paper.
        high: live ? null : overDraws(false, (d) => replayUnlock([...agreeing, ...paper], 'high', d).live),
        'layer 1 passive': layer1,
        'layer 2 structure': live ? null : judgeStructure(points).live ? 1 : 0,
        'layer 3 challenge': live ? null : overDraws(false, (d) => challengeAlone(paper, d)),
      },
    });
  }
  const challengeFrameCounts: number[] = [];
  // An attempt is as long as the kiosk lets one last: the agreeing frames, then up to
  // DEFAULT_SETTLE_TIMEOUT_MS to find the head at rest, then DEFAULT_STEP_TIMEOUT_MS per turn
  // (challenge.ts), at the videos' 10 frames per second. Live and attack attempts alike.
  const attemptFrames =
    MIN_FUSED_FRAMES + (DEFAULT_SETTLE_TIMEOUT_MS + DEFAULT_CHALLENGE_STEPS * DEFAULT_STEP_TIMEOUT_MS) / 100;
  for (const [video, label, seconds] of [
    ['pad/videos/apfol_real2.webm', 'live', 11.6],
    ['pad/videos/apfol_fake2.webm', 'replay', 15.2],
  ] as const) {
    let frames: PixelImage[];
    try {
      frames = (await cutFrames(path.join(facesDir, video), { from: 0, seconds, fps: 10 })).frames;
    } catch (err) {
      deps.log?.(`${video}: left out (${(err as Error).message})`);
      continue;
    }
    const all: LayeredFrame[] = [];
    const wins: boolean[] = [];
    for (const [i, image] of frames.entries()) {
      const face = largestFace(await fa.detect(image));
      const r = face ? await predict(image, face.bbox) : null;
      all.push({ nowMs: i * 100, face, passive: r ? r.score : null });
      wins.push(r !== null && r.realWins && r.score >= 0.5);
    }
    const live = label === 'live';
    const starts: number[] = [];
    for (let i = 0; i + attemptFrames <= all.length; i++) {
      // The prompt appears after the agreeing frames and first asks him to look at the camera;
      // the turns count from the head at rest after it (challenge.ts). The footage answers no
      // prompt, so a live attempt starts where the frames after the prompt find him holding
      // still, as someone reading the screen does (most frames of this footage are mid-swing).
      const yaws = all
        .slice(i + MIN_FUSED_FRAMES, i + MIN_FUSED_FRAMES + DEFAULT_REST_FRAMES)
        .map((f) => (f.face ? faceYaw(f.face) : null))
        .filter((y): y is number => y !== null);
      const still =
        yaws.length === DEFAULT_REST_FRAMES && Math.max(...yaws) - Math.min(...yaws) <= DEFAULT_REST_SPREAD;
      const spaced = starts.length === 0 || i - starts.at(-1)! >= 10;
      if (live ? spaced && still : i % 10 === 0) starts.push(i);
    }
    for (const start of starts) {
      const seg = all.slice(start, start + attemptFrames);
      const agreeing = seg.flatMap((f, i) => (f.face ? [start + i] : [])).slice(0, MIN_FUSED_FRAMES);
      const before = agreeing.length === MIN_FUSED_FRAMES && agreeing.every((i) => wins[i]);
      const layer1 = fusePassive(
        seg
          .filter((f) => f.face)
          .slice(0, MIN_FUSED_FRAMES)
          .map((f) => f.passive!),
      ).live;
      const high = overDraws(live, (d) => replayUnlock(seg, 'high', d).live);
      if (live) {
        // The time a challenge takes: its frames (10 fps) on the draws the footage answers.
        for (const d of allDraws()) {
          const v = replayUnlock(seg, 'high', d);
          if (v.live) challengeFrameCounts.push(v.passive.frames);
        }
      }
      presentations.push({
        name: `${video} @${start / 10}s`,
        label,
        camera: true,
        kind: 'video',
        outcomes: {
          'before levels (per frame)': before ? 1 : 0,
          standard: layer1 ? 1 : 0,
          high,
          'layer 1 passive': layer1 ? 1 : 0,
          'layer 2 structure': judgeStructure(seg.filter((f) => f.face).map((f) => f.face!.kps)).live ? 1 : 0,
          // As in replayUnlock: the prompt comes on the last agreeing frame.
          'layer 3 challenge': overDraws(live, (d) =>
            challengeAlone(seg.slice(seg.indexOf(seg.filter((f) => f.face)[MIN_FUSED_FRAMES - 1]!)), d),
          ),
        },
      });
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
  return {
    presentations,
    passiveMs: median(times),
    challengeSeconds: median(challengeFrameCounts) / 10,
    challengeFrames: median(challengeFrameCounts),
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
        clips: clips.length > 0 && (row === 'standard' || row === 'high') ? clipColumns(clips, row) : null,
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
