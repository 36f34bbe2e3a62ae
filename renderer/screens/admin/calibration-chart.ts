// The calibration panel's two charts, drawn on canvases at devicePixelRatio
// scale: score histograms, and false-accept / false-reject rates by threshold.
import type { Calibration } from '../../../preload/contract/audit.js';
import { UI_FONT_FAMILY } from '../../fonts.js';

export const BINS = 50;
const COLOURS = {
  genuine: '#3ddc84',
  impostor: '#ffb020',
  current: '#ffffff',
  suggested: '#4fc3f7',
  grid: '#2a3560',
};

/** Counts per bin over [lo, hi); values outside are clamped into the end bins. */
export function histogram(values: readonly number[], lo: number, hi: number, bins = BINS): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (const v of values) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)));
    counts[i]! += 1;
  }
  return counts;
}

/** 0.001 → "0.1%". */
export function formatFar(far: number): string {
  return `${+(far * 100).toPrecision(2)}%`;
}

function prepare(canvas: HTMLCanvasElement) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(canvas.clientWidth * dpr);
  const h = Math.round(canvas.clientHeight * dpr);
  if (canvas.width !== w || canvas.height !== h) Object.assign(canvas, { width: w, height: h });
  const ctx = canvas.getContext('2d');
  if (!ctx || w === 0 || h === 0) return null;
  ctx.clearRect(0, 0, w, h);
  const pad = { l: 40 * dpr, r: 10 * dpr, t: 10 * dpr, b: 26 * dpr };
  return { ctx, w, h, dpr, pad, plotW: w - pad.l - pad.r, plotH: h - pad.t - pad.b };
}

function axis(p: NonNullable<ReturnType<typeof prepare>>, lo: number, hi: number): (v: number) => number {
  const { ctx, dpr, pad, plotW, plotH } = p;
  const x = (v: number) => pad.l + ((v - lo) / (hi - lo)) * plotW;
  ctx.strokeStyle = COLOURS.grid;
  ctx.fillStyle = '#9aa6c8';
  ctx.lineWidth = dpr;
  ctx.font = `${11 * dpr}px ${UI_FONT_FAMILY}`;
  ctx.textAlign = 'center';
  for (let v = Math.ceil(lo * 5) / 5; v <= hi + 1e-9; v += 0.2) {
    ctx.beginPath();
    ctx.moveTo(x(v), pad.t);
    ctx.lineTo(x(v), pad.t + plotH);
    ctx.stroke();
    ctx.fillText(v.toFixed(1), x(v), pad.t + plotH + 16 * dpr);
  }
  return x;
}

function marker(
  p: NonNullable<ReturnType<typeof prepare>>,
  x: number,
  colour: string,
  dashed: boolean,
): void {
  const { ctx, dpr, pad, plotH } = p;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = 2 * dpr;
  if (dashed) ctx.setLineDash([6 * dpr, 4 * dpr]);
  ctx.beginPath();
  ctx.moveTo(x, pad.t);
  ctx.lineTo(x, pad.t + plotH);
  ctx.stroke();
  ctx.restore();
}

export function drawHistogram(canvas: HTMLCanvasElement, c: Calibration, lo: number, hi: number): void {
  const p = prepare(canvas);
  if (!p) return;
  const { ctx, pad, plotW, plotH } = p;
  const x = axis(p, lo, hi);
  const binW = plotW / BINS;
  // Each distribution is scaled to its own peak: impostor pairs far outnumber genuine ones.
  for (const [values, colour] of [
    [c.impostor, COLOURS.impostor],
    [c.genuine, COLOURS.genuine],
  ] as const) {
    const counts = histogram(values, lo, hi);
    const peak = Math.max(1, ...counts);
    ctx.fillStyle = colour;
    ctx.globalAlpha = 0.6;
    counts.forEach((n, i) => {
      const h = (n / peak) * plotH;
      ctx.fillRect(pad.l + i * binW, pad.t + plotH - h, Math.max(1, binW - 1), h);
    });
    ctx.globalAlpha = 1;
  }
  marker(p, x(c.current), COLOURS.current, false);
  if (c.suggested !== null) marker(p, x(c.suggested), COLOURS.suggested, true);
}

/** FAR and FRR against the threshold; the FAR axis is logarithmic, down to the target. */
export function drawRates(canvas: HTMLCanvasElement, c: Calibration, lo: number, hi: number): void {
  const p = prepare(canvas);
  if (!p || c.roc.length === 0) return;
  const { ctx, dpr, pad, plotH } = p;
  const x = axis(p, lo, hi);
  const floor = Math.min(1e-4, c.targetFar);
  const y = (rate: number) =>
    pad.t + plotH * (1 - (Math.log10(Math.max(rate, floor)) - Math.log10(floor)) / -Math.log10(floor));
  ctx.fillStyle = '#9aa6c8';
  ctx.textAlign = 'right';
  for (let e = 0; e >= Math.log10(floor); e--) {
    // Kept clear of the x axis's labels below the plot.
    ctx.fillText(
      formatFar(10 ** e),
      pad.l - 4 * dpr,
      Math.min(y(10 ** e) + 4 * dpr, pad.t + plotH - 2 * dpr),
    );
  }
  const sorted = [...c.roc].sort((a, b) => a.threshold - b.threshold);
  for (const [key, colour] of [
    ['far', COLOURS.impostor],
    ['frr', COLOURS.genuine],
  ] as const) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2 * dpr;
    ctx.beginPath();
    sorted.forEach((point, i) =>
      (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, x(point.threshold), y(point[key])),
    );
    ctx.stroke();
  }
  marker(p, x(c.current), COLOURS.current, false);
  if (c.suggested !== null) marker(p, x(c.suggested), COLOURS.suggested, true);
}
