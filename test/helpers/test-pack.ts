// A pack folder for tests: symlinks to real models from ../shared/models in a fresh temp dir
// (the shared folder holds several detectors, and models are never copied).
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { FaceAnalysis } from '../../main/insightface/face_analysis.js';
import { TEST_PACK_FILES, modelPath } from './fixtures.js';

/** A temp pack of `files` (default: the test pack, det_500m + w600k_mbf_int8_dynq). */
export function makeTestPack(files: readonly string[] = TEST_PACK_FILES): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tobira-pack-'));
  for (const file of files) symlinkSync(modelPath(file), path.join(dir, file));
  return dir;
}

/**
 * A FaceAnalysis on a fresh test pack at det size 640×640, loaded before the calling suite's
 * tests and released (pack folder removed) after them. Call inside describe(); read the
 * returned getter inside tests.
 */
export function suiteAnalysis(): () => FaceAnalysis {
  let pack = '';
  let fa: FaceAnalysis | null = null;
  before(async () => {
    pack = makeTestPack();
    fa = await FaceAnalysis.load(pack);
    fa.prepare({ detSize: [640, 640] });
  });
  after(async () => {
    await fa?.release();
    rmSync(pack, { recursive: true, force: true });
  });
  return () => {
    if (!fa) throw new Error('suiteAnalysis: read the FaceAnalysis inside a test, after before() ran');
    return fa;
  };
}
