// Layer 3, the head-turn challenge's state machine, and how the checker offers it per level.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HeadTurnChallenge,
  recordingOdds,
  type ChallengeObservation,
  type ChallengeOptions,
  type TurnDirection,
} from '../../../main/liveness/challenge.js';
import { DEFAULT_LIVENESS_SETTINGS, LivenessChecker } from '../../../main/liveness/liveness.js';

const only = (d: TurnDirection): ChallengeOptions => ({ directions: [d] });

function feed(c: HeadTurnChallenge, frames: Partial<ChallengeObservation>[], startMs = 0) {
  let status = c.current;
  frames.forEach((f, i) => {
    status = c.observe({ yaw: 0, identity: 'alice', nowMs: startMs + (i + 1) * 100, ...f });
  });
  return status;
}

describe('HeadTurnChallenge', () => {
  it('draws each of its steps at random, independently', () => {
    const draws = [0.1, 0.9, 0.9, 0.2];
    const c = new HeadTurnChallenge('alice', 0, 0, { steps: 4, random: () => draws.shift()! });
    assert.deepEqual(c.directions, ['left', 'right', 'right', 'left']);
    assert.equal(new HeadTurnChallenge('alice', 0, 0).directions.length, 2);
    assert.equal(recordingOdds(2), 0.25);
    assert.throws(() => new HeadTurnChallenge('alice', 0, 0, { steps: 0 }), RangeError);
  });

  it('passes one step when the yaw moves the asked way by enough (left = yaw decreasing)', () => {
    const left = new HeadTurnChallenge('alice', 0, 2, only('left'));
    assert.equal(feed(left, [{ yaw: 0 }, { yaw: -8 }, { yaw: -12 }]).state, 'pending');
    assert.deepEqual(feed(left, [{ yaw: -20 }]), {
      state: 'passed',
      direction: 'left',
      step: 0,
      yawChange: 22,
    });
    const right = new HeadTurnChallenge('alice', 0, null, only('right'));
    // No start yaw: the first observed yaw is the baseline.
    assert.equal(feed(right, [{ yaw: -5 }, { yaw: 5 }, { yaw: 12 }]).state, 'passed');
  });

  it('needs every step in order: left then right', () => {
    const c = new HeadTurnChallenge('alice', 0, 0, { directions: ['left', 'right'] });
    assert.deepEqual(feed(c, [{ yaw: -20 }]), {
      state: 'pending',
      direction: 'right',
      step: 1,
      yawChange: -20,
    });
    assert.equal(feed(c, [{ yaw: -5 }, { yaw: 10 }], 100).state, 'pending');
    assert.equal(feed(c, [{ yaw: 16 }], 300).state, 'passed');
  });

  it('left then left needs a return towards the centre in between', () => {
    const c = new HeadTurnChallenge('alice', 0, 0, { directions: ['left', 'left'] });
    feed(c, [{ yaw: -20 }]);
    // Still turned: the second step is not counted until the head has come back.
    assert.equal(feed(c, [{ yaw: -22 }, { yaw: -25 }], 100).state, 'pending');
    assert.equal(feed(c, [{ yaw: -3 }, { yaw: -18 }], 300).state, 'passed');
  });

  it('a recording that turns left then right fails a right-then-left prompt', () => {
    const c = new HeadTurnChallenge('alice', 0, 0, { directions: ['right', 'left'] });
    assert.deepEqual(feed(c, [{ yaw: -5 }, { yaw: -16 }]), {
      state: 'failed',
      direction: 'right',
      step: 0,
      reason: 'wrong-direction',
    });
  });

  it('fails when another identity (or none) is matched mid-turn', () => {
    const other = new HeadTurnChallenge('alice', 0, 0, only('right'));
    assert.equal(feed(other, [{ yaw: 6 }, { yaw: 10, identity: 'bob' }]).state, 'failed');
    const none = new HeadTurnChallenge('alice', 0, 0, only('right'));
    assert.deepEqual(feed(none, [{ yaw: 10, identity: null }]), {
      state: 'failed',
      direction: 'right',
      step: 0,
      reason: 'identity-changed',
    });
  });

  it('each step has its own time window', () => {
    const c = new HeadTurnChallenge('alice', 0, 0, { directions: ['left', 'right'], stepTimeoutMs: 1000 });
    assert.equal(feed(c, [{ yaw: null, identity: null }, { yaw: -20 }]).state, 'pending');
    // Step 2's window runs from when step 1 passed (200 ms): open at 1100, closed after 1200.
    assert.equal(c.observe({ yaw: -10, identity: 'alice', nowMs: 1100 }).state, 'pending');
    assert.deepEqual(c.observe({ yaw: 30, identity: 'alice', nowMs: 1201 }), {
      state: 'failed',
      direction: 'right',
      step: 1,
      reason: 'timeout',
    });
  });

  it(
    'started mid-turn, it waits for the head at rest: looking back at the screen, then turning as asked, passes',
    { todo: 'fails today: wrong-direction, the baseline is the +29° it was recognised at' },
    () => {
      // Recognised at +29° in the middle of a turn (the box barely moves), the person looks back at
      // the screen (about 0°), then turns right as asked: yaws as the real footage comes back from
      // its right turn at 4.1–4.9 s (pad/videos/apfol_real2.webm), shifted to end near 0°.
      const c = new HeadTurnChallenge('alice', 0, 29, only('right'));
      assert.deepEqual(feed(c, [{ yaw: 22 }, { yaw: 10 }, { yaw: 2 }, { yaw: 0 }, { yaw: 1 }]), {
        state: 'pending',
        direction: 'right',
        step: 0,
        yawChange: 0,
      });
      assert.equal(feed(c, [{ yaw: 8 }, { yaw: 18 }], 500).state, 'passed');
    },
  );

  it('keeps its outcome once decided', () => {
    const c = new HeadTurnChallenge('alice', 0, 0, only('right'));
    feed(c, [{ yaw: 20 }]);
    assert.equal(c.observe({ yaw: 0, identity: 'bob', nowMs: 500 }).state, 'passed');
  });
});

