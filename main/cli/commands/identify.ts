// `tobira identify IMAGE`: who is this? The kiosk's own decision code on one frame (N = 1).
import { decodeImageFile } from '../../image/decode.js';
import { FaceAnalysis } from '../../insightface/face_analysis.js';
import { DEFAULT_DECISION, DecisionEngine } from '../../recognition/decision.js';
import { defaultThreshold } from '../../recognition/thresholds.js';
import { judgeFrame } from '../../recognition/judge-frame.js';
import { cosineThresholdOption, parse, UsageError, type Command } from '../command.js';
import { resolveModelsDir } from '../models-dir.js';
import { storeOptions } from '../store-cli.js';
import { openCliDoor } from '../cli-door.js';
import { cliPaths } from '../data-dir.js';
import { photoFaces } from '../../recognition/close-face.js';

const usage = `Usage: tobira identify [--store DIR] [--models DIR] [--key FILE] [--threshold T] [--json] IMAGE

Identifies the one person in IMAGE against the enrolled people (1:N), with the kiosk's quality gates.
--json prints {"match": {"name", "score"} | null, "reason"}. reason is 'match', 'unknown_face', 'no_face',
or the failed gate's advice ('one_person', 'come_closer', 'step_back', 'look_at_camera', 'hold_still', 'too_dark',
'too_bright'). Exits 0 when a face was judged, recognised or not; 1 when IMAGE holds no face, or on errors.
In a data folder joined to a fleet (--data-dir), catches up with the fleet first, then applies the
fleet door's rules as the kiosk does: 'person_disabled', 'not_permitted_now' (this door's access
groups), 'offline_too_long' (the replica could not be refreshed within the door's offline grace).`;

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
    // Range-checked before the models load: a typo fails at once.
    if (values.threshold !== undefined) cosineThresholdOption(values.threshold, 0);
    if (positionals.length !== 1) throw new UsageError(`expected one image, got ${positionals.length}`);
    const image = await decodeImageFile(positionals[0]!);
    const fa = await FaceAnalysis.load(await resolveModelsDir(values.models, cliPaths(io).modelsDir), {
      allowedModules: ['detection', 'recognition'],
    });
    try {
      const recognizer = fa.info.recognizer;
      if (!recognizer) throw new Error('the model pack has no recognition model');
      const threshold = cosineThresholdOption(values.threshold, defaultThreshold(recognizer).threshold);
      const engine = new DecisionEngine({
        ...DEFAULT_DECISION,
        recognizerId: recognizer.id,
        threshold,
        framesRequired: 1,
      });
      const faces = await photoFaces(fa, image);
      // Opened just before deciding: a fleet door catches up then, so the latest revocation counts.
      const door = await openCliDoor(values, io);
      engine.setGallery(door.people.gallery(recognizer.id));
      const now = Date.now();
      const judgement = judgeFrame(faces, image, image, engine.settings);
      const d = engine.processFrame({ judgement, now });
      const matched = d.state === 'unlocked' ? d.match : null;
      const match = matched ? { name: matched.name, score: matched.score } : null;
      const reason = matched
        ? (door.rules?.refusal(matched.personId, now) ?? 'match')
        : d.state === 'idle'
          ? 'no_face'
          : (d.guidance ?? d.final?.reason ?? d.state);
      if (values.json) io.out(JSON.stringify({ match, reason, ...door.facts() }));
      else if (match)
        io.out(
          `${match.name} (score ${match.score.toFixed(3)}, threshold ${threshold})` +
            (reason === 'match' ? '' : `: refused, ${reason}`),
        );
      else io.out(`no match: ${reason}${d.score !== null ? ` (best score ${d.score.toFixed(3)})` : ''}`);
      // No face is not an answer about anyone: scripts must not read it as "a stranger".
      if (reason === 'no_face') {
        io.err(`tobira identify: no face found in ${positionals[0]}`);
        return 1;
      }
      return 0;
    } finally {
      await fa.release();
    }
  },
};
