import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImageFile } from '../../../main/image/decode.js';
import type { Face, PixelImage, Point } from '../../../main/insightface/types.js';
import { cropStats } from '../../../main/recognition/image-stats.js';
import { poseFromKeypoints } from '../../../main/recognition/pose.js';
import { DEFAULT_QUALITY, checkQuality } from '../../../main/recognition/quality.js';
import { faceThatCounts, largestFace, selectSubject } from '../../../main/recognition/subject.js';
import { toViews } from '../../../main/kiosk/face-view.js';
import { facePath } from '../../helpers/fixtures.js';
import { readLabels, referenceFaces } from '../../helpers/reference-faces.js';

/** A 3-D face (mm, x right, y down, z towards the camera) turned by yaw/pitch, projected orthographically. */
function projectedKeypoints(yawDeg: number, pitchDeg: number, rollDeg = 0): Point[] {
  const face: [number, number, number][] = [
    [-31.5, 0, 0], // eyes 63 mm apart
    [31.5, 0, 0],
    [0, 34, 34.65], // nose tip half-way to the mouth line, 0.55 × eye distance in front
    [-25, 68, 0],
    [25, 68, 0],
  ];
  const [y, p, r] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 180) as [number, number, number];
  return face.map(([x0, y0, z0]) => {
    // yaw about the vertical axis, then pitch about the horizontal one (looking down moves the nose down)
    const x1 = x0 * Math.cos(y) + z0 * Math.sin(y);
    const z1 = -x0 * Math.sin(y) + z0 * Math.cos(y);
    const y2 = y0 * Math.cos(p) + z1 * Math.sin(p);
    const xr = x1 * Math.cos(r) - y2 * Math.sin(r);
    const yr = x1 * Math.sin(r) + y2 * Math.cos(r);
    return [300 + 2 * xr, 200 + 2 * yr];
  });
}

function face(bbox: [number, number, number, number], overrides: Partial<Face> = {}): Face {
  const [x1, y1, x2, y2] = bbox;
  const w = x2 - x1;
  const h = y2 - y1;
  const kps: Point[] = [
    [x1 + 0.3 * w, y1 + 0.4 * h],
    [x1 + 0.7 * w, y1 + 0.4 * h],
    [x1 + 0.5 * w, y1 + 0.58 * h],
    [x1 + 0.35 * w, y1 + 0.78 * h],
    [x1 + 0.65 * w, y1 + 0.78 * h],
  ];
  return { bbox, kps, detScore: 0.9, ...overrides };
}

describe('pose from 5 keypoints', () => {
  for (const [yaw, pitch, roll] of [
    [0, 0, 0],
    [20, 0, 0],
    [-35, 0, 0],
    [0, 15, 0],
    [0, -20, 0],
    [25, 10, 20],
  ] as const) {
    it(`recovers yaw ${yaw}, pitch ${pitch}, roll ${roll} from a projected face model`, () => {
      const pose = poseFromKeypoints(projectedKeypoints(yaw, pitch, roll));
      assert.ok(pose);
      // Turning and nodding together tilts the eye line, which the 5-point model reads as roll: looser there.
      const tolerance = yaw !== 0 && pitch !== 0 ? 7 : 4;
      assert.ok(Math.abs(pose.yaw - yaw) < tolerance, `yaw ${pose.yaw}`);
      assert.ok(Math.abs(pose.pitch - pitch) < tolerance, `pitch ${pose.pitch}`);
      assert.ok(Math.abs(pose.roll - roll) < (tolerance === 4 ? 1 : tolerance), `roll ${pose.roll}`);
    });
  }

  it('prefers the landmark model’s pose when the face has one', () => {
    const f = face([0, 0, 200, 200], { pose: { yaw: 50, pitch: 0, roll: 0 } });
    const report = checkQuality(f, null, DEFAULT_QUALITY);
    assert.equal(report.gates.find((g) => g.name === 'pose')?.passed, false);
  });
});

