// Bad inputs at every boundary of the engine: each gets an error naming what was wrong.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeImageFile, ImageDecodeError } from '../../../main/image/decode.js';
import { FaceAnalysis, PackLoadError } from '../../../main/insightface/face_analysis.js';
import { ImageError } from '../../../main/insightface/image.js';
import { getModel } from '../../../main/insightface/model_zoo.js';
import {
  FeedError,
  ModelLoadError,
  ModelSession,
  ort,
  resolveProviders,
} from '../../../main/insightface/session.js';
import type { PixelImage } from '../../../main/insightface/types.js';
import { facePath, modelPath } from '../../helpers/fixtures.js';
import { constantOutputModel } from '../../helpers/onnx-builder.js';
import { makeTestPack } from '../../helpers/test-pack.js';

let tmp: string;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tobira-bad-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('bad frames', () => {
  let pack: string;
  let fa: FaceAnalysis;
  before(async () => {
    pack = makeTestPack();
    fa = await FaceAnalysis.load(pack);
  });
  after(async () => {
    await fa.release();
    rmSync(pack, { recursive: true, force: true });
  });

  const table: [string, unknown, RegExp][] = [
    [
      'zero-size image',
      { data: new Uint8Array(0), width: 0, height: 0, format: 'rgba' },
      /image size: expected positive integers, got 0x0/,
    ],
    ['negative width', { data: new Uint8Array(12), width: -1, height: 3, format: 'rgba' }, /image size/],
    ['fractional height', { data: new Uint8Array(12), width: 1, height: 2.5, format: 'rgb' }, /image size/],
    [
      'wrong buffer length',
      { data: new Uint8Array(100), width: 10, height: 10, format: 'rgba' },
      /10x10 rgba needs 400 bytes, got 100/,
    ],
    [
      'rgb buffer sized for rgba',
      { data: new Uint8Array(400), width: 10, height: 10, format: 'rgb' },
      /needs 300 bytes, got 400/,
    ],
    ['unknown format', { data: new Uint8Array(300), width: 10, height: 10, format: 'yuv' }, /image.format/],
    ['data not bytes', { data: [1, 2, 3], width: 1, height: 1, format: 'rgb' }, /image.data/],
    ['not an object', null, /expected an object/],
  ];
  for (const [what, image, message] of table) {
    it(`${what} → ImageError`, async () => {
      await assert.rejects(
        fa.detect(image as PixelImage),
        (err: Error) => err instanceof ImageError && message.test(err.message),
      );
    });
  }

  it('a det size that is not a multiple of 32 is refused', () => {
    assert.throws(
      () => fa.prepare({ detSize: [100, 100] }),
      /det size 100x100 must be positive multiples of 32/,
    );
  });
});

