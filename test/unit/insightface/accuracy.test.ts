// Accuracy on ../shared/faces with det_500m + w600k_mbf_int8_dynq: the pairs the source projects
// assert, the face counts they assert, and the SCRFD portrait ground truth. Also both SCRFD
// export styles and a 128-d recognizer.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { decodeImageFile } from '../../../main/image/decode.js';
import { MATCH_THRESHOLD } from '../../../main/insightface/arcface.js';
import { computeSim, FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import { facePath } from '../../helpers/fixtures.js';
import { makeTestPack } from '../../helpers/test-pack.js';

const iou = (a: readonly number[], b: readonly number[]): number => {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const area = (r: readonly number[]) => (r[2]! - r[0]!) * (r[3]! - r[1]!);
  return (w * h) / (area(a) + area(b) - w * h);
};

const pairs = readFileSync(facePath('pairs.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').slice(0, 3) as [string, string, 'same' | 'different']);

describe('det_500m + w600k_mbf_int8_dynq on the shared photos', () => {
  let pack: string;
  let fa: FaceAnalysis;
  const embed = async (rel: string): Promise<Float32Array> => {
    const faces = await fa.get(await decodeImageFile(facePath(rel)), { maxNum: 1 });
    assert.equal(faces.length, 1, `${rel}: one face`);
    return faces[0]!.normedEmbedding!;
  };
  before(async () => {
    pack = makeTestPack();
    fa = await FaceAnalysis.load(pack);
    fa.prepare({ detSize: [640, 640] });
  });
  after(async () => {
    await fa.release();
    rmSync(pack, { recursive: true, force: true });
  });

  for (const [a, b, expected] of pairs) {
    it(`${a} vs ${b}: ${expected}`, async () => {
      const sim = computeSim(await embed(a), await embed(b));
      assert.equal(sim >= MATCH_THRESHOLD ? 'same' : 'different', expected, `similarity ${sim.toFixed(3)}`);
    });
  }

  for (const [rel, count] of [
    ['photos/scrfd_portraits/solvay_conference_1927.png', 29],
    ['photos/insightface/t1.jpg', 6],
    ['photos/inspireface/view.jpg', 0],
  ] as const) {
    it(`${rel}: ${count} faces`, async () => {
      assert.equal((await fa.detect(await decodeImageFile(facePath(rel)))).length, count);
    });
  }

  const truth = JSON.parse(readFileSync(facePath('scrfd_portraits_truth.json'), 'utf8')) as Record<
    string,
    { bbox: number[]; kps: number[][] }[]
  >;
  for (const [rel, faces] of Object.entries(truth)) {
    it(`${rel}: ground-truth box IoU ≥ 0.9`, async () => {
      const got = await fa.detect(await decodeImageFile(facePath(rel)));
      assert.equal(got.length, faces.length);
      faces.forEach((f, i) =>
        assert.ok(iou(f.bbox, got[i]!.bbox) >= 0.9, `IoU ${iou(f.bbox, got[i]!.bbox)}`),
      );
    });
  }

  it('a PixelImage refilled in place is read anew by detect() (rgba frames)', async () => {
    const bgr = await decodeImageFile(facePath('photos/insightface/t1.jpg'));
    const rgba = new Uint8Array(bgr.width * bgr.height * 4);
    for (let i = 0, j = 0; i < bgr.data.length; i += 3, j += 4) {
      rgba.set([bgr.data[i + 2]!, bgr.data[i + 1]!, bgr.data[i]!, 255], j);
    }
    const frame = { data: rgba, width: bgr.width, height: bgr.height, format: 'rgba' as const };
    const faces = await fa.detect(frame);
    assert.equal(faces.length, 6);
    const same = await fa.analyze(frame, faces[0]!);
    const fromBgr = (await fa.get(bgr))[0]!;
    assert.ok(
      computeSim(same.normedEmbedding!, fromBgr.normedEmbedding!) > 0.999999,
      'rgba and bgr give one embedding',
    );
    rgba.fill(0);
    assert.equal((await fa.detect(frame)).length, 0);
  });

  it('max_num keeps the faces InsightFace prefers (area minus twice the squared centre offset)', async () => {
    const image = await decodeImageFile(facePath('photos/insightface/t1.jpg'));
    const all = await fa.detect(image);
    const two = await fa.detect(image, { maxNum: 2 });
    const value = (f: (typeof all)[number]) => {
      const [x1, y1, x2, y2] = f.bbox;
      const ox = (x1 + x2) / 2 - Math.floor(image.width / 2);
      const oy = (y1 + y2) / 2 - Math.floor(image.height / 2);
      return (x2 - x1) * (y2 - y1) - 2 * (ox * ox + oy * oy);
    };
    const best = [...all].sort((p, q) => value(q) - value(p)).slice(0, 2);
    assert.deepEqual(
      two.map((f) => f.bbox),
      best.map((f) => f.bbox),
    );
  });
});

describe('the other export styles', () => {
  it('scrfd_500m_bnkps_named640 (named 3-D outputs, fixed 640) finds what det_500m finds', async () => {
    const named = makeTestPack(['scrfd_500m_bnkps_named640.onnx']);
    const plain = makeTestPack(['det_500m.onnx']);
    const a = await FaceAnalysis.load(named);
    const b = await FaceAnalysis.load(plain);
    try {
      assert.deepEqual(a.info.detector.inputSize, [640, 640]);
      a.prepare({ detSize: [320, 320] }); // ignored: the model fixes its size, as in InsightFace
      b.prepare({ detSize: [640, 640] });
      assert.deepEqual(a.info.detector.detSizes, [[640, 640]]);
      const image = await decodeImageFile(facePath('photos/insightface/t1.jpg'));
      const fa = await a.detect(image);
      const fb = await b.detect(image);
      assert.equal(fa.length, 6);
      assert.equal(fa.length, fb.length);
      fa.forEach((f, i) => f.bbox.forEach((v, k) => assert.ok(Math.abs(v - fb[i]!.bbox[k]!) < 0.01)));
    } finally {
      await a.release();
      await b.release();
      rmSync(named, { recursive: true, force: true });
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it('mobilefacenet_128d: 128-float embeddings that still tell the pairs apart', async () => {
    const pack = makeTestPack(['det_500m.onnx', 'mobilefacenet_128d.onnx']);
    const fa = await FaceAnalysis.load(pack);
    try {
      fa.prepare({});
      assert.equal(fa.info.recognizer?.embeddingSize, 128);
      const emb = async (rel: string) =>
        (await fa.get(await decodeImageFile(facePath(rel)), { maxNum: 1 }))[0]!.normedEmbedding!;
      const obama = await emb('photos/face_recognition/obama.jpg');
      assert.equal(obama.length, 128);
      const same = computeSim(obama, await emb('photos/face_recognition/obama2.jpg'));
      const other = computeSim(obama, await emb('photos/face_recognition/biden.jpg'));
      assert.ok(same >= MATCH_THRESHOLD && other < MATCH_THRESHOLD, `same ${same}, other ${other}`);
    } finally {
      await fa.release();
      rmSync(pack, { recursive: true, force: true });
    }
  });
});
