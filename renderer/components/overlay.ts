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

export function drawFaces(
  ctx: CanvasRenderingContext2D,
  faces: readonly FaceView[],
  at: Placement,
  dpr: number,
): void {
  const unmirrored = (x: number) => at.offsetX + x * at.scale;
  const px = at.mirrorWidth === undefined ? unmirrored : (x: number) => at.mirrorWidth! - unmirrored(x);
  const py = (y: number) => at.offsetY + y * at.scale;
  for (const face of faces) {
    const known = face.label !== undefined;
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
    if (face.label) {
      const text = face.score !== undefined ? `${face.label} ${face.score.toFixed(2)}` : face.label;
      ctx.font = `${16 * dpr}px ${UI_FONT_FAMILY}`;
      const w = ctx.measureText(text).width + 12 * dpr;
      ctx.fillStyle = colour;
      ctx.fillRect(left, py(y1) - 26 * dpr, w, 24 * dpr);
      ctx.fillStyle = '#0b1020';
      ctx.fillText(text, left + 6 * dpr, py(y1) - 8 * dpr);
    }
  }
}
