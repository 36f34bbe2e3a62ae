// A cue that sees a screen (or a print) for what it is: the frame around the face. A phone or
// a monitor held to the camera shows the face inside a rectangle whose sides are straight
// edges (the bezel, the screen's border, a player's bar) that run alongside the face and join
// above or below it; a real head in a room stands in front of its background, and nothing
// straight closes around it on three sides. This is the contextual cue of Komulainen, Hadid &
// Pietikäinen, "Context based Face Anti-Spoofing" (BTAS 2013), who showed that the attack
// medium's boundary in the upper-body context separates replays and prints from real people;
// they learn it with HOG and an SVM, this file looks for the boundary itself, by hand: a left
// and a right straight edge of one polarity along the whole height of the face, joined by a
// straight edge above or below it.
//
// The MiniFASNet pair scores crops of 2.7× and 4× the face box, resized to 80 px: a bezel
// further out than that, or too thin at that size, is what they miss (zalo/lestari/wingscape in
// pad/public show phones whose bezel lies 0.3–1 face widths from the face).
//
// The frame is read on a grey grid where the face box is GRID_FACE px wide (a phone's bezel
// is then 1–3 px: an edge a central difference sees), so the thresholds do not depend on the
// camera's resolution.
import type { Face, PixelImage } from '../insightface/types.js';

export interface ScreenFrameOptions {
  /** Grey-level step (0–255) across two grid pixels that counts as an edge point. */
  edgeContrast: number;
  /** Share of the face's height (with a margin) a side must be an edge along. */
  sideCover: number;
  /** Share of the span between the two sides the top or bottom must be an edge along. */
  crossCover: number;
  /** How far out from the face box a side, the top or the bottom may lie, in face sizes. */
  reach: number;
}

/** Face box width on the grid the cue reads (px). */
export const GRID_FACE = 32;

/**
 * Set on the PAD stills of ../shared/faces/pad and liveness/ (the set the thresholds come from;
 * the 18 public clips of pad/public are the set they are tested on, screen-frame.test.ts):
 * - 24 grey levels over 2 grid px: a bezel against a lit screen steps by 60–200; the soft edge
 *   of hair, a cheek or a shadow at this scale rarely by more than 20;
 * - 0.75 of the height: a hand holding a phone covers part of one side;
 * - 0.6 between the sides: a player's bar or a notch breaks the top edge in places;
 * - the inside brighter than the outside on every side: a screen gives light, its bezel does
 *   not (this also spared the one live still it flagged at first, a magazine scan whose white
 *   margin is brighter than the page);
 * - 1.25 face sizes out: a phone or tablet showing a face video frames it within about a face
 *   size (a 9:16 screen, the face 40–60 % of its width). The first version reached 2 face
 *   sizes, and on the public clips it saw a doorway around a woman standing in it
 *   (markx_fig1, 12 of 68 frames): a doorway or a window behind a person is far larger than
 *   her face. That change was made after seeing the clips, so for the reach they are no
 *   longer held out: the clips kept outside the project judge it.
 */
export const DEFAULT_SCREEN_FRAME: Readonly<ScreenFrameOptions> = {
  edgeContrast: 24,
  sideCover: 0.75,
  crossCover: 0.6,
  reach: 1.25,
};

/**
 * The passive score of a frame whose face sits in a screen's frame is at most 0.25 (3:1 for an
 * attack): the fused window (passive-fusion.ts, the best frame left out) is refused when most
 * of its frames see a frame, and one frame that sees one by mistake stays above the floor
 * (0.2), so it cannot condemn a real person on its own.
 */
export const SCREEN_FRAME_SCORE = 0.25;

/** A frame's passive score as the door counts it: capped when the cue saw a frame. */
export const cappedScore = (score: number, screen: boolean): number =>
  screen ? Math.min(score, SCREEN_FRAME_SCORE) : score;

