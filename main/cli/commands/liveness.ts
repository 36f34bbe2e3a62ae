// `tobira liveness --models DIR [--threshold T] [--json] IMAGE`: the passive liveness check on
// the largest face. Exit 0 whether the face is live or not; 1 only for errors (no face, an
// unreadable file, missing models).
import { decodeImageFile } from '../../image/decode.js';
import { FaceAnalysis } from '../../insightface/face_analysis.js';
import { AntiSpoof } from '../../liveness/anti_spoof.js';
import { DEFAULT_LIVENESS_SETTINGS, LivenessChecker } from '../../liveness/liveness.js';
import { faceThatCounts } from '../../recognition/subject.js';
import { modelsOption, numberOption, parse, UsageError, type CliIO, type Command } from '../command.js';

const usage = `Usage: tobira liveness --models DIR [--threshold ${DEFAULT_LIVENESS_SETTINGS.threshold}] [--json] IMAGE

Says whether the largest face in IMAGE is a live person or a presentation attack (a print or
a screen). DIR holds a face detector and the two liveness models (2.7_80x80_MiniFASNetV2.onnx,
4_0_0_80x80_MiniFASNetV1SE.onnx). The score is the mean real-class probability of the two.`;

export const command: Command = {
  summary: 'is the largest face live, or a printed photo or screen?',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      models: { type: 'string' },
      threshold: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one image, got ${positionals.length}`);
    const threshold = numberOption(values.threshold, 'threshold', DEFAULT_LIVENESS_SETTINGS.threshold);
    if (threshold < 0 || threshold > 1)
      throw new UsageError(`--threshold: expected a number in [0, 1], got ${threshold}`);
    const dir = modelsOption(values.models);
    const file = positionals[0]!;
    // Liveness models first: a missing pack is reported before any other work.
    const antiSpoof = await AntiSpoof.load(dir);
    const checker = new LivenessChecker(antiSpoof, { ...DEFAULT_LIVENESS_SETTINGS, threshold });
    let fa: FaceAnalysis | null = null;
    try {
      fa = await FaceAnalysis.load(dir, { allowedModules: ['detection'] });
      const image = await decodeImageFile(file);
      const face = faceThatCounts(await fa.detect(image), image);
      if (!face) throw new Error(`${file}: no face found`);
      const v = await checker.checkFace(image, face);
      if (v.reason === 'model error') throw new Error(`${file}: liveness model failed: ${v.detail ?? ''}`);
      const score = Number.isNaN(v.score) ? null : v.score;
      const result = {
        live: v.live,
        score,
        face: { bbox: face.bbox },
        ...(v.reason ? { reason: v.reason } : {}),
      };
      if (values.json) io.out(JSON.stringify(result));
      else
        io.out(
          `${v.live ? 'live' : 'NOT live'}: score ${score?.toFixed(3) ?? '-'}${v.reason ? ` (${v.reason})` : ''}`,
        );
      return 0;
    } finally {
      await checker.release();
      await fa?.release();
    }
  },
};

/** Runs the command on `argv` (after `liveness`), as the dispatcher does. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  return command.run(argv, io);
}
