// Times the kiosk's per-frame path (detect, align, embed) on an already-decoded image, and
// onnxruntime's bare session.run for the same models, inputs sizes and threads.
import type { FaceAnalysis } from '../../insightface/face_analysis.js';
import { stageClock } from '../../insightface/profile.js';
import { ort } from '../../insightface/session.js';
import type { PixelImage } from '../../insightface/types.js';

export interface FrameBenchResult {
  frames: number;
  faces: number;
  median_ms: number;
  p90_ms: number;
  fps: number;
  /** Median of the bare session.run time per frame (detector + recognizer). */
  bare_run_median_ms: number;
  /** median_ms / bare_run_median_ms: the cost of everything that is not inference. */
  overhead_ratio: number;
  /** Per-stage medians in ms. */
  stages: Record<string, number>;
}

export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const round = (v: number, digits = 3): number => Number(v.toFixed(digits));

/** One frame: detect (at most maxNum faces), then align and embed each. */
async function frame(fa: FaceAnalysis, image: PixelImage, maxNum: number): Promise<number> {
  // detect() converts the frame; analyze() reuses that conversion for the same object.
  const faces = await fa.detect(image, { maxNum });
  for (const f of faces) await fa.analyze(image, f, { modules: ['recognition'] });
  return faces.length;
}

export async function benchFramePath(
  fa: FaceAnalysis,
  image: PixelImage,
  opts: { frames: number; maxNum?: number; warmup?: number; onFrame?: (i: number) => void },
): Promise<FrameBenchResult> {
  const maxNum = opts.maxNum ?? 1;
  for (let i = 0; i < (opts.warmup ?? 10); i++) await frame(fa, image, maxNum);
  const bare = bareRunner(fa);
  const times: number[] = [];
  const bareTimes: number[] = [];
  const stageRuns: Record<string, number[]> = {};
  let faces = 0;
  stageClock.enabled = true;
  stageClock.take();
  try {
    for (let i = 0; i < opts.frames; i++) {
      const t0 = performance.now();
      faces = await frame(fa, image, maxNum);
      times.push(performance.now() - t0);
      for (const [stage, ms] of Object.entries(stageClock.take())) (stageRuns[stage] ??= []).push(ms);
      // The bare runs interleave with the frames, so both see the same machine load.
      bareTimes.push(await bare(faces));
      stageClock.take();
      opts.onFrame?.(i);
    }
  } finally {
    stageClock.enabled = false;
  }
  const median = quantile(times, 0.5);
  const bareMedian = quantile(bareTimes, 0.5);
  return {
    frames: opts.frames,
    faces,
    median_ms: round(median),
    p90_ms: round(quantile(times, 0.9)),
    fps: round(1000 / median, 1),
    bare_run_median_ms: round(bareMedian),
    overhead_ratio: round(median / bareMedian),
    stages: Object.fromEntries(Object.entries(stageRuns).map(([k, v]) => [k, round(quantile(v, 0.5))])),
  };
}

function randomTensor(dims: number[]): ort.Tensor {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
  return new ort.Tensor('float32', data, dims);
}

/** session.run alone: the detector at each det size, plus the recognizer once per face; returns ms. */
function bareRunner(fa: FaceAnalysis): (faces: number) => Promise<number> {
  const det = fa.detModel;
  const detFeeds = det.inputSizes.map(([w, h]) => ({
    [det.session.inputNames[0]!]: randomTensor([1, 3, h, w]),
  }));
  const rec = fa.recognition?.model;
  const recFeeds = rec
    ? { [rec.session.inputNames[0]!]: randomTensor([1, 3, rec.inputSize, rec.inputSize]) }
    : null;
  return async (faces) => {
    const t0 = performance.now();
    for (const feeds of detFeeds) await det.session.run(feeds);
    if (rec && recFeeds) for (let f = 0; f < faces; f++) await rec.session.run(recFeeds);
    return performance.now() - t0;
  };
}
