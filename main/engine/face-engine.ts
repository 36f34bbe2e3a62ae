// Owns the loaded models: the face pack (FaceAnalysis) and the optional
// liveness add-on. Loads, reloads on a pack switch, and reports its state.
import { FaceAnalysis, type DetSize } from '../insightface/face_analysis.js';
import { LivenessChecker } from '../liveness/liveness.js';
import type { PackManager, LoadablePack } from '../packs/manager.js';
import type { Settings } from '../../preload/contract/settings.js';
import { defaultThreshold } from '../recognition/thresholds.js';

/** The catalog's liveness add-on pack. */
export const LIVENESS_PACK = 'minifasnet';

export interface LoadedEngine {
  pack: LoadablePack;
  /** Reuses its buffers between calls: use it only inside `exclusive`. */
  analysis: FaceAnalysis;
  /** Runs engine work one call at a time: frames and admin actions never interleave. */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  liveness: LivenessChecker;
  recognizerId: string | null;
  /** The recognizer's own threshold: the catalog's, else the known default for its file. */
  defaultThreshold: number;
}

export function detSizeOf(setting: Settings['engine']['detSize']): DetSize {
  if (setting === 'auto') return 'auto';
  const side = Number(setting);
  return [side, side];
}

export async function loadEngine(
  packs: PackManager,
  settings: Settings,
  packName?: string,
): Promise<LoadedEngine> {
  const pack = await packs.resolveForLoad(packName);
  const analysis = await FaceAnalysis.load(pack.dir, {
    providers: [settings.engine.provider],
    intraOpNumThreads: settings.engine.intraOpThreads,
  });
  analysis.prepare({ detThresh: 0.5, detSize: detSizeOf(settings.engine.detSize) });
  const liveness = await loadLiveness(packs, settings);
  const recognizer = analysis.info.recognizer;
  const threshold =
    pack.threshold ??
    (recognizer ? defaultThreshold({ file: recognizer.file, id: recognizer.id }).threshold : 0.4);
  return {
    pack,
    analysis,
    exclusive: serializer(),
    liveness,
    recognizerId: recognizer?.id ?? null,
    defaultThreshold: threshold,
  };
}

/** The liveness add-on when installed and intact; otherwise a checker that says the models are missing. */
export async function loadLiveness(packs: PackManager, settings: Settings): Promise<LivenessChecker> {
  const installed = (await packs.list()).some((p) => p.name === LIVENESS_PACK && p.installed);
  if (!installed) return new LivenessChecker(null, settings.liveness);
  const pack = await packs.resolveForLoad(LIVENESS_PACK);
  return LivenessChecker.create(pack.dir, settings.liveness);
}

/** A queue of one: each call starts when the previous one settled. */
export function serializer(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>) => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}
