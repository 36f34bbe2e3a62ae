// Layer 2 on real head turns (../shared/faces/pad): on the detector's keypoints alone a mild
// turn of a real head is too small to tell from a picture, and is asked to turn further
// instead of being called flat; the corners tracked over the face (flow-structure.ts) show its
// depth. A full turn shows it either way. PARALLAX_PER_TURN (structure.ts) comes from these
// clips and three more; the flow's threshold does not (structure-flow.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Point } from '../../../main/insightface/types.js';
import { cutFrames, type Cut } from '../../../main/liveness/footage.js';
import { attemptMs } from '../../../main/liveness/attempts.js';
import { FaceFlow } from '../../../main/liveness/flow-structure.js';
import { FLOW_MIN_PARALLAX, judgeStructure } from '../../../main/liveness/structure.js';
import { faceThatCounts } from '../../../main/recognition/subject.js';
import { facePath } from '../../helpers/fixtures.js';
import { suiteAnalysis } from '../../helpers/test-pack.js';

describe('layer 2 on real head turns', () => {
  const analysis = suiteAnalysis();
  const keypoints = async (clip: string, cut: Cut): Promise<Point[][]> => (await tracked(clip, cut)).kps;
  const tracked = async (clip: string, cut: Cut): Promise<{ kps: Point[][]; flow: FaceFlow }> => {
    const kps: Point[][] = [];
    const flow = new FaceFlow();
    for (const frame of (await cutFrames(facePath(clip), cut)).frames) {
      const face = faceThatCounts(await analysis().detect(frame), frame);
      flow.add(frame, face);
      if (face) kps.push(face.kps);
    }
    return { kps, flow };
  };

  it('a mild real turn (1zlab, about 15°, 6.5–8.5 s): on the keypoints alone, asked to turn further', async () => {
    const kps = await keypoints('pad/public/1zlab_face.mp4', { from: 6.5, seconds: 2, fps: 10 });
    assert.ok(kps.length >= 15, `${kps.length} frames with a face`);
    const s = judgeStructure(kps);
    assert.deepEqual([s.live, s.reason], [false, 'turn_further'], JSON.stringify(s));
    assert.ok(s.turn! < s.neededTurn, `turn ${s.turn} of ${s.neededTurn}`);
  });

  it('a mild real turn (1zlab, one attempt of the door at high from the start): the tracked corners show the depth', async () => {
    // As long as the door lets one attempt at level high last (attempts.ts): 11 s.
    const seconds = attemptMs('high') / 1000;
    const { kps, flow } = await tracked('pad/public/1zlab_face.mp4', { from: 0, seconds, fps: 10 });
    const s = judgeStructure(kps, undefined, flow.frames);
    console.log(
      `1zlab 0–${seconds} s: keypoint parallax ${s.parallax.toFixed(3)}, flow parallax ${s.flowParallax?.toFixed(4)}`,
    );
    assert.equal(s.live, true, JSON.stringify(s));
    // The keypoints alone do not show it: the tracked corners do.
    assert.equal(judgeStructure(kps).live, false);
    assert.ok(s.flowParallax! >= FLOW_MIN_PARALLAX, JSON.stringify(s));
  });

  it('a full real turn (apfol_real2, first 2 s) shows the depth', async () => {
    const s = judgeStructure(
      await keypoints('pad/videos/apfol_real2.webm', { from: 0, seconds: 2, fps: 10 }),
    );
    assert.equal(s.live, true, JSON.stringify(s));
    assert.ok(s.turn! >= s.neededTurn, `turn ${s.turn} of ${s.neededTurn}`);
  });
});
