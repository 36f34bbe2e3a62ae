// Models that are not on this machine (det_10g, 2d106det, 1k3d68, genderage, w600k_r50), built
// here with their real signatures, to prove routing and the post-processing maths against
// values worked out by hand.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ARCFACE_DST } from '../../../main/insightface/face_align.js';
import { FaceAnalysis, PackLoadError } from '../../../main/insightface/face_analysis.js';
import { routeBySignature } from '../../../main/insightface/model_zoo.js';
import type { Face, PixelImage, Point } from '../../../main/insightface/types.js';
import { buildModel, constantOutputModel, type NodeSpec } from '../../helpers/onnx-builder.js';

// --- A det_10g-style SCRFD: 9 unnamed 2-D outputs, dynamic input. Scores are the mean of the
// normalised pixels pooled over each stride's cell (bias -5 silences strides 8 and 16), boxes
// and keypoints are constant distances. A white 32×32 square on one stride-32 cell therefore
// gives exactly one face, whose box and keypoints follow from the anchor centre.
const BOX_DIST = 1; // ×32 px
const KPS_DIST = [-0.5, -0.25, 0.5, -0.25, 0, 0.25, -0.25, 0.5, 0.25, 0.5];

function scrfdModel(): Uint8Array {
  const nodes: NodeSpec[] = [];
  const initializers: Parameters<typeof buildModel>[0]['initializers'] = [];
  const outputs: { name: string; dims: (number | string)[] }[] = [];
  const heads = [
    { kind: 'score', ch: 2, per: 1 },
    { kind: 'bbox', ch: 8, per: 4 },
    { kind: 'kps', ch: 20, per: 10 },
  ];
  initializers.push({ name: 'shape1', dims: [2], data: [-1, 1], int64: true });
  initializers.push({ name: 'shape4', dims: [2], data: [-1, 4], int64: true });
  initializers.push({ name: 'shape10', dims: [2], data: [-1, 10], int64: true });
  for (const s of [8, 16, 32]) {
    nodes.push({
      op: 'AveragePool',
      inputs: ['input.1'],
      outputs: [`pool${s}`],
      attrs: [
        { name: 'kernel_shape', ints: [s, s] },
        { name: 'strides', ints: [s, s] },
      ],
    });
  }
  let outIndex = 400;
  for (const h of heads) {
    for (const s of [8, 16, 32]) {
      const w = new Float32Array(h.ch * 3);
      const b = new Float32Array(h.ch);
      if (h.kind === 'score') {
        w.fill(1 / 3);
        b.fill(s === 32 ? 0 : -5);
      } else if (h.kind === 'bbox') {
        b.fill(BOX_DIST);
      } else {
        for (let a = 0; a < 2; a++) b.set(KPS_DIST, a * 10);
      }
      const name = String(outIndex++);
      initializers.push({ name: `w_${h.kind}${s}`, dims: [h.ch, 3, 1, 1], data: w });
      initializers.push({ name: `b_${h.kind}${s}`, dims: [h.ch], data: b });
      nodes.push({
        op: 'Conv',
        inputs: [`pool${s}`, `w_${h.kind}${s}`, `b_${h.kind}${s}`],
        outputs: [`c_${name}`],
      });
      nodes.push({
        op: 'Transpose',
        inputs: [`c_${name}`],
        outputs: [`t_${name}`],
        attrs: [{ name: 'perm', ints: [0, 2, 3, 1] }],
      });
      nodes.push({ op: 'Reshape', inputs: [`t_${name}`, `shape${h.per}`], outputs: [name] });
      outputs.push({ name, dims: [`n${s}`, h.per] });
    }
  }
  return buildModel({ inputs: [{ name: 'input.1', dims: [1, 3, '?', '?'] }], outputs, nodes, initializers });
}

/** A w600k_r50-style recognizer whose 512 outputs all equal the mean of its input blob. */
function meanEmbedderModel(headNames: [string, string]): Uint8Array {
  return buildModel({
    inputs: [{ name: 'input.1', dims: [1, 3, 112, 112] }],
    outputs: [{ name: '683', dims: [1, 512] }],
    nodes: [
      {
        op: 'ReduceMean',
        name: headNames[0],
        inputs: ['input.1'],
        outputs: ['m'],
        attrs: [
          { name: 'axes', ints: [1, 2, 3] },
          { name: 'keepdims', int: 0 },
        ],
      },
      { op: 'Mul', name: headNames[1], inputs: ['m', 'ones'], outputs: ['683'] },
    ],
    initializers: [{ name: 'ones', dims: [1, 512], data: new Float32Array(512).fill(1) }],
  });
}

