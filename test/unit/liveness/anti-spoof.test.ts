// The passive check on real photos with the real MiniFASNet models: prints and screens are
// refused, live faces pass, and the authors' preprocessing (BGR, raw 0..255) is what makes it so.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { PixelImage } from '../../../main/insightface/types.js';
import {
  AntiSpoof,
  ANTI_SPOOF_MODEL_FILES,
  AUTHORS_ENCODING,
  cropBox,
  LivenessModelsMissingError,
  LivenessModelNameError,
  parseModelName,
  toAuthorsBox,
  toProbabilities,
} from '../../../main/liveness/anti-spoof.js';
import { DEFAULT_LIVENESS_SETTINGS, largestFace, LivenessChecker } from '../../../main/liveness/liveness.js';
import { facePath } from '../../helpers/fixtures.js';
import { LIVE, loadDetector, photo, PRINT, SCREEN, tempPack, type Photo } from './setup.js';
import { noisy as sensorNoise } from '../../helpers/camera-frames.js';

const pack = tempPack();
let fa: FaceAnalysis;
let antiSpoof: AntiSpoof;
let checker: LivenessChecker;
const photos = new Map<string, Photo>();

before(async () => {
  fa = await loadDetector(pack.dir);
  antiSpoof = await AntiSpoof.load(pack.dir);
  checker = new LivenessChecker(antiSpoof, DEFAULT_LIVENESS_SETTINGS);
  for (const p of [PRINT, SCREEN, ...LIVE]) photos.set(p, await photo(fa, p));
});

after(async () => {
  await checker.release();
  await fa.release();
  pack.remove();
});

const get = (p: string): Photo => photos.get(p)!;

/** BGR pixels of an image transformed by sharp, as decodeImageFile returns them. */
async function bgrFrom(s: sharp.Sharp): Promise<PixelImage> {
  const { data, info } = await s.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const bgr = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 3) {
    bgr[i] = data[i + 2]!;
    bgr[i + 1] = data[i + 1]!;
    bgr[i + 2] = data[i]!;
  }
  return { data: bgr, width: info.width, height: info.height, format: 'bgr' };
}

describe('MiniFASNet models as exported', () => {
  it('take a fixed batch of 1 and output 3 logits, not probabilities', async () => {
    for (const m of antiSpoof.models) {
      assert.deepEqual(m.session.inputs[0]!.dims, [1, 3, 80, 80], m.file);
      assert.deepEqual(m.session.outputs[0]!.dims, [1, 3], m.file);
    }
    const { image, face } = get(LIVE[0]);
    const r = await antiSpoof.predict(image, face.bbox);
    for (const s of r.models) {
      const p = s.probabilities;
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9, `${s.file} probabilities sum to 1`);
    }
    // The raw output itself: negative values and a sum far from 1, so it is softmaxed once.
    const m = antiSpoof.models[0]!;
    const input = new Float32Array(3 * 80 * 80).fill(128);
    const { ort } = await import('../../../main/insightface/session.js');
    const out = await m.session.run({ input: new ort.Tensor('float32', input, [1, 3, 80, 80]) });
    const raw = Array.from(out.output!.data as Float32Array);
    assert.ok(raw.some((v) => v < 0) || Math.abs(raw.reduce((a, b) => a + b, 0) - 1) > 0.01, `raw ${raw}`);
  });

  it('toProbabilities softmaxes logits and leaves an existing softmax alone', () => {
    const p = toProbabilities([2, -3, 0.5]);
    const e = [Math.exp(2), Math.exp(-3), Math.exp(0.5)];
    const z = e[0]! + e[1]! + e[2]!;
    p.forEach((v, i) => assert.ok(Math.abs(v - e[i]! / z) < 1e-12));
    const already = [0.1, 0.7, 0.2];
    assert.deepEqual(Array.from(toProbabilities(already)), already);
    // Softmaxing twice would have flattened it towards uniform.
    assert.ok(toProbabilities(Array.from(p))[0]! === p[0]);
  });
});

