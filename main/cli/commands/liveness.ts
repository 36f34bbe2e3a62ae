// `tobira liveness --models DIR [--level standard|high] [--json] (IMAGE | --frames DIR [--fps N]
// | --video FILE.y4m)`: the liveness check on the largest face. One image is judged as before
// (the passive pair, per frame). A sequence (a folder of images sorted by name, or a .y4m
// video) is judged by the layers of the level (main/liveness/levels.ts); offline there is no
// challenge to answer, so the layers that need motion use the motion in the sequence. Exit 0
// whether the face is live or not; 1 only for errors (no face, an unreadable file, missing models).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { decodeImageFile } from '../../image/decode.js';
import { readY4mFile } from '../../image/y4m.js';
import { FaceAnalysis } from '../../insightface/face_analysis.js';
import type { PixelImage } from '../../insightface/types.js';
import { AntiSpoof } from '../../liveness/anti-spoof.js';
import { SECURITY_LEVELS, type SecurityLevel } from '../../liveness/levels.js';
import {
  attemptMs,
  checkerScorer,
  DoorFrameJudge,
  judgeAttempts,
  overallOf,
  type DoorFrame,
} from '../../liveness/attempts.js';
import { DEFAULT_DECISION } from '../../recognition/decision.js';
import { detSizeOf } from '../../engine/face-engine.js';
import { DEFAULT_SETTINGS } from '../../../preload/contract/settings.js';
import { DEFAULT_LIVENESS_SETTINGS, LivenessChecker } from '../../liveness/liveness.js';
import { faceThatCounts } from '../../recognition/subject.js';
import { DEFAULT_PASSIVE_FUSION } from '../../liveness/passive-fusion.js';
import { modelsOption, numberOption, parse, UsageError, type CliIO, type Command } from '../command.js';
import { detectFaces } from '../../recognition/close-face.js';

const usage = `Usage: tobira liveness --models DIR [--level standard|high] [--threshold ${DEFAULT_LIVENESS_SETTINGS.threshold}] [--json]
                       (IMAGE | --frames DIR [--fps N] | --video FILE.y4m [--fps N])

Says whether the largest face is a live person or a presentation attack (a print, a screen,
a mask). A sequence is judged as the door judges it (main/liveness/attempts.ts): attempts as
long as the door lets one last start every second; each is judged on the frames that pass the
recognition gates, and the sequence is live when any attempt passes (--json lists them all). DIR holds a face detector and the two liveness models (2.7_80x80_MiniFASNetV2.onnx,
4_0_0_80x80_MiniFASNetV1SE.onnx).
  IMAGE           one photo: the passive check, as the kiosk judges one frame
  --frames DIR    the images in DIR, sorted by name, as one sequence taken at --fps (default 10)
  --video FILE    a YUV4MPEG2 video (ffmpeg -pix_fmt yuv420p -f yuv4mpegpipe), read at --fps
  --level         standard: the passive pair fused over the sequence; high (default for
                  sequences): also the 3-D structure shown by the motion (too little motion
                  is not live, reason not_enough_motion)`;

const IMAGE_EXT = /\.(jpe?g|png|webp)$/i;