// 2d106det: 212 outputs in [-1, 1].
const LMK106 = Array.from({ length: 212 }, (_, i) => Math.fround(0.8 * Math.sin(i * 0.7)));

// 1k3d68: a mean shape, and landmarks that are that shape rotated by a known pose.
const MEAN_SHAPE = Array.from({ length: 68 }, (_, i) => [
  40 * Math.sin(i * 1.3),
  50 * Math.cos(i * 0.9),
  30 * Math.sin(i * 2.1 + 1),
]);
const POSE = { pitch: 10, yaw: -20, roll: 5 };

function rotation(pitch: number, yaw: number, roll: number): number[][] {
  const [x, y, z] = [pitch, yaw, roll].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const Rx = [
    [1, 0, 0],
    [0, Math.cos(x), -Math.sin(x)],
    [0, Math.sin(x), Math.cos(x)],
  ];
  const Ry = [
    [Math.cos(y), 0, Math.sin(y)],
    [0, 1, 0],
    [-Math.sin(y), 0, Math.cos(y)],
  ];
  const Rz = [
    [Math.cos(z), -Math.sin(z), 0],
    [Math.sin(z), Math.cos(z), 0],
    [0, 0, 1],
  ];
  const mul = (A: number[][], B: number[][]): number[][] =>
    A.map((row) => B[0]!.map((_, j) => row.reduce((s, v, k) => s + v * B[k]![j]!, 0)));
  return mul(Rz, mul(Ry, Rx));
}

// The face the synthetic detector finds (see below): box [64,64,192,192], centre (128,128).
// Landmark crops: scale = 192 / (128 × 1.5) = 1, so image = 128 + 96·p for x and y, and 96·p for z.
const CENTRE = 128;
const HALF = 96;
const LANDMARKS_3D = (() => {
  const R = rotation(POSE.pitch, POSE.yaw, POSE.roll);
  return MEAN_SHAPE.map((p) => R.map((row) => 1.2 * row.reduce((s, v, k) => s + v * p[k]!, 0)));
})();
const OUT3D = (() => {
  const out = new Float32Array(3309);
  LANDMARKS_3D.forEach(([x, y, z], i) => {
    out.set([x! / HALF, y! / HALF, z! / HALF], 3309 - 204 + i * 3);
  });
  return out;
})();

/** 256×256 BGR: black, with a white square on [128, 192)² (one stride-32 cell at det size 128). */
function squareImage(): PixelImage {
  const data = new Uint8Array(256 * 256 * 3);
  for (let y = 128; y < 192; y++) data.fill(255, (y * 256 + 128) * 3, (y * 256 + 192) * 3);
  return { data, width: 256, height: 256, format: 'bgr' };
}

describe('routing by ONNX signature (model_zoo)', () => {
  const spec = (dims: (number | null)[]) => [{ name: 'x', dims }];
  const outs = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `o${i}`, dims: [null, 1] }));
  const table: [string, ReturnType<typeof routeBySignature>['kind'], (number | null)[], number][] = [
    ['det_10g: 9 outputs, dynamic input', 'detection', [1, 3, null, null], 9],
    ['SCRFD without keypoints: 6 outputs', 'detection', [1, 3, null, null], 6],
    ['2d106det: 192×192', 'landmark', [1, 3, 192, 192], 1],
    ['1k3d68: 192×192', 'landmark', [1, 3, 192, 192], 1],
    ['genderage: 96×96', 'attribute', [1, 3, 96, 96], 1],
    ['w600k_r50: 112×112', 'recognition', [null, 3, 112, 112], 1],
    ['a 128×128 recognizer (≥112, multiple of 16)', 'recognition', [1, 3, 128, 128], 1],
    ['120×120: not a multiple of 16', null, [1, 3, 120, 120], 1],
    ['80×80 (MiniFASNet liveness)', null, [1, 3, 80, 80], 1],
    ['non-square 112×96', null, [1, 3, 112, 96], 1],
  ];
  for (const [what, kind, dims, n] of table) {
    it(`${what} → ${kind ?? 'skipped'}`, () => {
      const r = routeBySignature(spec(dims), outs(n));
      assert.equal(r.kind, kind);
      if (r.kind === null) assert.match(r.reason, /matches no InsightFace model/);
    });
  }
});

