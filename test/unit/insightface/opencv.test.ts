// OpenCV parity. The golden values below were produced by OpenCV 4.6.0 (Debian's python3-opencv,
// the version InsightFace's reference outputs used) and scikit-image 0.19.3 on the same photos:
//   cv2.resize(cv2.imread(photo), (w, h)); cv2.warpAffine(img, M, (112, 112), borderValue=0.0)
//   SimilarityTransform().estimate(np.float32(kps), np.float32(arcface_dst)).params[0:2]
// and are compared as sha256 of the output bytes: the port must be bit-exact, not close.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { decodeImageFile } from '../../../main/image/decode.js';
import { ARCFACE_DST, estimateNorm } from '../../../main/insightface/face_align.js';
import {
  blobFromImage,
  cvRound,
  invertAffine,
  resizeLinear,
  resizeLinearRows,
  RGB_LAYOUT,
  RGBA_LAYOUT,
  warpAffine,
  type Affine,
  type PackedImage,
} from '../../../main/insightface/opencv.js';
import { similarityTransform32, svd2x2 } from '../../../main/insightface/umeyama.js';
import type { Point } from '../../../main/insightface/types.js';
import { facePath } from '../../helpers/fixtures.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The BGR image's pixels as RGBA (4 bytes, alpha 255) or RGB (3 bytes), the camera's layouts. */
function relayout(bgr: PackedImage, stride: 3 | 4): PackedImage {
  const n = bgr.width * bgr.height;
  const data = new Uint8Array(n * stride).fill(255);
  for (let i = 0; i < n; i++) {
    data[i * stride] = bgr.data[i * 3 + 2]!;
    data[i * stride + 1] = bgr.data[i * 3 + 1]!;
    data[i * stride + 2] = bgr.data[i * 3]!;
  }
  return { data, width: bgr.width, height: bgr.height };
}

const RESIZE: [number, number, string][] = [
  [512, 640, '799de0489409a29ecbd5b925184d9486a8ff883ca12a38c1620783802c7bae44'],
  [101, 77, '7f270d741cb03fb89f420bd1a2b3ad03c626fb008836eb732beae6dfe617f983'],
  [455, 568, 'd3743b22909d013c84daaf21bac28459272b879f5d586ab9576b5628aae62be0'],
  [640, 640, 'cefb5ba6a36f954bb3a503ff64e0409ff927e94bf5a2401e4e7c7ff576c802c2'],
];
// t1.jpg 1280×886 → 640×443 is an exact 2× reduction: OpenCV switches to INTER_AREA.
const RESIZE_T1_HALF = '2a859c3d5cfaebca2c3432492a4dc28124d359b78853b5c6c5b6e3c1c840859f';

const WARP: [Affine, string][] = [
  [
    [
      0.33862865194081654, 0.000346867415628993, -111.4549795795576, -0.000346867415628993,
      0.33862865194081654, -18.916262481317446,
    ],
    '76f5f70ba23d472747352bb0917d0b07fdda99a2599682f822bd4644cfa1c691',
  ],
  [[1.0, 0.0, -400.0, 0.0, 1.0, -150.0], 'fb129dd1595c5e1fa4a4f60c5b8b8b3ddea6806a190874fcfde827bb21de6cd4'],
  [[0.5, -0.2, -150.3, 0.2, 0.5, -120.7], '9cad3edebb288455b2568fad3c2a897b9e935dda6772b7e3210e04bc0f48614b'],
  [[2.0, 0.0, -900.25, 0.0, 2.0, -100.5], '5c7f4ebc6eb931c38c5a45983816d3a4d7ddabb439190eb44b825c62f57db722'],
];

const SIMILARITY: { kps: Point[]; M: Affine }[] = [
  {
    kps: [
      [440.78936767578125, 214.90599060058594],
      [547.9688720703125, 212.96043395996094],
      [495.2249755859375, 277.9429931640625],
      [438.7507019042969, 319.69921875],
      [548.822021484375, 317.97662353515625],
    ],
    M: [
      0.33862913872065786, 0.00034732070029195455, -111.45533463080318, -0.00034732070029195455,
      0.33862913872065786, -18.91619739833186,
    ],
  },
  {
    kps: [
      [100.1, 200.2],
      [160.3, 190.4],
      [140.5, 240.6],
      [110.7, 270.8],
      [170.9, 262.1],
    ],
    M: [
      0.5385415011807219, -0.0783078606288038, 0.7468817729379964, 0.0783078606288038, 0.5385415011807219,
      -64.1714712835109,
    ],
  },
  {
    kps: [
      [300.25, 100.5],
      [250.75, 105.0],
      [280.0, 150.125],
      [310.5, 190.0],
      [255.0, 185.25],
    ],
    M: [
      0.17610011179240403, -0.02732174717917187, 10.835158597183579, 0.02732174717917187, 0.17610011179240403,
      38.52838169182626,
    ],
  },
];