async function framesFromDir(dir: string): Promise<PixelImage[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => IMAGE_EXT.test(n)).sort();
  } catch (err) {
    throw new Error(`${dir}: cannot read the folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (names.length === 0) throw new Error(`${dir}: no .jpg, .png or .webp images`);
  const out: PixelImage[] = [];
  for (const n of names) out.push(await decodeImageFile(path.join(dir, n)));
  return out;
}

export const command: Command = {
  summary: 'is the largest face live, or a printed photo, screen or mask?',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      models: { type: 'string' },
      threshold: { type: 'string' },
      level: { type: 'string' },
      frames: { type: 'string' },
      video: { type: 'string' },
      fps: { type: 'string' },
      json: { type: 'boolean' },
    });
    const sources = [positionals.length > 0, values.frames !== undefined, values.video !== undefined];
    if (sources.filter(Boolean).length !== 1 || positionals.length > 1)
      throw new UsageError('give exactly one of IMAGE, --frames DIR or --video FILE.y4m');
    const threshold = numberOption(values.threshold, 'threshold', DEFAULT_LIVENESS_SETTINGS.threshold);
    if (threshold < 0 || threshold > 1)
      throw new UsageError(`--threshold: expected a number in [0, 1], got ${threshold}`);
    const fps = numberOption(values.fps, 'fps', 10);
    if (!(fps > 0 && fps <= 60)) throw new UsageError(`--fps: expected a number in (0, 60], got ${fps}`);
    if (values.level !== undefined && !(SECURITY_LEVELS as readonly string[]).includes(values.level))
      throw new UsageError(`--level: expected standard or high, got '${values.level}'`);
    const sequence = positionals.length === 0;
    const level = (values.level ?? (sequence ? 'high' : 'standard')) as SecurityLevel;
    const dir = modelsOption(values.models);
    // Liveness models first: a missing pack is reported before any other work.
    const antiSpoof = await AntiSpoof.load(dir);
    const checker = new LivenessChecker(antiSpoof, { ...DEFAULT_LIVENESS_SETTINGS, threshold, level });
    let fa: FaceAnalysis | null = null;
    try {
      fa = await FaceAnalysis.load(dir, { allowedModules: ['detection', 'landmark_2d_106'] });
      if (!sequence) return await judgeImage(positionals[0]!, fa, checker, values.json === true, io);
      // The door's detector settings (engine/face-engine.ts): its input size changes the boxes,
      // and so the crops the passive pair scores.
      fa.prepare({ detThresh: 0.5, detSize: detSizeOf(DEFAULT_SETTINGS.engine.detSize) });
      const frames = values.frames
        ? await framesFromDir(values.frames)
        : (await readY4mFile(values.video!, { fps })).frames;
      // The door's own frame path (liveness/attempts.ts): the recognition gates, a face that
      // holds still, the passive pair on eligible frames only.
      const judge = new DoorFrameJudge(
        { secondFaceRatio: DEFAULT_DECISION.secondFaceRatio, quality: DEFAULT_DECISION.quality },
        checkerScorer(checker),
        // The 106 landmarks, when the pack has 2d106det, feed the 3-D layer.
        async (image, face) =>
          fa!.landmarks.some((m) => m.taskname === 'landmark_2d_106')
            ? fa!.analyze(image, face, { modules: ['landmark_2d_106'] })
            : face,
      );
      const judged: DoorFrame[] = [];
      for (const [i, image] of frames.entries())
        judged.push(await judge.frame(image, await detectFaces(fa, image), (i * 1000) / fps));
      if (!judged.some((f) => f.face))
        throw new Error(`${values.frames ?? values.video}: no face found in any frame`);
      const attempts = judgeAttempts(judged, level, { fusion: { ...DEFAULT_PASSIVE_FUSION, threshold } });
      const overall = overallOf(attempts);
      // The attempt the verdict rests on: the first that passed, else the first.
      const v = (attempts.find((a) => a.verdict.live) ?? attempts[0]!).verdict;
      const num = (x: number): number | null => (Number.isFinite(x) ? Number(x.toFixed(4)) : null);
      const result = {
        live: overall.live,
        score: num(v.passive.score),
        level,
        layers: {
          passive: {
            live: v.passive.live,
            score: num(v.passive.score),
            worst: num(v.passive.worst),
            frames: v.passive.frames,
            ...(v.passive.reason ? { reason: v.passive.reason } : {}),
          },
          structure: v.structure
            ? {
                live: v.structure.live,
                parallax: num(v.structure.parallax),
                flowParallax: v.structure.flowParallax === null ? null : num(v.structure.flowParallax),
                motion: num(v.structure.motion),
                points: v.structure.points,
                frames: v.structure.frames,
                ...(v.structure.reason ? { reason: v.structure.reason } : {}),
              }
            : null,
        },
        reason: v.reason ?? null,
        firstPassMs: overall.firstPassMs,
        attemptMs: attemptMs(level),
        attempts: attempts.map((a) => ({
          startMs: a.startMs,
          decidedMs: a.decidedMs,
          live: a.verdict.live,
          score: num(a.verdict.passive.score),
          worst: num(a.verdict.passive.worst),
          frames: a.verdict.passive.frames,
          ...(a.verdict.failedLayer ? { failedLayer: a.verdict.failedLayer, reason: a.verdict.reason } : {}),
        })),
      };
      if (values.json) io.out(JSON.stringify(result));
      else
        io.out(
          `${overall.live ? 'live' : 'NOT live'} at level ${level}: ` +
            `${attempts.filter((a) => a.verdict.live).length} of ${attempts.length} attempts passed` +
            (overall.firstPassMs !== null
              ? `, the first at ${(overall.firstPassMs / 1000).toFixed(1)} s`
              : '') +
            `; score ${result.score?.toFixed(3) ?? '-'}` +
            (v.structure ? `, parallax ${v.structure.parallax.toFixed(3)}` : '') +
            (v.structure?.flowParallax != null
              ? `, flow parallax ${v.structure.flowParallax.toFixed(3)}`
              : '') +
            (v.failedLayer ? ` (${v.failedLayer}: ${v.reason})` : ''),
        );
      return 0;
    } finally {
      await checker.release();
      await fa?.release();
    }
  },
};

/** One image, exactly as before levels existed: the passive pair on the largest face. */
async function judgeImage(
  file: string,
  fa: FaceAnalysis,
  checker: LivenessChecker,
  json: boolean,
  io: CliIO,
): Promise<number> {
  const image = await decodeImageFile(file);
  const face = faceThatCounts(await detectFaces(fa, image), image);
  if (!face) throw new Error(`${file}: no face found`);
  const v = await checker.checkFace(image, face);
  if (v.reason === 'model error') throw new Error(`${file}: liveness model failed: ${v.detail ?? ''}`);
  const score = Number.isNaN(v.score) ? null : v.score;
  const result = {
    live: v.live,
    score,
    face: { bbox: face.bbox },
    ...(v.reason ? { reason: v.reason } : {}),
  };
  if (json) io.out(JSON.stringify(result));
  else
    io.out(
      `${v.live ? 'live' : 'NOT live'}: score ${score?.toFixed(3) ?? '-'}${v.reason ? ` (${v.reason})` : ''}`,
    );
  return 0;
}

/** Runs the command on `argv` (after `liveness`), as the dispatcher does. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  return command.run(argv, io);
}
