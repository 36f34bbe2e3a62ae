// Layer 2's 106-landmark path through the real engine: 2d106det is not on the test machines,
// so the test builds a graph with its signature (input 'data' 1×3×192×192, output 'fc1' 1×212)
// that always predicts the same layout in its crop. Put in a pack beside det_500m and the
// liveness pair, it must be routed as 2d106det, its points mapped back to each face, and the
// structure layer must judge those 106 points, not the detector's 5: on the real head-turn
// footage, the 5 keypoints show a 3-D head, while a layout that only follows the face box moves
// as one rigid, flat shape and is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../../main/cli/command.js';
import { run } from '../../../main/cli/commands/liveness.js';
import { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { Face } from '../../../main/insightface/types.js';
import { ANTI_SPOOF_MODEL_FILES } from '../../../main/liveness/anti-spoof.js';
import { replayUnlock, type LayeredFrame } from '../../../main/liveness/levels.js';
import { largestFace } from '../../../main/liveness/liveness.js';
import {
  DEFAULT_MIN_MOTION,
  DEFAULT_MIN_PARALLAX,
  FLOW_MIN_PARALLAX,
} from '../../../main/liveness/structure.js';
import { modelPath } from '../../helpers/fixtures.js';
import { cutFrames, cutY4m, REAL_TURNS, REAL_VIDEO } from '../../helpers/footage.js';
import { constantOutputModel } from '../../helpers/onnx-builder.js';

/**
 * 106 points in the crop's [-1, 1] frame: an oval of face contour and inner points, with the
 * pupils where 2d106det puts them (38 left, 88 right; structure.ts measures the eye distance
 * between them) a third of the crop apart.
 */
const LAYOUT: [number, number][] = Array.from({ length: 106 }, (_, i) => {
  const t = (2 * Math.PI * i) / 106;
  const r = 0.3 + 0.1 * (i % 4);
  return [r * Math.cos(t), 0.05 + 1.2 * r * Math.sin(t)];
});
LAYOUT[38] = [-1 / 6, -0.15];
LAYOUT[88] = [1 / 6, -0.15];

/** A folder with det_500m and the liveness pair (symlinks), plus the built 2d106det when `with106`. */
function pack(with106: boolean): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-106-'));
  for (const f of ['det_500m.onnx', ...ANTI_SPOOF_MODEL_FILES]) symlinkSync(modelPath(f), path.join(dir, f));
  if (with106)
    writeFileSync(
      path.join(dir, '2d106det.onnx'),
      constantOutputModel({
        inputName: 'data',
        inputDims: [1, 3, 192, 192],
        outputName: 'fc1',
        values: LAYOUT.flat(),
      }),
    );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const with106 = pack(true);
const without = pack(false);
let fa: FaceAnalysis;
let video: string;
after(async () => {
  await fa?.release();
  with106.remove();
  without.remove();
});

interface StructureJson {
  live: boolean;
  reason: string | null;
  layers: {
    structure: {
      live: boolean;
      parallax: number;
      flowParallax: number | null;
      motion: number;
      points: number;
      reason?: string;
    };
  };
}

async function cli(models: string, argv: string[]): Promise<StructureJson> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  const code = await run(['--models', models, '--json', '--level', 'high', ...argv], io);
  assert.equal(code, 0, err);
  return JSON.parse(out) as StructureJson;
}

before(async () => {
  fa = await FaceAnalysis.load(with106.dir, { allowedModules: ['detection', 'landmark_2d_106'] });
  // The same real head turn the CLI test judges (left, then right, 0–3 s at 10 fps).
  video = await cutY4m(REAL_VIDEO, { from: 0, seconds: 3, fps: 10 });
});

describe('layer 2 with a pack that has 2d106det', () => {
  it('routes the graph as 2d106det and maps its 106 points back onto each face', async () => {
    assert.equal(fa.info.landmark2d106, true);
    const model = fa.landmarks.find((m) => m.taskname === 'landmark_2d_106');
    assert.ok(model);
    assert.deepEqual(model.session.inputNames, ['data']);
    assert.deepEqual(model.session.outputs[0]?.dims, [1, 212]);
    const [frame] = (await cutFrames(REAL_VIDEO, { from: REAL_TURNS.holdAt, seconds: 0.1, fps: 10 })).frames;
    const found = largestFace(await fa.detect(frame!));
    const face = await fa.analyze(frame!, found!, { modules: ['landmark_2d_106'] });
    assert.equal(face.landmark2d106?.length, 106);
    // landmark.py: crop of 1.5 × the box's larger side around its centre, (p + 1)·96 in the
    // 192-px crop, mapped back: x = cx + p · 0.75 · side, and the same for y.
    const [x1, y1, x2, y2] = face.bbox;
    const side = Math.max(x2 - x1, y2 - y1);
    face.landmark2d106!.forEach(([x, y], i) => {
      const [px, py] = LAYOUT[i]!;
      assert.ok(Math.abs(x - ((x1 + x2) / 2 + px * 0.75 * side)) < 0.5, `x of point ${i}`);
      assert.ok(Math.abs(y - ((y1 + y2) / 2 + py * 0.75 * side)) < 0.5, `y of point ${i}`);
    });
  });

  it('tobira liveness --video judges the 106 points: a layout that only follows the box is refused', async () => {
    const five = await cli(without.dir, ['--video', video]);
    assert.equal(five.layers.structure.points, 5);
    assert.equal(five.live, true, JSON.stringify(five));
    // The door decides on the first frames that show the depth, on the keypoints or on the
    // corners tracked over the face (structure.ts), whichever shows it first.
    const { parallax, flowParallax } = five.layers.structure;
    assert.ok(
      parallax >= DEFAULT_MIN_PARALLAX || (flowParallax ?? 0) >= FLOW_MIN_PARALLAX,
      JSON.stringify(five),
    );

    const hundredSix = await cli(with106.dir, ['--video', video]);
    assert.equal(hundredSix.layers.structure.points, 106);
    // Each frame's layout is the same shape scaled and moved with the box: no view change.
    assert.equal(hundredSix.live, false, JSON.stringify(hundredSix));
    assert.equal(hundredSix.reason, 'not_enough_motion');
    assert.ok(hundredSix.layers.structure.motion < DEFAULT_MIN_MOTION / 10);
  });

  it("the kiosk's challenge (ActiveCheck) judges the 106 points too", async () => {
    const frames: LayeredFrame[] = [];
    for (const [i, image] of (
      await cutFrames(REAL_VIDEO, { from: 0, seconds: 3, fps: 10 })
    ).frames.entries()) {
      const found = largestFace(await fa.detect(image));
      const face: Face | null = found
        ? await fa.analyze(image, found, { modules: ['landmark_2d_106'] })
        : null;
      frames.push({ nowMs: i * 100, face, passive: 0.99 });
    }
    const v = replayUnlock(frames, 'high', ['left', 'right']);
    assert.equal(v.challenge?.state, 'passed', JSON.stringify(v.challenge));
    assert.equal(v.structure?.points, 106);
    assert.deepEqual([v.live, v.failedLayer, v.reason], [false, 'structure', 'not_enough_motion']);
    // The same frames with only the detector's 5 keypoints pass all three layers.
    const five = replayUnlock(
      frames.map((f) => ({ ...f, face: f.face ? { kps: f.face.kps } : null })),
      'high',
      ['left', 'right'],
    );
    assert.equal(five.structure?.points, 5);
    assert.equal(five.live, true, JSON.stringify(five));
  });
});