describe('OpenCV operations, bit for bit', () => {
  let obama: PackedImage;
  before(async () => {
    const img = await decodeImageFile(facePath('photos/face_recognition/obama.jpg'));
    obama = { data: img.data as Uint8Array, width: img.width, height: img.height };
  });

  for (const [w, h, hash] of RESIZE) {
    it(`cv2.resize INTER_LINEAR 910×1137 → ${w}×${h}`, () => {
      assert.equal(sha(resizeLinear(obama, w, h)), hash);
    });
  }

  it('cv2.resize: exact 2× reduction takes the INTER_AREA path', async () => {
    const img = await decodeImageFile(facePath('photos/insightface/t1.jpg'));
    assert.equal(
      sha(resizeLinear({ data: img.data as Uint8Array, width: 1280, height: 886 }, 640, 443)),
      RESIZE_T1_HALF,
    );
  });

  it('cv2.resize from a camera frame read in place (RGBA, RGB): the same bytes as from BGR', async () => {
    const t1 = await decodeImageFile(facePath('photos/insightface/t1.jpg'));
    const t1Bgr = { data: t1.data as Uint8Array, width: t1.width, height: t1.height };
    // Every path: linear (goldens above), exact 2× (INTER_AREA), and same size (a plain copy).
    const cases: [PackedImage, number, number, string | null][] = [
      ...RESIZE.map(([w, h, hash]): [PackedImage, number, number, string] => [obama, w, h, hash]),
      [t1Bgr, 640, 443, RESIZE_T1_HALF],
      [obama, obama.width, obama.height, sha(obama.data)],
    ];
    for (const [bgr, w, h, hash] of cases) {
      for (const [layout, image] of [
        [RGBA_LAYOUT, relayout(bgr, 4)],
        [RGB_LAYOUT, relayout(bgr, 3)],
      ] as const) {
        const out = new Uint8Array(w * h * 3);
        resizeLinearRows({ ...image, layout }, w, h, (dy, row) => out.set(row, dy * w * 3));
        assert.equal(sha(out), hash, `${layout.stride}-byte layout, ${bgr.width}×${bgr.height} → ${w}×${h}`);
      }
    }
  });

  WARP.forEach(([M, hash], i) => {
    it(`cv2.warpAffine bilinear, zero border, case ${i}`, () => {
      assert.equal(sha(warpAffine(obama, M, 112, 112)), hash);
    });
  });

  it('cvRound rounds half to even, as lrint', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001].map(cvRound), [0, 2, 2, -0, -2, 2, 3]);
  });

  it('invertAffine inverts', () => {
    const M: Affine = [0.5, -0.2, -150.3, 0.2, 0.5, -120.7];
    const I = invertAffine(M);
    const [x, y] = [123.4, 56.7];
    const u = M[0] * x + M[1] * y + M[2];
    const v = M[3] * x + M[4] * y + M[5];
    assert.ok(
      Math.abs(I[0] * u + I[1] * v + I[2] - x) < 1e-9 && Math.abs(I[3] * u + I[4] * v + I[5] - y) < 1e-9,
    );
  });

  it('blobFromImage: NCHW, BGR → RGB, (v - mean) / std', () => {
    const img: PackedImage = { data: Uint8Array.from([10, 20, 30, 40, 50, 60]), width: 2, height: 1 };
    const blob = blobFromImage(img, 127.5, 128, true);
    const n = (v: number) => (v - 127.5) / 128;
    assert.deepEqual(Array.from(blob), [n(30), n(60), n(20), n(50), n(10), n(40)]);
  });
});

describe('estimate_norm: skimage SimilarityTransform on float32 points, bit for bit', () => {
  SIMILARITY.forEach(({ kps, M }, i) => {
    it(`case ${i}`, () => {
      const got = estimateNorm(kps);
      // Same to the last double bit, or within 1e-13 where numpy's BLAS orders a 2-term sum differently.
      got.forEach((v, k) =>
        assert.ok(Math.abs(v - M[k]!) <= 1e-13 * Math.max(1, Math.abs(M[k]!)), `M[${k}] ${v} vs ${M[k]}`),
      );
    });
  });

  it('maps the template onto itself (identity), and a scaled, shifted template back', () => {
    const M = similarityTransform32(ARCFACE_DST, ARCFACE_DST);
    [1, 0, 0, 0, 1, 0].forEach((v, k) => assert.ok(Math.abs(M[k]! - v) < 1e-5));
    const moved = ARCFACE_DST.map(([x, y]): Point => [x * 2 + 100, y * 2 + 50]);
    const B = estimateNorm(moved);
    [0.5, 0, -50, 0, 0.5, -25].forEach((v, k) => assert.ok(Math.abs(B[k]! - v) < 1e-4, `B[${k}] ${B[k]}`));
  });

  it('svd2x2 factors a 2×2 into orthonormal U, Vt and sorted singular values', () => {
    for (const A of [
      [3, 1, -2, 4],
      [0.5, -0.25, 0.125, 2],
      [1, 2, 2, 4],
      [-3, 0, 0, 1],
    ]) {
      const { U, S, Vt } = svd2x2(A);
      assert.ok(S[0] >= S[1] && S[1] >= 0);
      const r = [
        U[0]! * S[0] * Vt[0]! + U[1]! * S[1] * Vt[2]!,
        U[0]! * S[0] * Vt[1]! + U[1]! * S[1] * Vt[3]!,
        U[2]! * S[0] * Vt[0]! + U[3]! * S[1] * Vt[2]!,
        U[2]! * S[0] * Vt[1]! + U[3]! * S[1] * Vt[3]!,
      ];
      r.forEach((v, k) => assert.ok(Math.abs(v - A[k]!) < 1e-12, `A=${A} got ${r}`));
    }
  });
});
