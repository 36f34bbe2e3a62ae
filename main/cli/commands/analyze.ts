// `tobira analyze`: InsightFace's FaceAnalysis.get on image files, printed as JSON with
// InsightFace's field names (snake_case) in the original image's pixels.
import { resolveModelsDir } from '../models-dir.js';
import { decodeImageFile } from '../../image/decode.js';
import { FaceAnalysis } from '../../insightface/face_analysis.js';
import type { Face } from '../../insightface/types.js';
import {
  modelsOption,
  detSizeOption,
  intOption,
  numberOption,
  parse,
  UsageError,
  type Command,
} from '../command.js';
import { messageOf } from '../../util/message-of.js';

const usage = `Usage: tobira analyze --models DIR|--data-dir DIR [--det-size 640|auto|WxH] [--det-thresh 0.5] [--max-num N] [--json] IMAGE...

Detects and analyses the faces in each image with every model of the pack.
  --models DIR     folder of .onnx files (an InsightFace pack)
  --det-size S     detector input: 640 (default), auto (128 and 640 merged), or WxH
  --det-thresh T   minimum detection score (default 0.5)
  --max-num N      keep at most N faces, InsightFace's centre-weighted choice (default: all)
  --json           print {"images": {"<path>": [face, ...] | null}}`;

/** A face as InsightFace's Face dict keys it (snake_case); `embedding` is the L2-normalised one. */
export function faceToJson(face: Face): Record<string, unknown> {
  const out: Record<string, unknown> = {
    bbox: [...face.bbox],
    kps: face.kps.map((p) => [...p]),
    det_score: face.detScore,
  };
  if (face.normedEmbedding) out.embedding = Array.from(face.normedEmbedding);
  if (face.landmark2d106) out.landmark_2d_106 = face.landmark2d106.map((p) => [...p]);
  if (face.landmark3d68) out.landmark_3d_68 = face.landmark3d68.map((p) => [...p]);
  // [pitch, yaw, roll] in degrees, the order of InsightFace's face.pose.
  if (face.pose) out.pose = [face.pose.pitch, face.pose.yaw, face.pose.roll];
  if (face.gender !== undefined) out.gender = face.gender;
  if (face.age !== undefined) out.age = face.age;
  return out;
}

export const command: Command = {
  summary: 'detect and analyse faces in images (InsightFace FaceAnalysis.get)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      models: { type: 'string' },
      'det-size': { type: 'string' },
      'det-thresh': { type: 'string' },
      'max-num': { type: 'string' },
      json: { type: 'boolean' },
    });
    const models = io.paths
      ? await resolveModelsDir(values.models, io.paths.modelsDir)
      : modelsOption(values.models);
    const detSize = detSizeOption(values['det-size']);
    const detThresh = numberOption(values['det-thresh'], 'det-thresh', 0.5);
    const maxNum = intOption(values['max-num'], 'max-num', 0, 0);
    if (positionals.length === 0) throw new UsageError('give at least one IMAGE');
    const fa = await FaceAnalysis.load(models);
    for (const s of fa.skipped) io.err(`skipped ${s.file}: ${s.reason}`);
    fa.prepare({ detSize, detThresh });
    const images: Record<string, unknown[] | null> = {};
    let failed = 0;
    for (const file of positionals) {
      try {
        const faces = await fa.get(await decodeImageFile(file), { maxNum });
        images[file] = faces.map(faceToJson);
        if (!values.json) {
          io.out(`${file}: ${faces.length} face(s)`);
          for (const f of faces) {
            const box = f.bbox.map((v) => v.toFixed(1)).join(', ');
            const extra = [
              f.gender !== undefined ? `gender ${f.gender ? 'M' : 'F'}` : '',
              f.age !== undefined ? `age ${f.age}` : '',
            ].filter(Boolean);
            io.out(`  [${box}] score ${f.detScore.toFixed(3)}${extra.length ? ` ${extra.join(' ')}` : ''}`);
          }
        }
      } catch (err) {
        // One bad file does not stop the run: it is reported and shows as null.
        failed++;
        images[file] = null;
        io.err(`${messageOf(err)}`);
      }
    }
    await fa.release();
    if (values.json) io.out(JSON.stringify({ images }));
    return failed ? 1 : 0;
  },
};