describe('bad model files and packs', () => {
  it('a truncated .onnx is a ModelLoadError naming the file', async () => {
    const file = path.join(tmp, 'det_truncated.onnx');
    writeFileSync(file, readFileSync(modelPath('det_500m.onnx')).subarray(0, 100_000));
    await assert.rejects(
      getModel(file),
      (err: Error) => err instanceof ModelLoadError && err.message.startsWith(file),
    );
  });

  it('a missing .onnx is a ModelLoadError naming the file', async () => {
    const file = path.join(tmp, 'missing.onnx');
    await assert.rejects(
      getModel(file),
      (err: Error) =>
        err instanceof ModelLoadError && /missing\.onnx: cannot read \(ENOENT\)/.test(err.message),
    );
  });

  it('in a pack, a truncated or unknown model is skipped and reported; the rest loads', async () => {
    const dir = makeTestPack();
    try {
      writeFileSync(
        path.join(dir, 'broken.onnx'),
        readFileSync(modelPath('w600k_mbf_int8_dynq.onnx')).subarray(0, 5000),
      );
      writeFileSync(
        path.join(dir, 'odd.onnx'),
        constantOutputModel({ inputDims: [1, 3, 64, 64], values: [1, 2] }),
      );
      const fa = await FaceAnalysis.load(dir);
      assert.deepEqual(
        fa.skipped.map((s) => s.file),
        ['broken.onnx', 'odd.onnx'],
      );
      assert.match(fa.skipped[0]!.reason, /not a loadable ONNX model/);
      assert.match(
        fa.skipped[1]!.reason,
        /input \[1,3,64,64\] with 1 output\(s\) matches no InsightFace model/,
      );
      assert.equal(fa.info.recognizer?.file, 'w600k_mbf_int8_dynq.onnx');
      await fa.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a second model of the same task is skipped as a duplicate; allowedModules filters', async () => {
    const dir = makeTestPack(['det_500m.onnx', 'mobilefacenet_128d.onnx', 'w600k_mbf_int8_dynq.onnx']);
    try {
      const fa = await FaceAnalysis.load(dir);
      assert.equal(
        fa.info.recognizer?.file,
        'mobilefacenet_128d.onnx',
        'first by name wins, as InsightFace globs sorted',
      );
      assert.deepEqual(fa.skipped, [
        { file: 'w600k_mbf_int8_dynq.onnx', reason: 'duplicate recognition model' },
      ]);
      await fa.release();
      const detOnly = await FaceAnalysis.load(dir, { allowedModules: ['detection'] });
      assert.equal(detOnly.info.recognizer, undefined);
      assert.equal(detOnly.skipped.length, 2);
      await detOnly.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a pack with no detector is a PackLoadError', async () => {
    const dir = makeTestPack(['w600k_mbf_int8_dynq.onnx']);
    try {
      await assert.rejects(
        FaceAnalysis.load(dir),
        (err: Error) =>
          err instanceof PackLoadError && /no face detector \(SCRFD\) among 1 \.onnx/.test(err.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing pack folder is a PackLoadError naming it', async () => {
    const dir = path.join(tmp, 'no-such-pack');
    await assert.rejects(
      FaceAnalysis.load(dir),
      (err: Error) => err instanceof PackLoadError && err.message.includes(dir),
    );
  });

  it('feeds are checked before run: the error names the model, the input and both shapes', async () => {
    const file = modelPath('w600k_mbf_int8_dynq.onnx');
    const s = await ModelSession.create(file, readFileSync(file));
    try {
      const wrong = new ort.Tensor('float32', new Float32Array(3 * 64 * 64), [1, 3, 64, 64]);
      await assert.rejects(
        s.run({ 'input.1': wrong }),
        (err: Error) =>
          err instanceof FeedError &&
          err.message === `${file}: input 'input.1' expects [?,3,112,112] but got float32 [1,3,64,64]`,
      );
      await assert.rejects(
        s.run({ data: wrong }),
        (err: Error) => err instanceof FeedError && /missing input 'input\.1'/.test(err.message),
      );
    } finally {
      await s.release();
    }
  });
});

describe('bad image files', () => {
  const cases: [string, () => string, RegExp][] = [
    ['missing file', () => path.join(tmp, 'nope.jpg'), /nope\.jpg: cannot read \(ENOENT\)/],
    [
      'text file',
      () => {
        const f = path.join(tmp, 'notes.jpg');
        writeFileSync(f, 'not an image');
        return f;
      },
      /notes\.jpg: not a decodable image/,
    ],
    [
      'truncated JPEG',
      () => {
        const f = path.join(tmp, 'half.jpg');
        writeFileSync(f, readFileSync(facePath('photos/face_recognition/obama.jpg')).subarray(0, 2000));
        return f;
      },
      /half\.jpg: not a decodable image/,
    ],
    ['a directory', () => tmp, /cannot read \(EISDIR\)/],
  ];
  for (const [what, make, message] of cases) {
    it(`${what} → ImageDecodeError naming the file`, async () => {
      const file = make();
      await assert.rejects(
        decodeImageFile(file),
        (err: Error) => err instanceof ImageDecodeError && err.file === file && message.test(err.message),
      );
    });
  }

  it('an unsupported format (GIF) is refused by name', async () => {
    const f = path.join(tmp, 'tiny.gif');
    copyFileSync(facePath('photos/inspireface/kun.jpg'), f);
    const sharp = (await import('sharp')).default;
    writeFileSync(f, await sharp(facePath('photos/inspireface/kun.jpg')).gif().toBuffer());
    await assert.rejects(decodeImageFile(f), /tiny\.gif: unsupported image format 'gif'/);
  });
});

describe('execution providers', () => {
  it('an accelerator that cannot start falls back to CPU, and the provider applied is reported', async () => {
    assert.deepEqual(resolveProviders(undefined), ['cpu']);
    assert.equal(resolveProviders(['auto']).at(-1), 'cpu');
    const pack = makeTestPack();
    try {
      // No CUDA libraries on the test machines: the sessions must come up on CPU all the same.
      const fa = await FaceAnalysis.load(pack, { providers: ['auto'], intraOpNumThreads: 1 });
      assert.equal(fa.info.provider, 'cpu');
      fa.prepare({ detSize: 'auto' });
      await fa.warmUp();
      assert.equal((await fa.detect(await decodeImageFile(facePath('photos/insightface/t1.jpg')))).length, 6);
      assert.deepEqual(fa.info.detector.detSizes, [
        [128, 128],
        [640, 640],
      ]);
      await fa.release();
    } finally {
      rmSync(pack, { recursive: true, force: true });
    }
  });
});
