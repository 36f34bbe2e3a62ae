// The gate's one mapping from domain errors to expected failures (main/ipc/errors.ts): both kinds
// of pack failure, the pack manager's and the engine's, reach the admin with a code and the path.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { expectedOf } from '../../../main/ipc/errors.js';
import { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import { PackManager } from '../../../main/packs/manager.js';
import { makeTestPack } from '../../helpers/test-pack.js';

async function thrownBy(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('expected the work to throw');
}

describe('expectedOf', () => {
  it("maps the engine's PackLoadError (a pack with no detector) to PACK_UNUSABLE with its message", async () => {
    const dir = makeTestPack(['w600k_mbf_int8_dynq.onnx']);
    try {
      const error = await thrownBy(() => FaceAnalysis.load(dir));
      const expected = expectedOf(error);
      assert.equal(expected?.code, 'PACK_UNUSABLE');
      assert.match(expected.message, /no face detector \(SCRFD\) among 1 \.onnx/);
      assert.ok(expected.message.includes(dir), expected.message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the pack manager's PackError code (no pack installed is NOT_FOUND)", async () => {
    const dir = makeTestPack([]);
    try {
      const error = await thrownBy(() => new PackManager({ root: dir }).resolveForLoad());
      assert.equal(expectedOf(error)?.code, 'NOT_FOUND');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves an unexpected error unexpected', () => {
    assert.equal(expectedOf(new TypeError('x is undefined')), null);
  });
});
