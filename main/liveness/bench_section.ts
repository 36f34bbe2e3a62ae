// `npm run bench`: APCER per attack type and BPCER (ISO/IEC 30107-3) of the passive check on
// ../shared/faces at the default threshold, and the time of one check.
import type { BenchSection } from '../cli/bench/types.js';
import { livenessBenchSection } from './evaluate.js';

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
