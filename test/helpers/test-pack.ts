// A pack folder for tests: symlinks to real models from ../shared/models in a fresh temp dir
// (the shared folder holds several detectors, and models are never copied).
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_PACK_FILES, modelPath } from './fixtures.js';

/** A temp pack of `files` (default: the test pack, det_500m + w600k_mbf_int8_dynq). */
export function makeTestPack(files: readonly string[] = TEST_PACK_FILES): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tobira-pack-'));
  for (const file of files) symlinkSync(modelPath(file), path.join(dir, file));
  return dir;
}
