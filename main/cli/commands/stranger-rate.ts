// `tobira stranger-rate`: how often a stranger would be taken for someone with the people enrolled
// now, and the threshold that keeps it at a target (recognition/stranger-rate.ts).
import { FaceAnalysis } from '../../insightface/face_analysis.js';
import {
  DEFAULT_TARGET_FPIR,
  describeStrangerRate,
  estimateStrangerRate,
} from '../../recognition/stranger-rate.js';
import { defaultThreshold } from '../../recognition/thresholds.js';
import { cosineThresholdOption, numberOption, parse, UsageError, type Command } from '../command.js';
import { resolveModelsDir } from '../models-dir.js';
import { storeOptions } from '../store-cli.js';
import { cliPaths } from '../data-dir.js';
import { openCliDoor } from '../cli-door.js';

const usage = `Usage: tobira stranger-rate [--store DIR] [--models DIR] [--key FILE] [--threshold T] [--target FPIR] [--json]

Estimates, from the enrolled people's scores against each other, how often a stranger's attempt would
match someone (FPIR) at the threshold (default: the recognizer's), and suggests the threshold that keeps
it at --target (default ${DEFAULT_TARGET_FPIR}, NIST's access-control point), never below the recognizer's default,
with what it costs in refusals of enrolled people (from their own templates). Says when the gallery is too
large for face alone. --json prints the figures.`;

export const command: Command = {
  summary: 'estimate how often a stranger is taken for someone, and suggest a threshold',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      ...storeOptions,
      models: { type: 'string' },
      threshold: { type: 'string' },
      target: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (values.threshold !== undefined) cosineThresholdOption(values.threshold, 0);
    const target = numberOption(values.target, 'target', DEFAULT_TARGET_FPIR);
    if (!(target > 0 && target < 1))
      throw new UsageError(`--target must be between 0 and 1, got ${values.target}`);
    // A lone kiosk's store, or a fleet door's replica (cli/cli-door.ts).
    const door = await openCliDoor(values, io);
    const fa = await FaceAnalysis.load(await resolveModelsDir(values.models, cliPaths(io).modelsDir), {
      allowedModules: ['detection', 'recognition'],
    });
    try {
      const recognizer = fa.info.recognizer;
      if (!recognizer) throw new Error('the model pack has no recognition model');
      const byDefault = defaultThreshold(recognizer).threshold;
      const threshold = cosineThresholdOption(values.threshold, byDefault);
      const rate = estimateStrangerRate(door.people.gallery(recognizer.id), {
        threshold,
        defaultThreshold: byDefault,
        targetFpir: target,
      });
      io.out(values.json ? JSON.stringify(rate) : describeStrangerRate(rate).join('\n'));
      return 0;
    } finally {
      await fa.release();
    }
  },
};