describe('passive liveness on the photos', () => {
  it('refuses the printed photo and the screen replay', async () => {
    for (const p of [PRINT, SCREEN]) {
      const { image, face } = get(p);
      const v = await checker.checkFace(image, face);
      assert.equal(v.live, false, `${p} score ${v.score}`);
      assert.equal(v.reason, 'presentation attack');
      assert.ok(v.score < DEFAULT_LIVENESS_SETTINGS.threshold);
    }
  });

  it('passes the live faces', async () => {
    for (const p of LIVE) {
      const { image, face } = get(p);
      const v = await checker.checkFace(image, face);
      assert.equal(v.live, true, `${p} score ${v.score}`);
      assert.ok(v.score >= 0.5 && v.score <= 1);
    }
  });

  it('gives the same answer on RGBA input as on BGR', async () => {
    const { image, face } = get(PRINT);
    const rgba = new Uint8Array(image.width * image.height * 4);
    for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
      rgba[j] = image.data[i + 2]!;
      rgba[j + 1] = image.data[i + 1]!;
      rgba[j + 2] = image.data[i]!;
      rgba[j + 3] = 255;
    }
    const a = await antiSpoof.predict(image, face.bbox);
    const b = await antiSpoof.predict({ ...image, data: rgba, format: 'rgba' }, face.bbox);
    assert.equal(a.score, b.score);
  });
});

describe('checkFrame on a camera-like RGBA feed', () => {
  it('passes a live face, then refuses the same frame once frozen or replayed', async () => {
    const { image, face } = get(LIVE[0]);
    const rgba = new Uint8Array(image.width * image.height * 4);
    for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
      rgba[j] = image.data[i + 2]!;
      rgba[j + 1] = image.data[i + 1]!;
      rgba[j + 2] = image.data[i]!;
      rgba[j + 3] = 255;
    }
    const frame: PixelImage = { data: rgba, width: image.width, height: image.height, format: 'rgba' };
    // A live camera's next frame: sensor noise on every value (one flipped bit would be the same image).
    const noisy = sensorNoise({ width: image.width, height: image.height, rgba }, 1).rgba;
    const feed = new LivenessChecker(antiSpoof, DEFAULT_LIVENESS_SETTINGS);
    const first = await feed.checkFrame(frame, [face, get(LIVE[0]).face], 0);
    assert.equal(first.length, 2);
    assert.ok(
      first.every((v) => v.live),
      JSON.stringify(first),
    );
    assert.equal((await feed.checkFrame(frame, [face], 1000))[0]!.reason, 'frozen camera');
    assert.equal((await feed.checkFrame({ ...frame, data: noisy }, [face], 1100))[0]!.live, true);
    assert.equal((await feed.checkFrame(frame, [face], 1200))[0]!.reason, 'replayed frames');
  });
});

describe('colour order and scaling', () => {
  it('with RGB instead of BGR, both attacks would pass: the BGR default is what refuses them', async () => {
    const rgb = { ...AUTHORS_ENCODING, channelOrder: 'rgb' as const };
    for (const p of [PRINT, SCREEN]) {
      const { image, face } = get(p);
      const right = await antiSpoof.predict(image, face.bbox);
      const wrong = await antiSpoof.predict(image, face.bbox, rgb);
      assert.equal(right.realWins, false, p);
      assert.equal(wrong.realWins && wrong.score >= 0.5, true, `${p}: RGB score ${wrong.score}`);
      assert.ok(wrong.score - right.score > 0.3, `${p}: ${right.score} vs ${wrong.score}`);
    }
  });

  it('with /255 scaling, live faces would be refused: raw 0..255 is what passes them', async () => {
    const scaled = { ...AUTHORS_ENCODING, valueScale: 1 / 255 };
    for (const p of LIVE) {
      const { image, face } = get(p);
      const right = await antiSpoof.predict(image, face.bbox);
      const wrong = await antiSpoof.predict(image, face.bbox, scaled);
      assert.equal(right.realWins, true, p);
      assert.equal(wrong.realWins, false, `${p}: /255 score ${wrong.score}`);
      assert.ok(right.score - wrong.score > 0.5, `${p}: ${right.score} vs ${wrong.score}`);
    }
  });
});

