// InsightFace's model_zoo.ModelRouter: which model a file is, decided by its ONNX signature
// alone (file names are never trusted).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArcFaceONNX } from './arcface.js';
import { Attribute } from './attribute.js';
import { Landmark } from './landmark.js';
import { SCRFD } from './scrfd.js';
import { ModelLoadError, ModelSession, type SessionOptions, type TensorSpec } from './session.js';

export type ModelKind = 'detection' | 'landmark' | 'attribute' | 'recognition';

/**
 * The routing rules of InsightFace 1.0's model_zoo: 5 or more outputs → SCRFD detection;
 * 192×192 input → landmark; 96×96 → attribute; a square input of at least 112 divisible by
 * 16 → ArcFace recognition. Returns null (with the reason) for anything else.
 */
export function routeBySignature(
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
): { kind: ModelKind } | { kind: null; reason: string } {
  if (outputs.length >= 5) return { kind: 'detection' };
  const dims = inputs[0]?.dims ?? [];
  if (inputs.length !== 1 || dims.length !== 4) {
    return {
      kind: null,
      reason: `expected one NCHW input, found ${inputs.length} input(s) of rank ${dims.length}`,
    };
  }
  const [, , h, w] = dims;
  if (h === 192 && w === 192) return { kind: 'landmark' };
  if (h === 96 && w === 96) return { kind: 'attribute' };
  if (typeof h === 'number' && h === w && h >= 112 && h % 16 === 0) return { kind: 'recognition' };
  const shown = `[${dims.map((d) => d ?? '?').join(',')}]`;
  return {
    kind: null,
    reason: `input ${shown} with ${outputs.length} output(s) matches no InsightFace model (detector: ≥5 outputs; landmark 192²; attribute 96²; recognition square ≥112, multiple of 16)`,
  };
}

export type RoutedModel =
  | { kind: 'detection'; model: SCRFD }
  | { kind: 'landmark'; model: Landmark }
  | { kind: 'attribute'; model: Attribute }
  | { kind: 'recognition'; model: ArcFaceONNX; id: string };

export interface RouteOptions extends SessionOptions {
  /** InsightFace's meanshape_68 (68×3, flat) for 1k3d68 pose. */
  meanShape68?: Float32Array | null;
}

/** A stable id of a model file's contents: 'sha256:' + the first 16 hex digits. */
export function modelId(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;
}

/**
 * get_model(file): loads the file, routes it, and wraps it in its model class. Throws
 * ModelLoadError for a file onnxruntime cannot load; returns `{ skipped }` for a loadable model
 * that is not one of InsightFace's kinds (its session is released).
 */
export async function getModel(
  file: string,
  opts: RouteOptions = {},
): Promise<RoutedModel | { kind: null; skipped: { file: string; reason: string } }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new ModelLoadError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      cause: err,
    });
  }
  const session = await ModelSession.create(file, bytes, opts);
  const route = routeBySignature(session.inputs, session.outputs);
  try {
    switch (route.kind) {
      case 'detection':
        return { kind: 'detection', model: new SCRFD(session) };
      case 'landmark':
        return { kind: 'landmark', model: new Landmark(session, bytes, opts.meanShape68 ?? null) };
      case 'attribute':
        return { kind: 'attribute', model: new Attribute(session, bytes) };
      case 'recognition':
        return { kind: 'recognition', model: new ArcFaceONNX(session, bytes), id: modelId(bytes) };
      default:
        await session.release();
        return { kind: null, skipped: { file: path.basename(file), reason: route.reason } };
    }
  } catch (err) {
    // Routed but unusable (e.g. a detector with 7 outputs): report and skip, like an unknown model.
    await session.release();
    return { kind: null, skipped: { file: path.basename(file), reason: (err as Error).message } };
  }
}
