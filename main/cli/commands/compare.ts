// `tobira compare A B`: InsightFace's sample, the cosine similarity of the largest face in each
// photo, and the decision at the recognition threshold.
import { decodeImageFile } from '../../image/decode.js';
import { computeSim, FaceAnalysis } from '../../insightface/face_analysis.js';
import { defaultThreshold } from '../../recognition/thresholds.js';
import { numberOption, parse, UsageError, type Command } from '../command.js';
import { resolveModelsDir } from '../models-dir.js';
import { cliPaths } from '../data-dir.js';

const usage = `Usage: tobira compare A.jpg B.jpg [--models DIR] [--threshold T] [--json]

Prints the cosine similarity of the largest face in each photo and whether they are the same person.
--models defaults to the kiosk's active pack; --threshold to the recognizer's own threshold.`;

export const command: Command = {
  summary: 'similarity of the largest face in two photos, and the decision',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      models: { type: 'string' },
      threshold: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 2) throw new UsageError(`expected two images, got ${positionals.length}`);
    const models = await resolveModelsDir(values.models, cliPaths(io).modelsDir);
    const fa = await FaceAnalysis.load(models, { allowedModules: ['detection', 'recognition'] });
    try {
      const recognizer = fa.info.recognizer;
      if (!recognizer) throw new Error(`${models}: the pack has no recognition model`);
      // Thresholds belong to the recognizer: the calibrated or published value for this model.
      const threshold = numberOption(values.threshold, 'threshold', defaultThreshold(recognizer).threshold);
      fa.prepare({});
      const embeddings: Float32Array[] = [];
      for (const file of positionals) {
        const image = await decodeImageFile(file);
        const faces = await fa.detect(image);
        if (faces.length === 0) throw new Error(`${file}: no face found`);
        // The largest box, as InsightFace's max_num metric 'max'.
        const area = (f: (typeof faces)[number]): number => (f.bbox[2] - f.bbox[0]) * (f.bbox[3] - f.bbox[1]);
        const largest = faces.reduce((a, b) => (area(b) > area(a) ? b : a));
        embeddings.push((await fa.analyze(image, largest, { modules: ['recognition'] })).normedEmbedding!);
      }
      const similarity = computeSim(embeddings[0]!, embeddings[1]!);
      const same = similarity >= threshold;
      if (values.json) io.out(JSON.stringify({ similarity, threshold, same }));
      else
        io.out(
          `similarity ${similarity.toFixed(4)}: ${same ? 'same person' : 'different people'} (threshold ${threshold})`,
        );
      return 0;
    } finally {
      await fa.release();
    }
  },
};