describe('crop statistics', () => {
  it('measures brightness in the same grey for RGB, BGR and RGBA', () => {
    const w = 64;
    const make = (format: PixelImage['format'], px: number[]): PixelImage => ({
      data: Uint8Array.from({ length: w * w * px.length }, (_, i) => px[i % px.length]!),
      width: w,
      height: w,
      format,
    });
    const rgb = cropStats(make('rgb', [200, 100, 50]), [0, 0, w, w])!;
    const bgr = cropStats(make('bgr', [50, 100, 200]), [0, 0, w, w])!;
    const rgba = cropStats(make('rgba', [200, 100, 50, 255]), [0, 0, w, w])!;
    const expected = 0.299 * 200 + 0.587 * 100 + 0.114 * 50;
    for (const s of [rgb, bgr, rgba]) {
      assert.ok(Math.abs(s.meanGrey - expected) < 1e-3);
      assert.ok(s.laplacianVariance < 1e-6, 'a flat image has no edges');
    }
  });

  it('rejects a buffer of the wrong length, naming the shape', () => {
    assert.throws(
      () => cropStats({ data: new Uint8Array(10), width: 4, height: 4, format: 'rgb' }, [0, 0, 4, 4]),
      /rgb 4x4 needs 48 bytes, got 10/,
    );
  });
});

describe('quality gates on real photos', () => {
  const photos = readLabels().filter((l) => l.kind === 'single' && referenceFaces(l.file).length === 1);

  it('sharp, well-lit photos pass blur and brightness; blurred copies fail blur with hold_still', async () => {
    let checked = 0;
    for (const { file } of photos.slice(0, 12)) {
      const [f] = referenceFaces(file);
      const image = await decodeImageFile(facePath(file));
      const sharpReport = checkQuality(f!, image, DEFAULT_QUALITY);
      if (sharpReport.gates.find((g) => g.name === 'face_size')!.passed === false) continue;
      for (const name of ['blur', 'brightness'] as const) {
        assert.equal(sharpReport.gates.find((g) => g.name === name)?.passed, true, `${file} ${name}`);
      }
      const sigma = (f!.bbox[2] - f!.bbox[0]) / 40;
      const { data, info } = await sharp(facePath(file))
        .removeAlpha()
        .blur(sigma)
        .raw()
        .toBuffer({ resolveWithObject: true });
      const blurred = checkQuality(
        f!,
        { data, width: info.width, height: info.height, format: 'rgb' },
        DEFAULT_QUALITY,
      );
      const blurGate = blurred.gates.find((g) => g.name === 'blur')!;
      assert.equal(blurGate.passed, false, `${file}: blurred sharpness ${blurGate.value}`);
      assert.ok(blurred.guidance === 'hold_still' || blurred.guidance === 'look_at_camera');
      checked++;
    }
    assert.ok(checked >= 8, `checked ${checked} photos`);
  });

  it('a darkened or overexposed photo fails brightness with the right advice', async () => {
    const file = 'photos/face_recognition/obama.jpg';
    const [f] = referenceFaces(file);
    for (const [linear, guidance] of [
      [0.2, 'too_dark'],
      [3, 'too_bright'],
    ] as const) {
      const { data, info } = await sharp(facePath(file))
        .linear(linear, 0)
        .raw()
        .toBuffer({ resolveWithObject: true });
      const report = checkQuality(
        f!,
        { data, width: info.width, height: info.height, format: 'rgb' },
        DEFAULT_QUALITY,
      );
      assert.equal(report.gates.find((g) => g.name === 'brightness')?.passed, false);
      assert.equal(report.gates.find((g) => g.name === 'brightness')?.guidance, guidance);
    }
  });

  it('small faces and weak detections fail with come_closer and look_at_camera', () => {
    const small = checkQuality(face([0, 0, 60, 70]), null, DEFAULT_QUALITY);
    assert.equal(small.guidance, 'come_closer');
    assert.equal(small.gates.find((g) => g.name === 'face_size')?.value, 60);
    const weak = checkQuality(face([0, 0, 200, 220], { detScore: 0.52 }), null, DEFAULT_QUALITY);
    assert.equal(weak.guidance, 'look_at_camera');
    const turned = checkQuality(
      face([0, 0, 200, 220], { kps: projectedKeypoints(50, 0) }),
      null,
      DEFAULT_QUALITY,
    );
    assert.equal(turned.gates.find((g) => g.name === 'pose')?.passed, false);
    assert.equal(turned.guidance, 'look_at_camera');
  });

  it('without pixels, blur and brightness fail closed', () => {
    const report = checkQuality(face([0, 0, 200, 220]), null, DEFAULT_QUALITY);
    assert.equal(report.passed, false);
    assert.equal(report.gates.find((g) => g.name === 'blur')?.value, null);
  });
});

