// The close-face retry (main/recognition/close-face.ts) on real data: tight crops made here, at
// test time, from the shared photos and clips (never committed) fill the detector's input, and
// InsightFace's single pass finds no face in them; the retry finds it, maps it back onto the
// crop, and the door's judgement asks the person to step back. A photo crop still enrols.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeImageFile } from '../../../main/image/decode.js';
import { MATCH_THRESHOLD } from '../../../main/insightface/arcface.js';
import { computeSim } from '../../../main/insightface/face_analysis.js';
import type { Face, PixelImage } from '../../../main/insightface/types.js';
import { cutFrames } from '../../../main/liveness/footage.js';
import { detectFaces, paddedCanvas, photoFaces } from '../../../main/recognition/close-face.js';
import { judgeFrame } from '../../../main/recognition/judge-frame.js';
import { DEFAULT_QUALITY } from '../../../main/recognition/quality.js';
import { DEFAULT_SECOND_FACE_RATIO } from '../../../main/recognition/subject.js';
import { facePath } from '../../helpers/fixtures.js';
import { suiteAnalysis } from '../../helpers/test-pack.js';

type Box = Face['bbox'];

/** The part of `img` inside `box`, clamped to the image: the face fills the whole crop. */
function cropTo(img: PixelImage, box: Box): { image: PixelImage; x0: number; y0: number } {
  const ch = img.format === 'rgba' ? 4 : 3;
  const x0 = Math.max(0, Math.round(box[0]));
  const y0 = Math.max(0, Math.round(box[1]));
  const x1 = Math.min(img.width, Math.round(box[2]));
  const y1 = Math.min(img.height, Math.round(box[3]));
  const w = x1 - x0;
  const h = y1 - y0;
  const data = new Uint8Array(w * h * ch);
  for (let y = 0; y < h; y++) {
    const from = ((y0 + y) * img.width + x0) * ch;
    data.set(img.data.subarray(from, from + w * ch), y * w * ch);
  }
  return { image: { data, width: w, height: h, format: img.format }, x0, y0 };
}

const iou = (a: Box, b: Box): number => {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const area = (r: Box) => (r[2] - r[0]) * (r[3] - r[1]);
  return (w * h) / (area(a) + area(b) - w * h);
};

const PHOTOS = [
  'photos/face_recognition/obama.jpg',
  'photos/face_recognition/biden.jpg',
  'photos/face_recognition/ex_alex-lacamoire.png',
  'photos/scrfd_portraits/gauss.png',
  'photos/inspireface/woman.png',
  'photos/inspireface/Rob_Lowe_0001.jpg',
];
/** One frame each, 1.5 s in: a phone selfie, a dim webcam, a vlog webcam. */
const CLIPS = ['pad/public/fellway_me.mp4', 'pad/public/lestari_real.mp4', 'pad/public/1zlab_face.mp4'];

describe('close-face retry: a face that fills the picture', () => {
  const analysis = suiteAnalysis();
  const samples: { name: string; image: PixelImage }[] = [];
  before(async () => {
    for (const rel of PHOTOS) samples.push({ name: rel, image: await decodeImageFile(facePath(rel)) });
    for (const rel of CLIPS) {
      const video = await cutFrames(facePath(rel), { from: 1.5, seconds: 0.1, fps: 10 });
      assert.ok(video.frames[0], `${rel}: a frame at 1.5 s`);
      samples.push({ name: rel, image: video.frames[0] });
    }
  });

  it('the canvas holds the frame halved (2×2 means) in its middle, black around it', () => {
    // 4×2 rgb: two 2×2 blocks, left all 10s and 30s mixed, right 200.
    const data = new Uint8Array(4 * 2 * 3);
    const left = [10, 30, 10, 30];
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 4; x++)
        for (let c = 0; c < 3; c++) data[(y * 4 + x) * 3 + c] = x < 2 ? left[y * 2 + x]! : 200;
    const canvas = paddedCanvas({ data, width: 4, height: 2, format: 'rgb' });
    assert.deepEqual([canvas.image.width, canvas.image.height, canvas.offsetX, canvas.offsetY], [4, 4, 1, 1]);
    const px = (x: number, y: number) => canvas.image.data[(y * 4 + x) * 3]!;
    assert.deepEqual([px(1, 1), px(2, 1), px(0, 1), px(3, 1), px(1, 0), px(1, 2)], [20, 200, 0, 0, 0, 0]);
  });

  it('finds the face in every tight crop, where InsightFace’s pass finds none, and asks to step back', async () => {
    const fa = analysis();
    for (const { name, image } of samples) {
      const [whole] = await fa.detect(image, { maxNum: 1 });
      assert.ok(whole, `${name}: a face in the whole picture`);
      const crop = cropTo(image, whole.bbox);
      assert.equal((await fa.detect(crop.image)).length, 0, `${name}: the single pass misses the crop`);
      const faces = await detectFaces(fa, crop.image);
      assert.equal(faces.length, 1, `${name}: the retry finds one face`);
      const face = faces[0]!;
      assert.equal(face.tooClose, true);
      const expected: Box = [
        whole.bbox[0] - crop.x0,
        whole.bbox[1] - crop.y0,
        whole.bbox[2] - crop.x0,
        whole.bbox[3] - crop.y0,
      ];
      const overlap = iou(face.bbox, expected);
      assert.ok(overlap >= 0.8, `${name}: box IoU ${overlap.toFixed(2)} with the whole picture's box`);
      const judged = judgeFrame(faces, crop.image, crop.image, {
        secondFaceRatio: DEFAULT_SECOND_FACE_RATIO,
        quality: DEFAULT_QUALITY,
      });
      assert.equal(judged.passed, false, `${name}: not recognised while too close`);
      assert.equal(judged.quality?.guidance, 'step_back', `${name}: told to step back`);
    }
  });

  it('a tight crop of a photo imports: its embedding matches the whole photo’s', async () => {
    const fa = analysis();
    for (const { name, image } of samples.slice(0, 3)) {
      const [whole] = await fa.get(image, { maxNum: 1 });
      const crop = cropTo(image, whole!.bbox);
      const faces = await photoFaces(fa, crop.image);
      assert.equal(faces.length, 1, `${name}: one face in the crop`);
      assert.equal(faces[0]!.tooClose, undefined, `${name}: a photo's framing is not a person too close`);
      const sim = computeSim(faces[0]!.normedEmbedding!, whole!.normedEmbedding!);
      assert.ok(sim >= MATCH_THRESHOLD, `${name}: similarity ${sim.toFixed(3)} to the whole photo`);
    }
  });

  it('adds no face where there is none, and leaves a normal frame to the single pass', async () => {
    const fa = analysis();
    const empty = await decodeImageFile(facePath('photos/inspireface/view.jpg'));
    assert.equal((await detectFaces(fa, empty)).length, 0);
    const normal = samples[0]!.image;
    const single = await fa.detect(normal);
    assert.deepEqual(await detectFaces(fa, normal), single);
  });
});