describe('a buffalo_l-like pack of synthetic models', () => {
  let dir: string;
  let fa: FaceAnalysis;
  let face: Face;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-synthetic-'));
    writeFileSync(path.join(dir, 'det_10g.onnx'), scrfdModel());
    writeFileSync(
      path.join(dir, '2d106det.onnx'),
      constantOutputModel({ inputDims: [1, 3, 192, 192], values: LMK106 }),
    );
    writeFileSync(
      path.join(dir, '1k3d68.onnx'),
      constantOutputModel({ inputDims: [1, 3, 192, 192], values: OUT3D }),
    );
    writeFileSync(
      path.join(dir, 'genderage.onnx'),
      constantOutputModel({ inputDims: [1, 3, 96, 96], values: [0.2, 0.7, 0.3125] }),
    );
    writeFileSync(path.join(dir, 'w600k_r50.onnx'), meanEmbedderModel(['ReduceMean_0', 'Mul_1']));
    writeFileSync(
      path.join(dir, 'zz_liveness.onnx'),
      constantOutputModel({ inputDims: [1, 3, 80, 80], values: [0.1, 0.9, 0] }),
    );
    writeFileSync(path.join(dir, 'meanshape_68.json'), JSON.stringify(MEAN_SHAPE));
    fa = await FaceAnalysis.load(dir);
    fa.prepare({ detSize: [128, 128] });
    const faces = await fa.get(squareImage());
    assert.equal(faces.length, 1, 'the synthetic detector finds exactly the white square');
    face = faces[0]!;
  });
  after(async () => {
    await fa?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes every model and reports the unknown one', () => {
    const info = fa.info;
    assert.equal(info.detector.file, 'det_10g.onnx');
    assert.equal(info.detector.inputSize, null, 'dynamic input');
    assert.deepEqual(info.recognizer && { file: info.recognizer.file, size: info.recognizer.embeddingSize }, {
      file: 'w600k_r50.onnx',
      size: 512,
    });
    assert.match(info.recognizer!.id, /^sha256:[0-9a-f]{16}$/);
    assert.equal(info.landmark2d106, true);
    assert.equal(info.landmark3d68, true);
    assert.equal(info.pose, true);
    assert.equal(info.genderage, true);
    assert.equal(info.provider, 'cpu');
    assert.deepEqual(
      fa.skipped.map((s) => s.file),
      ['zz_liveness.onnx'],
    );
  });

  it('decodes the box and keypoints from the anchor centre and strides (÷ det_scale 0.5)', () => {
    // Stride-32 cell (2, 2): anchor centre (64, 64) in the 128² input; distances ×32.
    const expectBox = [64 - 32, 64 - 32, 64 + 32, 64 + 32].map((v) => v * 2);
    face.bbox.forEach((v, i) => assert.ok(Math.abs(v - expectBox[i]!) < 1e-3, `bbox ${face.bbox}`));
    const expectKps: Point[] = [];
    for (let k = 0; k < 10; k += 2)
      expectKps.push([(64 + KPS_DIST[k]! * 32) * 2, (64 + KPS_DIST[k + 1]! * 32) * 2]);
    face.kps.forEach((p, i) => {
      assert.ok(
        Math.abs(p[0] - expectKps[i]![0]) < 1e-3 && Math.abs(p[1] - expectKps[i]![1]) < 1e-3,
        `kps ${i}`,
      );
    });
    // Score: mean of (255 - 127.5) / 128 over the cell.
    assert.ok(Math.abs(face.detScore - 127.5 / 128) < 1e-5, `score ${face.detScore}`);
  });

  it('maps 2d106 output back to the image: x = cx + 96·p (crop scale 1)', () => {
    assert.equal(face.landmark2d106?.length, 106);
    face.landmark2d106!.forEach(([x, y], i) => {
      assert.ok(Math.abs(x - (CENTRE + HALF * LMK106[i * 2]!)) < 1e-3, `x ${i}`);
      assert.ok(Math.abs(y - (CENTRE + HALF * LMK106[i * 2 + 1]!)) < 1e-3, `y ${i}`);
    });
  });

  it('maps 1k3d68 output back (last 68×3 values) and recovers the pose it was built with', () => {
    assert.equal(face.landmark3d68?.length, 68);
    face.landmark3d68!.forEach((p, i) => {
      const q = LANDMARKS_3D[i]!;
      assert.ok(
        Math.abs(p[0] - (CENTRE + q[0]!)) < 1e-3 && Math.abs(p[1] - (CENTRE + q[1]!)) < 1e-3,
        `xy ${i}`,
      );
      assert.ok(Math.abs(p[2] - q[2]!) < 1e-3, `z ${i}`);
    });
    assert.ok(face.pose);
    assert.ok(Math.abs(face.pose.pitch - POSE.pitch) < 1e-3, `pitch ${face.pose.pitch}`);
    assert.ok(Math.abs(face.pose.yaw - POSE.yaw) < 1e-3, `yaw ${face.pose.yaw}`);
    assert.ok(Math.abs(face.pose.roll - POSE.roll) < 1e-3, `roll ${face.pose.roll}`);
  });

  it('reads genderage: argmax of the first two, round(third × 100)', () => {
    assert.equal(face.gender, 1);
    assert.equal(face.age, 31);
  });

  it('embeds with the mean/std InsightFace picks for a graph without Sub/Mul head nodes', async () => {
    // A uniform 200 image: the aligned crop (template in the middle) is all 200.
    const image: PixelImage = {
      data: new Uint8Array(300 * 300 * 3).fill(200),
      width: 300,
      height: 300,
      format: 'bgr',
    };
    const kps = ARCFACE_DST.map(([x, y]): Point => [x + 94, y + 94]);
    const out = await fa.analyze(
      image,
      { bbox: [94, 94, 206, 206], kps, detScore: 1 },
      { modules: ['recognition'] },
    );
    assert.equal(out.embedding?.length, 512);
    // (200 - 127.5) / 127.5
    // 1e-4: onnxruntime averages 37,632 float32 values.
    assert.ok(Math.abs(out.embedding![0]! - 72.5 / 127.5) < 1e-4, `got ${out.embedding![0]}`);
    assert.ok(Math.abs(out.normedEmbedding![0]! - 1 / Math.sqrt(512)) < 1e-6);
    assert.equal(out.landmark2d106, undefined, 'only the modules asked for run');
  });
});

