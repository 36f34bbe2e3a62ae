// Where the real test data lives. Models and photos are never committed: tests
// read them from ../shared (or the directories the environment names).
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function firstExisting(envName: string, fallback: string): string {
  const fromEnv = process.env[envName];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envName}=${fromEnv} does not exist`);
    return path.resolve(fromEnv);
  }
  const dir = path.resolve(projectRoot, fallback);
  if (!existsSync(dir)) {
    throw new Error(`test data not found: set ${envName} or provide ${dir}`);
  }
  return dir;
}

/** Real ONNX models: $TOBIRA_TEST_MODELS, then ../shared/models. */
export const modelsDir = (): string => firstExisting('TOBIRA_TEST_MODELS', '../shared/models');
/** Real face photos: $TOBIRA_TEST_FACES, then ../shared/faces. */
export const facesDir = (): string => firstExisting('TOBIRA_TEST_FACES', '../shared/faces');

export const modelPath = (file: string): string => path.join(modelsDir(), file);
export const facePath = (relative: string): string => path.join(facesDir(), relative);

/** The buffalo_sc-like test pack: det_500m + the 8-bit w600k_mbf. */
export const TEST_PACK_FILES = ['det_500m.onnx', 'w600k_mbf_int8_dynq.onnx'] as const;

/** A fresh folder holding copies of these model files, for a test to import as a pack. */
export function packCopy(files: readonly string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tobira-test-pack-'));
  for (const f of files) copyFileSync(modelPath(f), path.join(dir, f));
  return dir;
}
