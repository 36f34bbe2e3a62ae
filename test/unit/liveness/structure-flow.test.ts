// Layer 2's tracked corners (flow-structure.ts) on the data FLOW_MIN_PARALLAX comes from:
// every live photo of ../shared/faces printed and moved like paper, in continuous motion as a
// hand moves a print (5° a frame, with camera noise), must stay under it with the margin
// structure.ts claims; the real head turn of pad/videos must reach it. Both figures are
// printed. The public clips are not used here: they test the threshold (clips-evaluate.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeImageFile } from '../../../main/image/decode.js';
import type { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { PixelImage, Point } from '../../../main/insightface/types.js';
import { cutFrames } from '../../../main/liveness/footage.js';
import { FaceFlow, flowParallax } from '../../../main/liveness/flow-structure.js';
import { renderPaper, type PaperPose } from '../../../main/liveness/paper-motion.js';
import { FLOW_MIN_PARALLAX, judgeStructure } from '../../../main/liveness/structure.js';
import { faceThatCounts } from '../../../main/recognition/subject.js';
import { facePath } from '../../helpers/fixtures.js';
import { loadDetector, tempPack, thresholdPhotos } from './setup.js';

/** ±25° about the vertical axis, then the horizontal one, then bent by 30° and turned: 5° a frame. */
const PAPER_SWEEP: readonly PaperPose[] = [
  ...[0, 5, 10, 15, 20, 25, 20, 15, 10, 5, 0, -5, -10, -15, -20, -25, -20, -15, -10, -5, 0].map((y) => ({
    yawDeg: y,
    pitchDeg: 0,
  })),
  ...[5, 10, 15, 20, 25, 20, 10, 0, -10, -20, -25, -15, -5, 0].map((p) => ({ yawDeg: 0, pitchDeg: p })),
  ...[0, 5, 10, 15, 20, 25, 15, 5, -5, -15, -25].map((y) => ({ yawDeg: y, pitchDeg: 0, bendDeg: 30 })),
];

const pack = tempPack(['det_500m.onnx']);
let fa: FaceAnalysis;
before(async () => {
  fa = await loadDetector(pack.dir);
});
after(async () => {
  await fa.release();
  pack.remove();
});

/** The keypoints and tracked corners of the face that counts, frame by frame. */
async function follow(frames: Iterable<PixelImage>): Promise<{ kps: Point[][]; flow: FaceFlow }> {
  const flow = new FaceFlow();
  const kps: Point[][] = [];
  for (const frame of frames) {
    const face = faceThatCounts(await fa.detect(frame), frame);
    flow.add(frame, face);
    if (face) kps.push(face.kps);
  }
  return { kps, flow };
}

/** `image` in `pose`, with a camera's noise (±2 levels, a fixed pseudo-random sequence). */
function* printed(image: PixelImage, poses: readonly PaperPose[]): Generator<PixelImage> {
  let seed = 1;
  for (const pose of poses) {
    const f = renderPaper(image, pose);
    const data = f.data.map((v) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return Math.max(0, Math.min(255, v + (seed % 5) - 2));
    });
    yield { ...f, data };
  }
}

describe('layer 2 on tracked corners', () => {
  it('printed photos moved like paper stay under FLOW_MIN_PARALLAX with a margin of 1.5', async () => {
    const photos = thresholdPhotos();
    let worst = { parallax: 0, photo: '' };
    let judged = 0;
    const passed: string[] = [];
    for (const photo of photos) {
      const { kps, flow } = await follow(printed(await decodeImageFile(facePath(photo)), PAPER_SWEEP));
      const parallax = flowParallax(flow.frames);
      if (parallax === null) continue;
      judged++;
      if (parallax > worst.parallax) worst = { parallax, photo };
      if (judgeStructure(kps, undefined, flow.frames).live) passed.push(`${photo} (${parallax.toFixed(3)})`);
    }
    console.log(
      `paper sweep: ${judged} of ${photos.length} photos tracked, worst flow parallax ${worst.parallax.toFixed(4)} (${worst.photo}); threshold ${FLOW_MIN_PARALLAX}`,
    );
    assert.ok(judged >= photos.length - 3, `only ${judged} of ${photos.length} photos tracked`);
    assert.deepEqual(passed, [], 'flat pictures judged 3-D');
    assert.ok(worst.parallax * 1.5 <= FLOW_MIN_PARALLAX, `worst flat flow parallax ${worst.parallax}`);
  });

  it('the real head turn (pad/videos/apfol_real2.webm, 12 s) reaches it', async () => {
    const { frames } = await cutFrames(facePath('pad/videos/apfol_real2.webm'), {
      from: 0,
      seconds: 12,
      fps: 10,
    });
    const { kps, flow } = await follow(frames);
    const parallax = flowParallax(flow.frames);
    console.log(`real head turn: flow parallax ${parallax?.toFixed(4)}; threshold ${FLOW_MIN_PARALLAX}`);
    assert.ok(parallax !== null && parallax >= FLOW_MIN_PARALLAX, `flow parallax ${parallax}`);
    assert.equal(judgeStructure(kps, undefined, flow.frames).live, true);
  });
});
