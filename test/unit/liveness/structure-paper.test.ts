// Layer 2 against printed photos moved like paper: every live photo of ../shared/faces (the
// single-face photos, the live images of liveness/ and pad/) is rendered as a sheet turned
// ±25° about both axes with perspective, and bent gently (test/helpers/paper-motion.ts).
// Layer 2 must refuse every one of these sequences. The worst parallax is printed: it is the
// figure DEFAULT_MIN_PARALLAX is derived from.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeImageFile } from '../../../main/image/decode.js';
import type { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { Point } from '../../../main/insightface/types.js';
import { largestFace } from '../../../main/liveness/liveness.js';
import { DEFAULT_MIN_PARALLAX, judgeStructure } from '../../../main/liveness/structure.js';
import { facePath } from '../../helpers/fixtures.js';
import { PAPER_SEQUENCE, renderPaper } from '../../../main/liveness/paper-motion.js';
import { loadDetector, tempPack, thresholdPhotos } from './setup.js';

const pack = tempPack(['det_500m.onnx']);
let fa: FaceAnalysis;
before(async () => {
  fa = await loadDetector(pack.dir);
});
after(async () => {
  await fa.release();
  pack.remove();
});

describe('layer 2 on printed photos moved like paper', () => {
  it('refuses every sequence, with zero false passes over all live photos', async () => {
    const photos = thresholdPhotos();
    assert.ok(photos.length >= 60, `only ${photos.length} live photos found`);
    let worst = { parallax: 0, photo: '' };
    const passed: string[] = [];
    let judged = 0;
    for (const photo of photos) {
      const image = await decodeImageFile(facePath(photo));
      const sequence: Point[][] = [];
      for (const pose of PAPER_SEQUENCE) {
        const face = largestFace(await fa.detect(renderPaper(image, pose)));
        if (face) sequence.push(face.kps);
      }
      // A photo whose face the detector loses in most poses says nothing about layer 2.
      if (sequence.length < PAPER_SEQUENCE.length - 2) continue;
      judged++;
      const v = judgeStructure(sequence);
      if (v.live) passed.push(`${photo} (${v.parallax.toFixed(3)})`);
      if (v.parallax > worst.parallax) worst = { parallax: v.parallax, photo };
      assert.notEqual(v.reason, undefined);
    }
    console.log(
      `paper motion: ${judged} of ${photos.length} photos judged, worst parallax ${worst.parallax.toFixed(3)} (${worst.photo}); threshold ${DEFAULT_MIN_PARALLAX}`,
    );
    assert.ok(
      judged >= photos.length - 3,
      `only ${judged} of ${photos.length} photos had a face in most poses`,
    );
    assert.deepEqual(passed, [], 'flat pictures judged 3-D');
    // The margin the threshold claims: the flattest picture's worst case × 1.5 stays under it.
    assert.ok(worst.parallax * 1.5 <= DEFAULT_MIN_PARALLAX, `worst flat parallax ${worst.parallax}`);
  });
});
