// Temporary pack folders of real models (symlinks into ../shared/models), removed by the caller.
import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { modelPath, TEST_PACK_FILES } from './fixtures.js';

/** A temp folder holding `files` from the shared models (default: the buffalo_sc-like pack). */
export function makeTestPack(files: readonly string[] = TEST_PACK_FILES): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-pack-'));
  for (const f of files) symlinkSync(modelPath(f), path.join(dir, f));
  return dir;
}
