// Pure drawing of faces over a frame. Coordinates are frame pixels; `scale`
// and offsets map them onto the canvas, which is sized at devicePixelRatio.
import type { FaceView } from '../../preload/contract/frames.js';
import { UI_FONT_FAMILY } from '../fonts.js';

export interface Placement {
  scale: number;
  offsetX: number;
  offsetY: number;
  /** Canvas width when the picture is drawn mirrored; x is flipped about it. */
  mirrorWidth?: number;
}

/** Where a frame of the given size lands when fitted ("contain") into the canvas. */
export function fitFrame(frameW: number, frameH: number, canvasW: number, canvasH: number): Placement {
  const scale = Math.min(canvasW / frameW, canvasH / frameH);
  return { scale, offsetX: (canvasW - frameW * scale) / 2, offsetY: (canvasH - frameH * scale) / 2 };
}

/**
 * Where a frame lands when it fills the canvas ("cover"): scaled to the larger ratio and
 * centred, so the overflow is cut evenly on both sides. Boxes use the same placement, so
 * they stay on the faces.
 */
export function coverFrame(frameW: number, frameH: number, canvasW: number, canvasH: number): Placement {
  const scale = Math.max(canvasW / frameW, canvasH / frameH);
  return { scale, offsetX: (canvasW - frameW * scale) / 2, offsetY: (canvasH - frameH * scale) / 2 };
}

export type Fit = 'contain' | 'cover';

export function placeFrame(fit: Fit, frameW: number, frameH: number, canvasW: number, canvasH: number) {
  return fit === 'cover'
    ? coverFrame(frameW, frameH, canvasW, canvasH)
    : fitFrame(frameW, frameH, canvasW, canvasH);
}

export interface DrawOptions {
  /** Draw the similarity next to the name: admin previews only; the door screen shows names. */
  showScores?: boolean;
  /** Draw names at all: the door screen turns them off while it shows a refusal. */
  showNames?: boolean;
}

/** Draws the faces' boxes, keypoints and name tags; returns the names drawn. */
export function drawFaces(
  ctx: CanvasRenderingContext2D,
  faces: readonly FaceView[],
  at: Placement,
  dpr: number,
  options: DrawOptions = {},
): string[] {
  const showScores = options.showScores ?? true;
  const showNames = options.showNames ?? true;
  const drawn: string[] = [];
  const unmirrored = (x: number) => at.offsetX + x * at.scale;
  const px = at.mirrorWidth === undefined ? unmirrored : (x: number) => at.mirrorWidth! - unmirrored(x);
  const py = (y: number) => at.offsetY + y * at.scale;
  for (const face of faces) {
    // Without names, every box is drawn as an unknown face's: its colour would tell a name too.
    const known = showNames && face.label !== undefined;
    const colour = known ? '#3ddc84' : '#ffb020';
    const [x1, y1, x2, y2] = face.bbox;
    ctx.lineWidth = 3 * dpr;
    ctx.strokeStyle = colour;
    const left = Math.min(px(x1), px(x2));
    ctx.strokeRect(left, py(y1), (x2 - x1) * at.scale, (y2 - y1) * at.scale);
    ctx.fillStyle = '#4fc3f7';
    for (const [x, y] of face.kps) {
      ctx.beginPath();
      ctx.arc(px(x), py(y), 3.5 * dpr, 0, Math.PI * 2);
      ctx.fill();
    }
    if (face.landmarks) {
      ctx.fillStyle = 'rgba(255,255,255,0.8)';
      for (const [x, y] of face.landmarks) ctx.fillRect(px(x) - dpr, py(y) - dpr, 2 * dpr, 2 * dpr);
    }
    if (known && face.label) {
      drawn.push(face.label);
      const text =
        showScores && face.score !== undefined ? `${face.label} ${face.score.toFixed(2)}` : face.label;
      // The name is read from a metre away: 3.5 % of the smaller side (28 px on an 800 px side),
      // never under 16 px; the tag grows with it.
      const side = Math.min(ctx.canvas.width, ctx.canvas.height) / dpr;
      const em = Math.max(16, Math.round(side * 0.035)) * dpr;
      ctx.font = `${em}px ${UI_FONT_FAMILY}`;
      const w = ctx.measureText(text).width + 0.75 * em;
      ctx.fillStyle = colour;
      ctx.fillRect(left, py(y1) - 1.6 * em, w, 1.5 * em);
      ctx.fillStyle = '#0b1020';
      ctx.fillText(text, left + 0.375 * em, py(y1) - 0.5 * em);
    }
  }
  return drawn;
}