export interface ScreenFrame {
  /** A left and a right side and a top or bottom edge were found around the face. */
  screen: boolean;
  /** The best cover found for each side (0–1), for the log and the bench. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** A grey grid of `image` over [x1, x2) × [y1, y2), `scale` grid px per image px (box-averaged). */
interface Grid {
  w: number;
  h: number;
  v: Float32Array;
}

function greyGrid(image: PixelImage, x1: number, y1: number, x2: number, y2: number, scale: number): Grid {
  const channels = image.format === 'rgba' ? 4 : 3;
  const [wr, wg, wb] = image.format === 'bgr' ? [0.114, 0.587, 0.299] : [0.299, 0.587, 0.114];
  const w = Math.max(1, Math.floor((x2 - x1) * scale));
  const h = Math.max(1, Math.floor((y2 - y1) * scale));
  const v = new Float32Array(w * h);
  const step = 1 / scale;
  // Up to 3×3 samples per cell: enough to average away sensor noise, cheap on a 4K frame.
  const taps = Math.max(1, Math.min(3, Math.floor(step)));
  for (let gy = 0; gy < h; gy++) {
    for (let gx = 0; gx < w; gx++) {
      let sum = 0;
      for (let ty = 0; ty < taps; ty++) {
        const y = Math.min(image.height - 1, Math.floor(y1 + (gy + (ty + 0.5) / taps) * step));
        for (let tx = 0; tx < taps; tx++) {
          const x = Math.min(image.width - 1, Math.floor(x1 + (gx + (tx + 0.5) / taps) * step));
          const i = (y * image.width + x) * channels;
          sum += wr * image.data[i]! + wg * image.data[i + 1]! + wb * image.data[i + 2]!;
        }
      }
      v[gy * w + gx] = sum / (taps * taps);
    }
  }
  return { w, h, v };
}

/**
 * The best straight edge of one polarity across a band: lines from (a0, b0) to (a1, b1) with
 * `a` along the band's length and `b` across it, `b` anywhere in [bLo, bHi] at either end and
 * tilted by at most `tilt`. `grad(a, b)` is the grid's difference across the line. Returns the
 * best line's share of points where the step is at least `contrast` with one sign, and its `b`
 * at the start and the end.
 */
function bestLine(
  a0: number,
  a1: number,
  bLo: number,
  bHi: number,
  tilt: number,
  contrast: number,
  grad: (a: number, b: number) => number,
  sign: 1 | -1,
): { cover: number; b0: number; b1: number } {
  let best = { cover: 0, b0: 0, b1: 0 };
  const len = a1 - a0;
  if (len < 2 || bHi < bLo) return best;
  for (let b0 = bLo; b0 <= bHi; b0++) {
    for (let d = -tilt; d <= tilt; d++) {
      const b1 = b0 + d;
      if (b1 < bLo || b1 > bHi) continue;
      let hits = 0;
      for (let a = a0; a < a1; a++) {
        const b = Math.round(b0 + (d * (a - a0)) / len);
        if (sign * grad(a, b) >= contrast) hits++;
      }
      const cover = hits / len;
      if (cover > best.cover) best = { cover, b0, b1 };
    }
  }
  return best;
}

/** Looks for a screen's (or a print's) frame around `face` in `image`. */
export function screenFrame(
  image: PixelImage,
  face: Pick<Face, 'bbox'>,
  opts: Readonly<ScreenFrameOptions> = DEFAULT_SCREEN_FRAME,
): ScreenFrame {
  const [fx1, fy1, fx2, fy2] = face.bbox;
  const fw = fx2 - fx1;
  const fh = fy2 - fy1;
  const none = { screen: false, left: 0, right: 0, top: 0, bottom: 0 };
  if (!(fw > 0 && fh > 0)) return none;
  const scale = GRID_FACE / fw;
  const rx1 = Math.max(0, fx1 - opts.reach * fw);
  const ry1 = Math.max(0, fy1 - opts.reach * fh);
  const rx2 = Math.min(image.width, fx2 + opts.reach * fw);
  const ry2 = Math.min(image.height, fy2 + opts.reach * fh);
  const g = greyGrid(image, rx1, ry1, rx2, ry2, scale);
  const at = (x: number, y: number) =>
    g.v[Math.min(g.h - 1, Math.max(0, y)) * g.w + Math.min(g.w - 1, Math.max(0, x))]!;
  const gx = (y: number, x: number) => at(x + 1, y) - at(x - 1, y);
  const gy = (x: number, y: number) => at(x, y + 1) - at(x, y - 1);
  // The face box on the grid.
  const X1 = Math.round((fx1 - rx1) * scale);
  const X2 = Math.round((fx2 - rx1) * scale);
  const Y1 = Math.round((fy1 - ry1) * scale);
  const Y2 = Math.round((fy2 - ry1) * scale);
  const H = Y2 - Y1;
  // The sides run along the face and a fifth of its height beyond (chin to forehead and more).
  const a0 = Math.max(1, Y1 - Math.round(H / 5));
  const a1 = Math.min(g.h - 1, Y2 + Math.round(H / 5));
  const tilt = Math.max(1, Math.round((a1 - a0) / 10));
  const gap = Math.max(1, Math.round(GRID_FACE / 10));
  const c = opts.edgeContrast;
  const left = bestLine(a0, a1, 1, X1 - gap, tilt, c, gx, 1);
  const right = bestLine(a0, a1, X2 + gap, g.w - 2, tilt, c, gx, -1);
  const sides = left.cover >= opts.sideCover && right.cover >= opts.sideCover;
  // The top and bottom join the two sides found (or, without them, the face's reach).
  const xa = sides ? Math.max(left.b0, left.b1) + 1 : 1;
  const xb = sides ? Math.min(right.b0, right.b1) : g.w - 1;
  const crossTilt = Math.max(1, Math.round((xb - xa) / 10));
  const top = bestLine(xa, xb, 1, Y1 - gap, crossTilt, c, gy, 1);
  const bottom = bestLine(xa, xb, Y2 + gap, g.h - 2, crossTilt, c, gy, -1);
  const cross = top.cover >= opts.crossCover || bottom.cover >= opts.crossCover;
  return {
    screen: sides && cross,
    left: left.cover,
    right: right.cover,
    top: top.cover,
    bottom: bottom.cover,
  };
}
