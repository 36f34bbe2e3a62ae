import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { resolvePaths } from '../../../main/paths.js';
import { LatestFrameQueue } from '../../../main/frames/latest-frame-queue.js';

test('data lives under one folder by default', () => {
  const p = resolvePaths('/home/u/.config/Tobira', [], {});
  assert.equal(p.dataDir, '/home/u/.config/Tobira');
  assert.equal(p.modelsDir, path.join('/home/u/.config/Tobira', 'models'));
  assert.equal(p.storeDir, path.join('/home/u/.config/Tobira', 'store'));
  assert.equal(p.catalogFile, null);
});

test('flags win over environment variables, which win over the default', () => {
  const env = {
    TOBIRA_DATA_DIR: '/env/data',
    TOBIRA_MODELS_DIR: '/env/models',
    TOBIRA_CATALOG: '/env/cat.json',
  };
  const fromEnv = resolvePaths('/default', [], env);
  assert.deepEqual(
    [fromEnv.dataDir, fromEnv.modelsDir, fromEnv.catalogFile],
    ['/env/data', '/env/models', '/env/cat.json'],
  );
  const fromFlags = resolvePaths(
    '/default',
    ['--data-dir=/flag/data', '--models-dir', '/flag/models', '--store-dir=/flag/store'],
    env,
  );
  assert.deepEqual(
    [fromFlags.dataDir, fromFlags.modelsDir, fromFlags.storeDir],
    ['/flag/data', '/flag/models', '/flag/store'],
  );
  // Unrelated flags (Electron's, Chromium's) are ignored, not fatal.
  assert.equal(resolvePaths('/d', ['--no-sandbox', '--inspect=9229'], {}).dataDir, '/d');
});

test('latest frame wins: while busy, a newer frame replaces the pending one', async () => {
  const processed: number[] = [];
  const dropped: number[] = [];
  let release: () => void = () => undefined;
  const queue = new LatestFrameQueue<number, number>(
    async (frame, replaced) => {
      processed.push(frame);
      dropped.push(replaced);
      if (frame === 1) await new Promise<void>((resolve) => (release = resolve));
      return frame;
    },
    () => undefined,
    (error) => assert.fail(String(error)),
  );
  queue.submit(1);
  for (let i = 2; i <= 10; i++) queue.submit(i);
  assert.equal(queue.isBusy, true);
  release();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(processed, [1, 10]);
  assert.deepEqual(dropped, [0, 8]);
  assert.equal(queue.isBusy, false);
});

test('an error in one frame does not stop the next', async () => {
  const errors: number[] = [];
  const delivered: number[] = [];
  const queue = new LatestFrameQueue<number, number>(
    async (frame) => {
      if (frame === 1) throw new Error('bad frame');
      return frame;
    },
    (result) => delivered.push(result),
    (_error, frame) => errors.push(frame),
  );
  queue.submit(1);
  await new Promise((resolve) => setTimeout(resolve, 5));
  queue.submit(2);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(errors, [1]);
  assert.deepEqual(delivered, [2]);
});
