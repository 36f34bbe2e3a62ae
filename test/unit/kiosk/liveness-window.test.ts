// Layer 1 in the kiosk's decision settings: with liveness on, the agreeing window holds at
// least MIN_FUSED_FRAMES frames, so framesToAgree 1 cannot let one lucky frame open the door.
// Before the fusion, framesToAgree 1 with liveness on decided on a single frame's score.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decisionConfig } from '../../../main/kiosk/kiosk.js';
import type { LoadedEngine } from '../../../main/engine/face-engine.js';
import { MIN_FUSED_FRAMES } from '../../../main/liveness/passive-fusion.js';
import { DEFAULT_SETTINGS, type Settings } from '../../../preload/contract/settings.js';

const engine = { recognizerId: 'r', defaultThreshold: 0.3 } as unknown as LoadedEngine;
const withFrames = (framesToAgree: number, enabled: boolean): Settings => ({
  ...DEFAULT_SETTINGS,
  recognition: { ...DEFAULT_SETTINGS.recognition, framesToAgree },
  liveness: { ...DEFAULT_SETTINGS.liveness, enabled },
});

test('with liveness on, the agreeing window never holds fewer frames than layer 1 fuses', () => {
  assert.equal(decisionConfig(withFrames(1, true), engine).framesRequired, MIN_FUSED_FRAMES);
  assert.equal(decisionConfig(withFrames(5, true), engine).framesRequired, 5);
  // Liveness off: identity alone, as many frames as asked.
  assert.equal(decisionConfig(withFrames(1, false), engine).framesRequired, 1);
});
