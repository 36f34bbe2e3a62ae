import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeImageFile } from '../../../main/image/decode.js';
import type { Face, PixelImage } from '../../../main/insightface/types.js';
import { CaptureSession } from '../../../main/recognition/capture-session.js';
import { DEFAULT_QUALITY } from '../../../main/recognition/quality.js';
import { judgeFrame } from '../../../main/recognition/judge-frame.js';
import { DEFAULT_SECOND_FACE_RATIO } from '../../../main/recognition/subject.js';
import { facePath } from '../../helpers/fixtures.js';
import { referenceFaces } from '../../helpers/reference-faces.js';

// Real photos of one person at different head turns stand in for camera frames
// (yaw from their keypoints: obama.jpg ≈ 0°, obama2 ≈ −20°, obama3 ≈ +12°, knn obama1 ≈ +23°).
const frames = new Map<string, { faces: Face[]; image: PixelImage }>();
const P = {
  front: 'photos/face_recognition/obama.jpg',
  left: 'photos/face_recognition/obama2.jpg',
  leftCopy: 'photos/face_recognition/32bit.png',
  right: 'photos/face_recognition/obama3.jpg',
  right2: 'photos/face_recognition/knn_examples/test/obama1.jpg',
  other: 'photos/face_recognition/obama_partial_face2.jpg',
  biden: 'photos/face_recognition/biden.jpg',
  two: 'photos/face_recognition/ex_two_people.jpg',
  rose: 'photos/face_recognition/knn_examples/train/rose_leslie/img1.jpg',
};

describe('guided capture', () => {
  before(async () => {
    for (const file of Object.values(P)) {
      frames.set(file, { faces: referenceFaces(file), image: await decodeImageFile(facePath(file)) });
    }
  });
  /** A frame judged once, as the enroll flow judges it (judge-frame.ts), then offered. */
  const judged = ({ faces, image }: { faces: Face[]; image: PixelImage }) =>
    judgeFrame(faces, image, image, { quality: DEFAULT_QUALITY, secondFaceRatio: DEFAULT_SECOND_FACE_RATIO });
  const offer = (s: CaptureSession, file: string) => s.offer(judged(frames.get(file)!));

  it('collects five varied samples of one person, with hints for each step', () => {
    const s = new CaptureSession({ quality: DEFAULT_QUALITY, threshold: 0.28 });
    assert.deepEqual(
      [offer(s, P.left).accepted, offer(s, P.left).hint],
      [false, 'look_straight'],
      'a turned face is refused while the front view is wanted',
    );
    const front = offer(s, P.front);
    assert.deepEqual([front.accepted, front.hint, front.step], [true, 'turn_left', 'left']);
    assert.equal(offer(s, P.right).hint, 'turn_left');
    assert.equal(offer(s, P.left).accepted, true);
    assert.equal(offer(s, P.leftCopy).hint, 'turn_right');
    assert.equal(offer(s, P.right).accepted, true);
    assert.equal(offer(s, P.leftCopy).hint, 'near_duplicate', 'the same photo re-encoded adds nothing');
    assert.equal(offer(s, P.biden).hint, 'different_person');
    assert.equal(offer(s, P.two).hint, 'one_person');
    assert.equal(offer(s, P.right2).accepted, true);
    const last = offer(s, P.other);
    assert.deepEqual([last.accepted, last.done, last.collected, last.step], [true, true, 5, null]);
    assert.deepEqual(
      s.samples.map((x) => x.step),
      ['front', 'left', 'right', 'any', 'any'],
    );
  });

  it('checks new samples against the person’s existing templates', () => {
    const existing = [referenceFaces(P.front)[0]!.normedEmbedding!];
    const s = new CaptureSession({ quality: DEFAULT_QUALITY, threshold: 0.28, existing });
    assert.equal(offer(s, P.front).hint, 'near_duplicate');
    const other = new CaptureSession({ quality: DEFAULT_QUALITY, threshold: 0.28, existing });
    const rose = frames.get(P.rose)!;
    assert.equal(other.offer(judged(rose)).hint, 'different_person', 'a frontal photo of someone else');
  });
});