describe('recognizers that normalise inside the graph (MXNet Sub/Mul head)', () => {
  it('get raw pixels: mean 0, std 1', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-mxnet-'));
    try {
      writeFileSync(path.join(dir, 'det.onnx'), scrfdModel());
      writeFileSync(path.join(dir, 'rec.onnx'), meanEmbedderModel(['_minus0', '_mul0']));
      const fa = await FaceAnalysis.load(dir);
      assert.equal(fa.recognition?.model.inputMean, 0);
      assert.equal(fa.recognition?.model.inputStd, 1);
      const image: PixelImage = {
        data: new Uint8Array(300 * 300 * 3).fill(200),
        width: 300,
        height: 300,
        format: 'bgr',
      };
      const kps = ARCFACE_DST.map(([x, y]): Point => [x + 94, y + 94]);
      const out = await fa.analyze(image, { bbox: [94, 94, 206, 206], kps, detScore: 1 });
      assert.ok(Math.abs(out.embedding![0]! - 200) < 1e-3);
      await fa.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('packs that cannot be used', () => {
  it('a pack with no detector is a PackLoadError naming the folder and what was skipped', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-nodet-'));
    try {
      writeFileSync(path.join(dir, 'w600k_r50.onnx'), meanEmbedderModel(['a', 'b']));
      writeFileSync(
        path.join(dir, 'odd.onnx'),
        constantOutputModel({ inputDims: [1, 3, 64, 64], values: [1] }),
      );
      await assert.rejects(FaceAnalysis.load(dir), (err: Error) => {
        assert.ok(err instanceof PackLoadError);
        assert.ok(err.message.includes(dir) && err.message.includes('no face detector'));
        assert.ok(err.message.includes('odd.onnx'), err.message);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