describe('the crop box (CropImage._get_new_box)', () => {
  it('converts [x1,y1,x2,y2] to the authors [x,y,w,h] with int() truncation', () => {
    assert.deepEqual(toAuthorsBox([10.7, 20.2, 110.1, 220.9]), [10, 20, 100, 201]);
  });

  it('matches values worked out by hand from the authors formula', () => {
    // 640×480, box at the top right: scale 2.7 → 270×216 around (650, 50), shifted down and left.
    assert.deepEqual(cropBox(640, 480, [600, 10, 100, 80], 2.7), [369, 0, 639, 216]);
    // A box larger than the frame: the scale is capped at 99/200 and the crop is the whole frame.
    assert.deepEqual(cropBox(100, 100, [0, 0, 200, 200], 4), [0, 0, 99, 99]);
    // Room on all sides: centred, truncated: 100×100 at (150, 150) × 2.7 → 270 wide from 15.
    assert.deepEqual(cropBox(1000, 1000, [100, 100, 100, 100], 2.7), [15, 15, 285, 285]);
    assert.throws(() => cropBox(100, 100, [10, 10, 0, 5], 2.7), /no area/);
  });

  it('shifts the crop inside the frame for a face at each edge, never out of bounds', async () => {
    // T1's face moved to the top-left corner of a larger frame, then mirrored to the bottom-right.
    const src = sharp(facePath(LIVE[0])).rotate();
    const extended = await sharp(
      await src.extend({ right: 800, bottom: 800, background: '#000' }).png().toBuffer(),
    )
      .extract({ left: 100, top: 90, width: 1180, height: 1350 })
      .png()
      .toBuffer();
    const cases = [
      { name: 'top-left', image: await bgrFrom(sharp(extended)) },
      { name: 'bottom-right', image: await bgrFrom(sharp(extended).flip().flop()) },
    ];
    for (const { name, image } of cases) {
      const face = largestFace(await fa.detect(image));
      assert.ok(face, `${name}: face found`);
      const r = await antiSpoof.predict(image, face.bbox);
      for (const m of r.models) {
        const [l, t, rt, b] = m.box;
        assert.ok(
          l >= 0 && t >= 0 && rt <= image.width - 1 && b <= image.height - 1,
          `${name} ${m.file}: ${m.box}`,
        );
        const [, , w] = toAuthorsBox(face.bbox);
        const scale = parseModelName(m.file).scale!;
        // The crop keeps its full scaled size: it was moved, not clipped.
        assert.ok(Math.abs(rt - l - w * scale) <= 2, `${name} ${m.file}: width ${rt - l} vs ${w * scale}`);
        if (name === 'top-left') assert.deepEqual([l, t], [0, 0], `${name} ${m.file}`);
        else assert.deepEqual([rt, b], [image.width - 1, image.height - 1], `${name} ${m.file}`);
      }
      assert.ok(r.score >= 0 && r.score <= 1);
    }
  });

  it('handles a tiny face: the crop stays in bounds, and the checker refuses it as too small', async () => {
    const { image } = get(LIVE[0]);
    const small = await bgrFrom(
      sharp(facePath(LIVE[0]))
        .rotate()
        .resize(Math.round(image.width / 8)),
    );
    const face = largestFace(await fa.detect(small));
    assert.ok(face, 'the detector still finds the tiny face');
    assert.ok(face.bbox[2] - face.bbox[0] < checker.minFaceSize, `face ${face.bbox}`);
    const r = await antiSpoof.predict(small, face.bbox);
    for (const m of r.models) {
      const [l, t, rt, b] = m.box;
      assert.ok(l >= 0 && t >= 0 && rt <= small.width - 1 && b <= small.height - 1, `${m.file}: ${m.box}`);
    }
    assert.equal(checker.minFaceSize, 30); // ceil(80 / 2.7): smaller faces would be upsampled.
    const v = await checker.checkFace(small, face);
    assert.deepEqual([v.live, v.reason], [false, 'face too small']);
  });
});