describe('subject selection', () => {
  const frame = { width: 640, height: 480 };
  const options = { secondFaceRatio: 0.6 };

  it('picks the large central face over a small corner one, and ignores far-away faces', () => {
    const big = face([220, 120, 420, 360]);
    const far = face([10, 10, 50, 55]);
    const s = selectSubject([far, big], frame, options);
    assert.equal(s.index, 1);
    assert.deepEqual(s.competing, []);
  });

  it('flags a second face nearly as large as the subject’s: someone at their shoulder', () => {
    const big = face([220, 120, 420, 360]); // side 200
    const near = face([440, 100, 570, 240]); // side 130 ≥ 0.6 × 200
    const s = selectSubject([near, big], frame, options);
    assert.equal(s.subject, big);
    assert.equal(s.competing.length, 1);
  });

  it('lets a faint face far behind through, however many pixels it has (issue 10)', () => {
    // A close subject (side 300) and a face a fifth of its size (side 64, which the old
    // absolute rule refused as "one person at a time").
    const close = face([170, 80, 470, 420]);
    const behind = face([520, 40, 584, 110]);
    const s = selectSubject([behind, close], frame, options);
    assert.equal(s.subject, close);
    assert.deepEqual(s.competing, []);
    // The same face next to a subject of about its own size is a second person.
    assert.equal(selectSubject([behind, face([300, 200, 380, 290])], frame, options).competing.length, 1);
  });

  it('the face that counts is the same for the kiosk, Compare and the CLI', () => {
    const faces = referenceFaces('photos/face_recognition/knn_examples/test/obama_and_biden.jpg');
    const size = { width: 2000, height: 1428 };
    assert.equal(faceThatCounts(faces, size), selectSubject(faces, size, options).subject);
    assert.equal(faceThatCounts([], size), null);
  });

  it('main marks the face that counts in the faces it sends, so the renderer never picks one', () => {
    const faces = referenceFaces('photos/face_recognition/knn_examples/test/obama_and_biden.jpg');
    const { index } = selectSubject(faces, { width: 2000, height: 1428 }, options);
    assert.ok(faces.length === 3 && index >= 0, `${faces.length} faces, subject ${index}`);
    const marked = toViews(faces, index).map((v) => v.counts === true);
    assert.deepEqual(
      marked,
      faces.map((_, i) => i === index),
    );
    // No subject (an enrollment not running): no face counts.
    assert.deepEqual(
      toViews(faces, -1).filter((v) => v.counts),
      [],
    );
  });

  it('largestFace: the largest box of a still photo, whatever its place', () => {
    const corner = face([0, 0, 210, 230]); // 48 300 px², in the corner
    const centre = face([220, 120, 420, 360]); // 48 000 px², in the centre
    const small = face([300, 300, 340, 344]);
    assert.equal(largestFace([small, centre, corner]), corner);
    assert.equal(largestFace([centre, small]), centre);
    assert.equal(largestFace([]), null);
    // At the door the central face counts instead: faceThatCounts weighs the distance from the centre.
    assert.equal(faceThatCounts([small, centre, corner], { width: 640, height: 480 }), centre);
  });

  it('both faces of a real two-person photo compete', () => {
    const faces = referenceFaces('photos/face_recognition/knn_examples/test/obama_and_biden.jpg');
    assert.equal(faces.length, 3, 'Obama, Biden, and a third face InsightFace finds in the crowd');
    const s = selectSubject(faces, { width: 2000, height: 1428 }, options);
    assert.ok(s.competing.length >= 1);
  });
});
