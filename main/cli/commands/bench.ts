// `tobira bench`: the per-frame path's timing on one decoded image.
import { decodeImageFile } from '../../image/decode.js';
import { FaceAnalysis } from '../../insightface/face_analysis.js';
import { benchFramePath } from '../bench/frame-bench.js';
import { detSizeOption, intOption, modelsOption, parse, UsageError, type Command } from '../command.js';
import { resolveModelsDir } from '../models-dir.js';

const usage = `Usage: tobira bench --models DIR|--data-dir DIR [--det-size 640] [--frames N] [--threads T] [--json] IMAGE

Times the whole per-frame path (detect, align, embed the main face) on an already-decoded
image after warm-up, and onnxruntime's bare session.run for the same models.
  --frames N    frames to time (default 200)
  --threads T   onnxruntime intra-op threads (default 0: the runtime's choice)
  --json        print {"median_ms", "p90_ms", "threads", "stages": {...}, ...}`;

export const command: Command = {
  summary: 'time the per-frame path (detect, align, embed) on one image',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      models: { type: 'string' },
      'det-size': { type: 'string' },
      frames: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one IMAGE, got ${positionals.length}`);
    const threads = intOption(values.threads, 'threads', 0, 0);
    const frames = intOption(values.frames, 'frames', 200);
    const detSize = detSizeOption(values['det-size']);
    const image = await decodeImageFile(positionals[0]!);
    const fa = await FaceAnalysis.load(
      io.paths ? await resolveModelsDir(values.models, io.paths.modelsDir) : modelsOption(values.models),
      { allowedModules: ['detection', 'recognition'], intraOpNumThreads: threads },
    );
    try {
      fa.prepare({ detSize });
      const r = await benchFramePath(fa, image, { frames });
      const report = { ...r, threads, det_size: fa.info.detector.detSizes, provider: fa.info.provider };
      if (values.json) io.out(JSON.stringify(report));
      else {
        io.out(
          `${frames} frames, ${r.faces} face(s): median ${r.median_ms} ms, p90 ${r.p90_ms} ms (${r.fps} fps); ` +
            `bare session.run ${r.bare_run_median_ms} ms → ×${r.overhead_ratio}`,
        );
        io.out(`stages (median ms): ${JSON.stringify(r.stages)}`);
      }
      return 0;
    } finally {
      await fa.release();
    }
  },
};
