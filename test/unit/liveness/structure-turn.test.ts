// Layer 2 on real head turns (../shared/faces/pad): a mild turn of a real head is too small to
// tell from a picture, and is asked to turn further instead of being called flat; a full turn
// shows the depth. PARALLAX_PER_TURN (structure.ts) comes from these clips and three more.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point } from '../../../main/insightface/types.js';
import { cutFrames, type Cut } from '../../../main/liveness/footage.js';
import { judgeStructure } from '../../../main/liveness/structure.js';
import { faceThatCounts } from '../../../main/recognition/subject.js';
import { facePath } from '../../helpers/fixtures.js';
import { suiteAnalysis } from '../../helpers/test-pack.js';

describe('layer 2 on real head turns', () => {
  const analysis = suiteAnalysis();
  const keypoints = async (clip: string, cut: Cut): Promise<Point[][]> => {
    const out: Point[][] = [];
    for (const frame of (await cutFrames(facePath(clip), cut)).frames) {
      const face = faceThatCounts(await analysis().detect(frame), frame);
      if (face) out.push(face.kps);
    }
    return out;
  };

  it('a mild real turn (1zlab, about 15°, 6.5–7.5 s) is asked to turn further, not called flat', async () => {
    const kps = await keypoints('pad/public/1zlab_face.mp4', { from: 6.5, seconds: 2, fps: 10 });
    assert.ok(kps.length >= 15, `${kps.length} frames with a face`);
    const s = judgeStructure(kps);
    assert.deepEqual([s.live, s.reason], [false, 'turn_further'], JSON.stringify(s));
    assert.ok(s.turn! < s.neededTurn, `turn ${s.turn} of ${s.neededTurn}`);
  });

  it('a full real turn (apfol_real2, first 2 s) shows the depth', async () => {
    const s = judgeStructure(
      await keypoints('pad/videos/apfol_real2.webm', { from: 0, seconds: 2, fps: 10 }),
    );
    assert.equal(s.live, true, JSON.stringify(s));
    assert.ok(s.turn! >= s.neededTurn, `turn ${s.turn} of ${s.neededTurn}`);
  });
});
