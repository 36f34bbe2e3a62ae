// The screen-frame cue (liveness/screen-frame.ts): a face inside a lit rectangle with dark
// straight sides is seen as a screen; the door caps that frame's passive score. Drawn pictures
// for the geometry, a real phone replay for the door's per-frame check. Its thresholds come
// from the PAD stills and it is tested on the public clips in pad-samples.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { PixelImage } from '../../../main/insightface/types.js';
import { AntiSpoof } from '../../../main/liveness/anti-spoof.js';
import { LivenessChecker } from '../../../main/liveness/liveness.js';
import { SCREEN_FRAME_SCORE, screenFrame } from '../../../main/liveness/screen-frame.js';
import { loadDetector, photo, tempPack } from './setup.js';

type Box = [number, number, number, number];

/**
 * A 640×480 grey picture: a mid-grey room, a rectangle filled with `inside` and drawn with
 * `edge` (the bezel, 6 px), and a face-sized blob in it. Pixel noise keeps it from being ideal.
 */
function picture(
  rect: Box,
  opts: { inside: number; edge: number; room?: number; cut?: 'right' },
): PixelImage {
  const width = 640;
  const height = 480;
  const data = new Uint8Array(width * height * 3);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 7) - 3;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let v = opts.room ?? 120;
      const [x1, y1, x2, y2] = rect;
      const inRect = x >= x1 && x < x2 && y >= y1 && y < y2;
      const onEdge = inRect && (x < x1 + 6 || x >= x2 - 6 || y < y1 + 6 || y >= y2 - 6);
      if (inRect) v = onEdge ? opts.edge : opts.inside;
      // A finger over the right side, along a fifth of the face's height.
      if (opts.cut === 'right' && x >= x2 - 20 && x < x2 + 30 && y >= 150 && y < 180) v = 150;
      // The face: a lighter oval at 280–360 × 150–260.
      if (((x - 320) / 40) ** 2 + ((y - 205) / 55) ** 2 <= 1) v = 200;
      const i = (y * width + x) * 3;
      data[i] = data[i + 1] = data[i + 2] = Math.max(0, Math.min(255, v + noise()));
    }
  return { data, width, height, format: 'rgb' };
}

const FACE: { bbox: Box } = { bbox: [280, 150, 360, 260] };

describe('the screen-frame cue on drawn pictures', () => {
  it('sees a lit screen with a dark bezel around the face', () => {
    const s = screenFrame(picture([220, 90, 420, 470], { inside: 230, edge: 20 }), FACE);
    assert.equal(s.screen, true, JSON.stringify(s));
  });

  it('still sees it with a hand over part of one side (a phone held to the camera)', () => {
    const s = screenFrame(picture([220, 90, 420, 470], { inside: 230, edge: 20, cut: 'right' }), FACE);
    assert.equal(s.screen, true, JSON.stringify(s));
  });

  it('needs the top or the bottom: two straight sides alone are a doorway or shelves', () => {
    // The rectangle runs past the picture's top and bottom: no edge joins the sides.
    const s = screenFrame(picture([220, -10, 420, 500], { inside: 230, edge: 20 }), FACE);
    assert.equal(s.screen, false, JSON.stringify(s));
    assert.ok(s.left >= 0.75 && s.right >= 0.75, JSON.stringify(s));
  });

  it('a frame darker inside than out is not a screen (a dark window in a white wall)', () => {
    const s = screenFrame(picture([220, 90, 420, 470], { inside: 60, edge: 200, room: 200 }), FACE);
    assert.equal(s.screen, false, JSON.stringify(s));
  });

  it('a frame further out than 1.25 face sizes is the room, not a screen around the face', () => {
    // Sides 2 face widths out: a doorway behind the person.
    const s = screenFrame(picture([100, 20, 540, 470], { inside: 230, edge: 20 }), FACE);
    assert.equal(s.screen, false, JSON.stringify(s));
  });

  it('sees nothing in an empty room', () => {
    assert.equal(screenFrame(picture([0, 0, 0, 0], { inside: 0, edge: 0 }), FACE).screen, false);
  });
});

describe("the door's per-frame check caps a frame that shows a screen", () => {
  const pack = tempPack();
  let fa: FaceAnalysis;
  let antiSpoof: AntiSpoof;
  before(async () => {
    fa = await loadDetector(pack.dir);
    antiSpoof = await AntiSpoof.load(pack.dir);
  });
  after(async () => {
    await antiSpoof?.release();
    await fa?.release();
    pack.remove();
  });

  it('on a frame of the phone replay (pad/apfol-liveness-opencv/fake2_f_005.jpg)', async () => {
    const { image, face } = await photo(fa, 'pad/apfol-liveness-opencv/fake2_f_005.jpg');
    assert.equal(screenFrame(image, face).screen, true);
    const v = await new LivenessChecker(antiSpoof).checkFace(image, face);
    assert.ok(v.score <= SCREEN_FRAME_SCORE, String(v.score));
    assert.deepEqual([v.live, v.screen, v.reason], [false, true, 'presentation attack']);
  });

  it('and leaves a live frame of the same person and room alone (real2_f_005.jpg)', async () => {
    const { image, face } = await photo(fa, 'pad/apfol-liveness-opencv/real2_f_005.jpg');
    const v = await new LivenessChecker(antiSpoof).checkFace(image, face);
    assert.equal(v.screen, undefined);
    assert.equal((await antiSpoof.predict(image, face.bbox)).score, v.score);
  });
});
