// `npm run bench`: ISO/IEC 30107-3 figures for liveness.
// - 'Liveness (presentation-attack detection)': the passive check per frame on ../shared/faces
//   (liveness/ and the single-face photos), as before levels existed.
// - 'Liveness levels (PAD samples)': APCER per attack type and BPCER for each security level
//   and each layer alone on ../shared/faces/pad and liveness/ (pad-evaluate.ts), and the public
//   clips of pad/public judged by the door's own judge (clips-evaluate.ts; TOBIRA_BENCH_CLIPS=
//   a,b limits them to files starting with a or b while developing), with the Markdown table
//   the README shows.
import type { BenchSection } from './types.js';
import { FaceAnalysis } from '../../insightface/face_analysis.js';
import { AntiSpoof } from '../../liveness/anti-spoof.js';
import { livenessBenchSection } from '../../liveness/evaluate.js';
import { evaluatePad, markdownTable, tabulate } from '../../liveness/pad-evaluate.js';
import { evaluateClips } from '../../liveness/clips-evaluate.js';
import { detSizeOf } from '../../engine/face-engine.js';
import { DEFAULT_SETTINGS } from '../../../preload/contract/settings.js';

export const livenessSection: BenchSection = {
  title: 'Liveness (presentation-attack detection)',
  async run(ctx) {
    if (!ctx.facesDir || !ctx.sharedModelsDir) throw new Error('needs ../shared/models and ../shared/faces');
    // The liveness models come from the shared folder; the detector from the bench pack.
    const { lines, json } = await livenessBenchSection(ctx.sharedModelsDir, ctx.facesDir, ctx.modelsDir);
    for (const line of lines) ctx.log(line);
    return {
      ...json,
      samples: json.samples.map((s) => ({ ...s, score: Number.isNaN(s.score) ? null : s.score })),
    };
  },
};

export const livenessLevelsSection: BenchSection = {
  title: 'Liveness levels (PAD samples)',
  async run(ctx) {
    if (!ctx.facesDir || !ctx.sharedModelsDir) throw new Error('needs ../shared/models and ../shared/faces');
    const fa = await FaceAnalysis.load(ctx.modelsDir, { allowedModules: ['detection'] });
    const antiSpoof = await AntiSpoof.load(ctx.sharedModelsDir);
    try {
      const e = await evaluatePad({ fa, antiSpoof, facesDir: ctx.facesDir, log: ctx.log });
      // The public clips through the door's own judge, with the door's detector settings.
      fa.prepare({ detThresh: 0.5, detSize: detSizeOf(DEFAULT_SETTINGS.engine.detSize) });
      const only = process.env.TOBIRA_BENCH_CLIPS?.split(',').filter(Boolean);
      const clips = await evaluateClips({
        fa,
        antiSpoof,
        facesDir: ctx.facesDir,
        log: ctx.log,
        ...(only ? { only } : {}),
      });
      const table = tabulate(e, clips);
      const markdown = markdownTable(table);
      for (const line of markdown) ctx.log(line);
      return {
        table,
        markdown,
        passiveMs: Number(e.passiveMs.toFixed(2)),
        challengeSeconds: e.challengeSeconds,
        presentations: e.presentations,
        clips,
      };
    } finally {
      await antiSpoof.release();
      await fa.release();
    }
  },
};
