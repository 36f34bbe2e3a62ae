// The keypoint yaw estimator: its sign agrees with InsightFace's 3d68 pose (matrix2angle), a
// mirrored photo flips it, and head roll does not leak into it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImageBytes } from '../../../main/image/decode.js';
import type { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import { ARCFACE_DST } from '../../../main/insightface/face_align.js';
import { estimatePose } from '../../../main/insightface/transform.js';
import type { Point } from '../../../main/insightface/types.js';
import { largestFace } from '../../../main/liveness/liveness.js';
import { faceYaw, yawFromKeypoints } from '../../../main/liveness/yaw.js';
import { facePath } from '../../helpers/fixtures.js';
import { loadDetector, PRINT, tempPack } from './setup.js';

const pack = tempPack(['det_500m.onnx']);
let fa: FaceAnalysis;
before(async () => {
  fa = await loadDetector(pack.dir);
});
after(async () => {
  await fa.release();
  pack.remove();
});

async function yawOf(relative: string, mirrored: boolean): Promise<number> {
  let s = sharp(facePath(relative)).rotate();
  if (mirrored) s = s.flop();
  const image = await decodeImageBytes(await s.png().toBuffer(), relative);
  const face = largestFace(await fa.detect(image));
  assert.ok(face, `${relative}: face`);
  return yawFromKeypoints(face.kps);
}

describe('yawFromKeypoints', () => {
  it('is about 0 for the frontal ArcFace template', () => {
    assert.ok(Math.abs(yawFromKeypoints(ARCFACE_DST)) < 1, `${yawFromKeypoints(ARCFACE_DST)}`);
  });

  it('flips sign when a turned head is mirrored (real photos)', async () => {
    // Photos where the head is visibly turned; the woman looks towards the image left.
    for (const p of ['photos/inspireface/woman.png', 'photos/inspireface/yifei.jpg', PRINT]) {
      const yaw = await yawOf(p, false);
      const mirrored = await yawOf(p, true);
      assert.ok(Math.abs(yaw) > 10, `${p}: ${yaw}`);
      assert.equal(Math.sign(mirrored), -Math.sign(yaw), `${p}: ${yaw} vs mirrored ${mirrored}`);
      assert.ok(Math.abs(yaw + mirrored) < 6, `${p}: ${yaw} vs mirrored ${mirrored}`);
    }
    // Nose towards the image left = the person turned to their right = positive yaw.
    assert.ok((await yawOf('photos/inspireface/woman.png', false)) > 0);
  });

  it('ignores head roll', () => {
    const kps: Point[] = [
      [40, 50],
      [70, 50],
      [62, 66],
      [45, 80],
      [65, 80],
    ];
    const a = (20 * Math.PI) / 180;
    const rolled = kps.map(([x, y]): Point => [
      x * Math.cos(a) - y * Math.sin(a),
      x * Math.sin(a) + y * Math.cos(a),
    ]);
    assert.ok(Math.abs(yawFromKeypoints(kps) - yawFromKeypoints(rolled)) < 1e-9);
  });

  it('has the sign of InsightFace pose (matrix2angle on a y-up mean shape)', () => {
    // A small y-up, z-towards-camera face; eye centres 60 apart, nose tip 27 in front (0.45).
    const mean = [
      [-30, 0, 0], // person's right eye: image left
      [30, 0, 0],
      [0, -25, 27], // nose tip
      [-25, -55, 0],
      [25, -55, 0],
      [0, -90, -5], // chin
      [-70, 0, -80], // ears
      [70, 0, -80],
    ];
    for (const deg of [-30, -15, 15, 30]) {
      const t = (deg * Math.PI) / 180;
      // Turn about the vertical axis so that +deg moves the nose towards image +x; image y is down.
      const image = mean.map(([x, y, z]) => [
        x! * Math.cos(t) + z! * Math.sin(t),
        -y!,
        -x! * Math.sin(t) + z! * Math.cos(t),
      ]);
      const pose = estimatePose(mean.flat(), image.flat());
      const kps = image.slice(0, 5).map(([u, v]): Point => [u!, v!]);
      const fromKps = yawFromKeypoints(kps);
      assert.ok(Math.abs(pose.yaw + deg) < 1e-6, `pose yaw ${pose.yaw} for a ${deg}° turn`);
      assert.ok(Math.abs(fromKps - pose.yaw) < 1e-6, `keypoints ${fromKps} vs pose ${pose.yaw}`);
    }
  });
});

describe('faceYaw', () => {
  it('prefers the 3d68 pose, and falls back to the keypoints', () => {
    const kps = ARCFACE_DST.map((p): Point => [p[0], p[1]]);
    assert.equal(faceYaw({ kps, pose: { pitch: 0, yaw: -12.5, roll: 0 } }), -12.5);
    assert.equal(faceYaw({ kps }), yawFromKeypoints(kps));
    assert.equal(faceYaw({ kps: [] }), null);
  });
});
