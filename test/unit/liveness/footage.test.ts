// The real head-turn footage through the engine (SCRFD det_500m, the MiniFASNet pair, the
// w600k_mbf recogniser), cut with ffmpeg at test time: at level high, with the challenge
// directions fed to match the footage, the real video passes all three layers; its replay on a
// phone fails, and the verdict names the layer that refused it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { computeSim } from '../../../main/insightface/arcface.js';
import { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { Face, PixelImage } from '../../../main/insightface/types.js';
import { AntiSpoof } from '../../../main/liveness/anti-spoof.js';
import {
  ActiveCheck,
  judgeSequence,
  type LayeredFrame,
  type LayeredVerdict,
} from '../../../main/liveness/levels.js';
import { largestFace } from '../../../main/liveness/liveness.js';
import { HeadTurnChallenge } from '../../../main/liveness/challenge.js';
import { allDraws } from '../../../main/liveness/pad-evaluate.js';
import { faceYaw } from '../../../main/liveness/yaw.js';
import { DEFAULT_PASSIVE_FLOOR, fusePassive } from '../../../main/liveness/passive-fusion.js';
import { DEFAULT_MIN_PARALLAX } from '../../../main/liveness/structure.js';
import { INSIGHTFACE_DEFAULT_THRESHOLD } from '../../../main/recognition/thresholds.js';
import { cutFrames, REAL_TURNS, REAL_VIDEO, REPLAY_VIDEO, type Cut } from '../../helpers/footage.js';
import { judgeFrame } from '../../../main/recognition/judge-frame.js';
import { DEFAULT_DECISION } from '../../../main/recognition/decision.js';
import { tempPack } from './setup.js';
import { ANTI_SPOOF_MODEL_FILES } from '../../../main/liveness/anti-spoof.js';

const FPS = 10;
// The real footage turns left (≈1.0 s), then right (≈1.8 s), then left again (≈2.8 s); the
// replay on the phone turns right first (≈2.0 s), then left (≈4.0 s). yaw.ts sign.
const REAL: Cut = { from: 0, seconds: 3, fps: FPS };
const REPLAY: Cut = { from: 1, seconds: 4, fps: FPS };

const pack = tempPack(['det_500m.onnx', 'w600k_mbf_int8_dynq.onnx', ...ANTI_SPOOF_MODEL_FILES]);
let fa: FaceAnalysis;
let antiSpoof: AntiSpoof;
let enrolled: Float32Array;

interface Analysed {
  image: PixelImage;
  face: Face | null;
  passive: number | null;
}

async function analyse(frames: readonly PixelImage[]): Promise<Analysed[]> {
  const out: Analysed[] = [];
  for (const image of frames) {
    const found = largestFace(await fa.detect(image));
    const face = found ? await fa.analyze(image, found) : null;
    const passive = face ? (await antiSpoof.predict(image, face.bbox)).score : null;
    out.push({ image, face, passive });
  }
  return out;
}

/** As the kiosk: 3 agreeing frames for layer 1, then the challenge with layers 1–3 on the rest. */
function unlockAtHigh(frames: readonly Analysed[], directions: ('left' | 'right')[]): LayeredVerdict {
  const identity = (f: Analysed): string | null =>
    f.face?.normedEmbedding && computeSim(f.face.normedEmbedding, enrolled) >= INSIGHTFACE_DEFAULT_THRESHOLD
      ? 'person'
      : null;
  const window = frames.slice(0, 3);
  const fused = fusePassive(window.map((f) => f.passive ?? 0));
  if (!fused.live)
    return { live: false, level: 'high', failedLayer: 'passive', reason: fused.reason!, passive: fused };
  const start = frames[2]!;
  const check = new ActiveCheck('person', 200, start.face, { challenge: { directions } });
  for (let i = 3; i < frames.length; i++) {
    const f = frames[i]!;
    const status = check.observe(
      {
        nowMs: (i * 1000) / FPS,
        face: f.face,
        passive: f.passive,
        identity: identity(f),
      },
      // As the kiosk (unlock-flow.ts): with the image, so layer 2 tracks the face's corners.
      f.image,
    );
    if (status.state === 'done') return status.verdict;
  }
  assert.fail(`the challenge was still pending after ${frames.length} frames`);
}

let real: Analysed[];
let replay: Analysed[];
/** The stretch the e2e test plays (REAL_TURNS): its first frame is the one the kiosk holds. */
let stretch: Analysed[];
/** The frame the e2e clip held before (1.6 s), in the middle of a fast swing. */
let midSwing: Analysed;

before(async () => {
  fa = await FaceAnalysis.load(pack.dir);
  antiSpoof = await AntiSpoof.load(pack.dir);
  // Enrolled from a frame of the real video outside the cut the test judges (t = 5 s).
  const [still] = (await cutFrames(REAL_VIDEO, { from: 5, seconds: 0.1, fps: FPS })).frames;
  const face = largestFace(await fa.detect(still!));
  enrolled = (await fa.analyze(still!, face!)).normedEmbedding!;
  real = await analyse((await cutFrames(REAL_VIDEO, REAL)).frames);
  replay = await analyse((await cutFrames(REPLAY_VIDEO, REPLAY)).frames);
  const { holdAt, seconds } = REAL_TURNS;
  stretch = await analyse((await cutFrames(REAL_VIDEO, { from: holdAt, seconds, fps: FPS })).frames);
  [midSwing] = await analyse((await cutFrames(REAL_VIDEO, { from: 1.6, seconds: 0.1, fps: FPS })).frames);
});
after(async () => {
  await fa?.release();
  await antiSpoof?.release();
  pack.remove();
});

describe('real head-turn footage at level high', () => {
  it('the real video passes: left then right, as the footage turns', () => {
    const v = unlockAtHigh(real, ['left', 'right']);
    assert.equal(v.live, true, JSON.stringify(v));
    assert.equal(v.challenge?.state, 'passed');
    // 1.5× the threshold: the margin structure.ts claims for a real turn.
    assert.ok(v.structure!.parallax >= 1.5 * DEFAULT_MIN_PARALLAX, `parallax ${v.structure!.parallax}`);
    const scores = real.filter((f) => f.passive !== null).map((f) => f.passive!);
    const lowest = Math.min(...scores);
    console.log(
      `real footage: lowest frame score ${lowest.toFixed(3)}, parallax ${v.structure!.parallax.toFixed(3)}, flow parallax ${v.structure!.flowParallax?.toFixed(4)}`,
    );
    // The kiosk's path tracks the corners of the challenge's frames (flow-structure.ts).
    assert.ok(v.structure!.flowParallax !== null, 'no tracked corners');
    assert.ok(lowest > DEFAULT_PASSIVE_FLOOR, `a live frame scored ${lowest}`);
  });

  it("the frame the e2e clip holds passes the kiosk's gates; the mid-swing frame at 1.6 s is refused as blurred", () => {
    const gates = (f: Analysed) => {
      const j = judgeFrame(f.face ? [f.face] : [], f.image, f.image, DEFAULT_DECISION);
      return j.quality?.gates.filter((g) => !g.passed).map((g) => g.name) ?? ['no face'];
    };
    assert.deepEqual(gates(stretch[0]!), []);
    // The kiosk cannot recognise a held motion-blurred frame: it would first agree inside the
    // next turn, with the head already turned, and the challenge would start from there.
    assert.deepEqual(gates(midSwing), ['blur']);
  });

  it('the stretch the e2e test plays passes level high with its directions (the held frame agreeing, then at rest)', () => {
    // As in the e2e clip, which holds the frame for 10 s: 3 agreeing frames, then 3 more at rest
    // while the screen asks to look at the camera (the challenge's baseline), then the footage.
    const held = stretch[0]!;
    const v = unlockAtHigh([held, held, held, held, held, ...stretch], [...REAL_TURNS.directions]);
    assert.equal(v.live, true, JSON.stringify(v));
    assert.equal(v.challenge?.state, 'passed');
  });

  it('started mid-turn, the challenge waits for the head at rest: the person looks back, then turns as asked, and passes', async () => {
    // At the kiosk's 12.5 frames/s from 4.08 s the head comes back from its right turn (+29°),
    // rests near −20° from about 4.9 s, and turns right again at 6.5 s. A kiosk recognising the
    // first frame (the box barely moves) took the baseline there, and the look back at the
    // screen read as a turn to the left: wrong-direction for a prompt asking right.
    const fps = 12.5;
    const frames = await analyse((await cutFrames(REAL_VIDEO, { from: 4.08, seconds: 3.2, fps })).frames);
    const startYaw = faceYaw(frames[0]!.face!)!;
    assert.ok(startYaw > 20, `the first frame is not mid-turn: yaw ${startYaw}`);
    const check = new ActiveCheck('person', 0, frames[0]!.face, { challenge: { directions: ['right'] } });
    let verdict: LayeredVerdict | null = null;
    for (let i = 1; i < frames.length && !verdict; i++) {
      const f = frames[i]!;
      const sameFace =
        f.face?.normedEmbedding &&
        computeSim(f.face.normedEmbedding, enrolled) >= INSIGHTFACE_DEFAULT_THRESHOLD;
      const status = check.observe({
        nowMs: (i * 1000) / fps,
        face: f.face,
        passive: f.passive,
        identity: sameFace ? 'person' : null,
      });
      if (status.state === 'done') verdict = status.verdict;
    }
    assert.ok(verdict, 'the challenge was still pending at the end of the footage');
    assert.equal(verdict.live, true, JSON.stringify(verdict));
    assert.equal(verdict.challenge?.state, 'passed');
    // The baseline is the head at rest after the look back, not the +29° it was recognised at.
    const baseline = check.challenge.baselineYaw!;
    assert.ok(baseline < -15 && baseline > -25, `baseline ${baseline}`);
  });

  it('a recording answers at most one of the four draws, from every frame of the footage as a start', async () => {
    // Layer 3 alone on the yaws of both videos at the kiosk's 12.5 frames/s: whatever frame the
    // challenge starts on, the same fixed sequence may pass one draw, never two (challenge.ts).
    const fps = 12.5;
    let starts = 0;
    let answered = 0;
    for (const [video, seconds] of [
      [REAL_VIDEO, 11.6],
      [REPLAY_VIDEO, 15.2],
    ] as const) {
      const yaws: (number | null)[] = [];
      for (const image of (await cutFrames(video, { from: 0, seconds, fps })).frames) {
        const face = largestFace(await fa.detect(image));
        yaws.push(face ? faceYaw(face) : null);
      }
      for (let start = 0; start < yaws.length - 1; start++) {
        if (yaws[start] === null) continue;
        const passed = allDraws().filter((directions) => {
          const c = new HeadTurnChallenge('person', (start * 1000) / fps, { directions });
          for (let i = start + 1; i < yaws.length; i++) {
            const yaw = yaws[i]!;
            const s = c.observe({ yaw, identity: yaw === null ? null : 'person', nowMs: (i * 1000) / fps });
            if (s.state !== 'pending') return s.state === 'passed';
          }
          return false;
        });
        assert.ok(passed.length <= 1, `${video} from ${start / fps} s passes ${JSON.stringify(passed)}`);
        starts++;
        answered += passed.length;
      }
    }
    // Not vacuous: the real head turns do answer their draw from many starts.
    console.log(`footage: ${answered} of ${starts} starts answer one draw of 4, none two`);
    assert.ok(answered >= starts / 4, `${answered} of ${starts}`);
  });

  it('the real video fails a prompt it does not follow (right first)', () => {
    const v = unlockAtHigh(real, ['right', 'left']);
    assert.equal(v.live, false);
    assert.equal(v.failedLayer, 'challenge');
    assert.equal(v.reason, 'wrong-direction');
  });

  it('the replay on a phone fails, even with the directions it happens to turn', () => {
    for (const directions of [
      ['right', 'left'],
      ['left', 'right'],
    ] as const) {
      const v = unlockAtHigh(replay, [...directions]);
      assert.equal(v.live, false, JSON.stringify(v));
      assert.equal(v.failedLayer, 'passive');
    }
  });

  it('offline, layer 2 alone passes the replay: its motion is a recorded 3-D head (why the layers combine)', () => {
    const frames: LayeredFrame[] = replay.map((f, i) => ({ nowMs: i * 100, face: f.face, passive: 1 }));
    const v = judgeSequence(frames, 'high');
    assert.equal(v.structure?.live, true);
  });
});
