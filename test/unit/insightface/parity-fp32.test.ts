// Pipeline parity through the float recognizer (w600k_mbf_deq_fp32, the int8 model's weights
// dequantized): InsightFace 1.0.1's Python FaceAnalysis against this port on every photo of
// ../shared/faces, at det size 640 and 'auto'. Without the int8 model's on-the-fly activation
// quantization, a faithful port of the resize, letterbox, warp and normalisation agrees to
// cosine 0.9999 or better on every face (../shared/faces/README.md), so this is the check that
// catches a preprocessing change that is not bit-exact.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { decodeImageFile } from '../../../main/image/decode.js';
import { computeSim, FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { Face, PixelImage } from '../../../main/insightface/types.js';
import { facePath } from '../../helpers/fixtures.js';
import { makeTestPack } from '../../helpers/test-pack.js';

interface RefFace {
  bbox: number[];
  kps: number[][];
  det_score: number;
  embedding: number[];
}

// 0.9999: the agreement ../shared/faces/README.md gives for an exact port through this graph.
const MIN_COSINE = 0.9999;
// 0.01 px: where ../shared/faces/README.md says a faithful port puts boxes and keypoints.
const PX = 0.01;

for (const mode of ['640', 'auto'] as const) {
  describe(`fp32 parity with insightface_reference_fp32_${mode}.json`, () => {
    const ref = JSON.parse(readFileSync(facePath(`insightface_reference_fp32_${mode}.json`), 'utf8')) as {
      pack: string[];
      images: Record<string, RefFace[] | null>;
    };
    let pack: string;
    let fa: FaceAnalysis;
    // The BGR read of each photo is analysed once, by whichever test asks first: every test runs alone too.
    const analysed = new Map<string, Promise<Face[]>>();
    const analyseBgr = (rel: string, bgr?: PixelImage): Promise<Face[]> => {
      if (!analysed.has(rel))
        analysed.set(
          rel,
          (bgr ? Promise.resolve(bgr) : decodeImageFile(facePath(rel))).then((img) => fa.get(img)),
        );
      return analysed.get(rel)!;
    };
    before(async () => {
      assert.deepEqual(ref.pack, ['det_500m.onnx', 'w600k_mbf_deq_fp32.onnx']);
      pack = makeTestPack(ref.pack);
      fa = await FaceAnalysis.load(pack);
      fa.prepare({ detThresh: 0.5, detSize: mode === 'auto' ? 'auto' : [640, 640] });
    });
    after(async () => {
      await fa.release();
      rmSync(pack, { recursive: true, force: true });
    });

    for (const [rel, faces] of Object.entries(ref.images)) {
      it(rel, async () => {
        assert.ok(faces, 'the reference read every photo');
        // As the camera sends frames (RGBA) and as files decode (BGR): the same faces either way.
        const bgr = await decodeImageFile(facePath(rel));
        for (const image of [bgr, asRgba(bgr)]) {
          const got = image === bgr ? await analyseBgr(rel, bgr) : await fa.get(image);
          assert.equal(got.length, faces.length, `${image.format}: face count`);
          faces.forEach((f, i) => {
            const g = got[i]!;
            f.bbox.forEach((v, k) =>
              assert.ok(
                Math.abs(v - g.bbox[k]!) <= PX,
                `${image.format} face ${i} bbox ${g.bbox} vs ${f.bbox}`,
              ),
            );
            f.kps.forEach((p, k) =>
              assert.ok(
                Math.abs(p[0]! - g.kps[k]![0]) <= PX && Math.abs(p[1]! - g.kps[k]![1]) <= PX,
                `${image.format} face ${i} keypoint ${k} ${g.kps[k]} vs ${p}`,
              ),
            );
            assert.ok(Math.abs(f.det_score - g.detScore) < 1e-4, `${image.format} face ${i} det_score`);
            const cos = computeSim(Float32Array.from(f.embedding), g.normedEmbedding!);
            assert.ok(cos >= MIN_COSINE, `${image.format} face ${i} embedding cosine ${cos}`);
          });
        }
      });
    }

    it('compared every face of the reference', async (t) => {
      const total = Object.values(ref.images).reduce((a, f) => a + (f?.length ?? 0), 0);
      assert.ok(total > 70, `${total} faces in the reference`);
      const cosines: number[] = [];
      for (const [rel, faces] of Object.entries(ref.images)) {
        const got = await analyseBgr(rel);
        assert.equal(got.length, faces?.length ?? 0, `${rel}: face count`);
        (faces ?? []).forEach((f, i) =>
          cosines.push(computeSim(Float32Array.from(f.embedding), got[i]!.normedEmbedding!)),
        );
      }
      assert.equal(cosines.length, total);
      t.diagnostic(`lowest cosine ${Math.min(...cosines).toFixed(7)} over ${total} faces`);
    });
  });
}

/** The same pixels as RGBA, the layout camera frames arrive in. */
function asRgba(bgr: { data: Uint8Array | Uint8ClampedArray; width: number; height: number }) {
  const n = bgr.width * bgr.height;
  const data = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    data[i * 4] = bgr.data[i * 3 + 2]!;
    data[i * 4 + 1] = bgr.data[i * 3 + 1]!;
    data[i * 4 + 2] = bgr.data[i * 3]!;
    data[i * 4 + 3] = 255;
  }
  return { data, width: bgr.width, height: bgr.height, format: 'rgba' as const };
}