describe('LivenessChecker.startChallenge', () => {
  const kps: [number, number][] = [
    [40, 50],
    [70, 50],
    [55, 65],
    [45, 80],
    [65, 80],
  ];

  it('gives a layered check only at level high with liveness on', () => {
    const high = new LivenessChecker(
      null,
      { ...DEFAULT_LIVENESS_SETTINGS, level: 'high' },
      { challenge: { directions: ['right'] } },
    );
    const c = high.startChallenge('alice', { kps }, 0);
    assert.ok(c);
    assert.equal(c.challenge.direction, 'right');
    assert.equal(c.identity, 'alice');
    // The start yaw comes from the face: pose when present.
    const withPose = high.startChallenge('alice', { kps, pose: { pitch: 0, yaw: 10, roll: 0 } }, 0)!;
    assert.equal(withPose.challenge.observe({ yaw: 26, identity: 'alice', nowMs: 1 }).state, 'passed');
    assert.equal(
      new LivenessChecker(null, DEFAULT_LIVENESS_SETTINGS).startChallenge('alice', { kps }, 0),
      null,
    );
    const disabled = { ...DEFAULT_LIVENESS_SETTINGS, enabled: false, level: 'high' as const };
    assert.equal(new LivenessChecker(null, disabled).startChallenge('alice', { kps }, 0), null);
  });

  it('refuses a level that does not exist', () => {
    const bad = {
      ...DEFAULT_LIVENESS_SETTINGS,
      level: 'paranoid',
    } as unknown as typeof DEFAULT_LIVENESS_SETTINGS;
    assert.throws(() => new LivenessChecker(null, bad), /liveness.level/);
  });
});
