// Which role a custom pack's .onnx file plays, decided by its ONNX signature with the engine's
// own routing rules (InsightFace's model_zoo), plus the MiniFASNet liveness shape.
import * as ort from 'onnxruntime-node';
import { routeBySignature } from '../insightface/model_zoo.js';
import type { TensorSpec } from '../insightface/session.js';
import type { Role } from './catalog.js';
import { messageOf } from '../util/message-of.js';

export type RouteResult = { role: Role } | { role: null; reason: string };
/** Injectable so tests and callers can route without onnxruntime. */
export type ModelRouter = (file: string) => Promise<RouteResult>;

function specs(meta: readonly ort.InferenceSession.ValueMetadata[]): TensorSpec[] {
  return meta.map((m) => ({
    name: m.name,
    dims: m.isTensor ? m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : null)) : [],
  }));
}

/** Role from declared inputs/outputs; pure, for tests. */
export function roleFromSignature(
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
): RouteResult {
  const dims = inputs[0]?.dims ?? [];
  // MiniFASNet (Silent-Face-Anti-Spoofing): one 80x80 input, 3 logits (fake / real / fake).
  if (
    inputs.length === 1 &&
    dims[2] === 80 &&
    dims[3] === 80 &&
    outputs.length === 1 &&
    outputs[0]?.dims.at(-1) === 3
  ) {
    return { role: 'liveness' };
  }
  const route = routeBySignature(inputs, outputs);
  switch (route.kind) {
    case 'detection':
    case 'recognition':
      return { role: route.kind };
    case 'attribute':
      return { role: 'genderage' };
    case 'landmark': {
      // InsightFace's landmark.py: an output of 3000 or more values is 1k3d68 (3309), else 2D (212).
      const width = outputs[0]?.dims.at(-1) ?? 0;
      return { role: width >= 3000 ? 'landmark_3d_68' : 'landmark_2d_106' };
    }
    default:
      return { role: null, reason: route.reason };
  }
}

export const onnxRouter: ModelRouter = async (file) => {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, { logSeverityLevel: 3 });
  } catch (error) {
    return { role: null, reason: `onnxruntime cannot load it: ${messageOf(error).split('\n')[0]}` };
  }
  try {
    return roleFromSignature(specs(session.inputMetadata), specs(session.outputMetadata));
  } finally {
    await session.release();
  }
};
