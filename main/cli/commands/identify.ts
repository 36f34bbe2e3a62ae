// `tobira identify IMAGE`: who is this? The kiosk's own decision code on one frame (N = 1).
import { decodeImageFile } from '../../image/decode.js';
import { FaceAnalysis } from '../../insightface/face_analysis.js';
import { DEFAULT_DECISION, DecisionEngine } from '../../recognition/decision.js';
import { defaultThreshold } from '../../recognition/thresholds.js';
import { numberOption, parse, UsageError, type Command } from '../command.js';
import { resolveModelsDir } from '../models-dir.js';
import { openCliStore, storeOptions } from '../store-cli.js';
import { cliPaths } from '../data-dir.js';
import { fleetIdentify, joinedDir } from '../fleet-commands.js';

const usage = `Usage: tobira identify [--store DIR] [--models DIR] [--key FILE] [--threshold T] [--json] IMAGE

Identifies the one person in IMAGE against the enrolled people (1:N), with the kiosk's quality gates.
--json prints {"match": {"name", "score"} | null, "reason"}. reason is 'match', 'unknown_face', 'no_face',
or the failed gate's advice ('one_person', 'come_closer', 'look_at_camera', 'hold_still', 'too_dark',
'too_bright'). Exits 0 whether or not someone was recognised; 1 only for errors.
In a data folder joined to a fleet (--data-dir), catches up with the fleet first, then also applies
this door's access groups (reason 'not_permitted_now').`;

export const command: Command = {
  summary: 'identify the person in a photo against the enrolled people',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      ...storeOptions,
      models: { type: 'string' },
      threshold: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError(`expected one image, got ${positionals.length}`);
    const fleet = joinedDir(io.paths?.dataDir);
    if (fleet) {
      const threshold =
        values.threshold === undefined ? undefined : numberOption(values.threshold, 'threshold', 0);
      return fleetIdentify(
        fleet,
        { models: values.models, threshold, json: values.json },
        positionals[0]!,
        io,
      );
    }
    const store = await openCliStore(values, false, cliPaths(io));
    const image = await decodeImageFile(positionals[0]!);
    const fa = await FaceAnalysis.load(await resolveModelsDir(values.models, cliPaths(io).modelsDir), {
      allowedModules: ['detection', 'recognition'],
    });
    try {
      const recognizer = fa.info.recognizer;
      if (!recognizer) throw new Error('the model pack has no recognition model');
      const threshold = numberOption(values.threshold, 'threshold', defaultThreshold(recognizer).threshold);
      const engine = new DecisionEngine({
        ...DEFAULT_DECISION,
        recognizerId: recognizer.id,
        threshold,
        framesRequired: 1,
      });
      engine.setGallery(store.gallery(recognizer.id));
      const faces = await fa.get(image);
      const d = engine.processFrame({ faces, image, width: image.width, height: image.height, now: 0 });
      const match = d.state === 'unlocked' && d.match ? { name: d.match.name, score: d.match.score } : null;
      const reason =
        d.state === 'unlocked'
          ? 'match'
          : d.state === 'idle'
            ? 'no_face'
            : (d.guidance ?? d.final?.reason ?? d.state);
      if (values.json) io.out(JSON.stringify({ match, reason }));
      else if (match) io.out(`${match.name} (score ${match.score.toFixed(3)}, threshold ${threshold})`);
      else io.out(`no match: ${reason}${d.score !== null ? ` (best score ${d.score.toFixed(3)})` : ''}`);
      return 0;
    } finally {
      await fa.release();
    }
  },
};