describe('missing or failing models', () => {
  it('names the missing liveness models, and the checker then refuses every face', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'tobira-no-liveness-'));
    try {
      await assert.rejects(AntiSpoof.load(empty), (err: unknown) => {
        assert.ok(err instanceof LivenessModelsMissingError);
        assert.deepEqual(err.missing, [...ANTI_SPOOF_MODEL_FILES]);
        assert.match(err.message, /2\.7_80x80_MiniFASNetV2\.onnx.*4_0_0_80x80_MiniFASNetV1SE\.onnx/);
        return true;
      });
      const off = await LivenessChecker.create(empty);
      assert.equal(off.available, false);
      const { image, face } = get(LIVE[0]);
      const v = await off.checkFace(image, face);
      assert.deepEqual([v.live, v.reason], [false, 'liveness models missing']);
      const frame = await off.checkFrame(image, [face], 0);
      assert.equal(frame[0]!.live, false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('counts a model that fails during the run as not live', async () => {
    const own = await AntiSpoof.load(pack.dir);
    const failing = new LivenessChecker(own, DEFAULT_LIVENESS_SETTINGS);
    // A released session throws on run: a real model failure, not a stub.
    await own.models[1]!.session.release();
    const { image, face } = get(LIVE[0]);
    const v = await failing.checkFace(image, face);
    assert.equal(v.live, false);
    assert.equal(v.reason, 'model error');
    assert.ok(v.detail && v.detail.length > 0);
    await own.models[0]!.session.release();
  });

  it('rejects model names that do not follow the authors pattern', () => {
    assert.deepEqual(parseModelName('2.7_80x80_MiniFASNetV2.onnx'), {
      scale: 2.7,
      height: 80,
      width: 80,
      type: 'MiniFASNetV2',
    });
    assert.equal(parseModelName('4_0_0_80x80_MiniFASNetV1SE.onnx').scale, 4);
    assert.equal(parseModelName('org_1_80x60_MobileFaceNetPv1.onnx').scale, null);
    for (const bad of ['liveness.onnx', 'x_80x80_Net.onnx', '2.7_80_Net.onnx']) {
      assert.throws(() => parseModelName(bad), LivenessModelNameError, bad);
    }
  });
});

describe('settings', () => {
  it('lets everything through with liveness off, and rejects bad thresholds', async () => {
    const { image, face } = get(PRINT);
    const off = new LivenessChecker(antiSpoof, { ...DEFAULT_LIVENESS_SETTINGS, enabled: false });
    const v = await off.checkFace(image, face);
    assert.deepEqual([v.live, v.reason], [true, 'liveness off']);
    for (const threshold of [-0.1, 1.5, Number.NaN]) {
      assert.throws(() => off.updateSettings({ ...DEFAULT_LIVENESS_SETTINGS, threshold }), /threshold/);
    }
  });

  it('a stricter threshold refuses a live face whose score is under it', async () => {
    const { image, face } = get(LIVE[1]);
    const base = await checker.checkFace(image, face);
    const strict = new LivenessChecker(antiSpoof, { ...DEFAULT_LIVENESS_SETTINGS, threshold: 0.999 });
    const v = await strict.checkFace(image, face);
    assert.ok(base.score < 0.999, `score ${base.score}`);
    assert.equal(v.live, false);
    assert.equal(v.score, base.score);
  });
});
