// The head-turn challenge's state machine, and how the checker offers it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadTurnChallenge, type ChallengeObservation } from '../../../main/liveness/challenge.js';
import { DEFAULT_LIVENESS_SETTINGS, LivenessChecker } from '../../../main/liveness/liveness.js';

const LEFT = { random: () => 0.1 };
const RIGHT = { random: () => 0.9 };

function feed(
  c: HeadTurnChallenge,
  frames: Partial<ChallengeObservation>[],
): ReturnType<HeadTurnChallenge['observe']> {
  let status = c.current;
  frames.forEach((f, i) => {
    status = c.observe({ yaw: 0, identity: 'alice', nowMs: (i + 1) * 100, ...f });
  });
  return status;
}

describe('HeadTurnChallenge', () => {
  it('picks the direction at random', () => {
    assert.equal(new HeadTurnChallenge('alice', 0, 0, LEFT).direction, 'left');
    assert.equal(new HeadTurnChallenge('alice', 0, 0, RIGHT).direction, 'right');
  });

  it('passes when the yaw moves the asked way by enough (left = yaw decreasing)', () => {
    const left = new HeadTurnChallenge('alice', 0, 2, LEFT);
    const s = feed(left, [{ yaw: 0 }, { yaw: -8 }, { yaw: -12 }]);
    assert.equal(s.state, 'pending');
    const done = feed(left, [{ yaw: -20 }]);
    assert.deepEqual(done, { state: 'passed', direction: 'left', yawChange: 22 });

    const right = new HeadTurnChallenge('alice', 0, null, RIGHT);
    // No start yaw: the first observed yaw is the baseline.
    assert.equal(feed(right, [{ yaw: -5 }, { yaw: 5 }, { yaw: 12 }]).state, 'passed');
  });

  it('fails when the head turns the other way', () => {
    const c = new HeadTurnChallenge('alice', 0, 0, LEFT);
    assert.deepEqual(feed(c, [{ yaw: 5 }, { yaw: 16 }]), {
      state: 'failed',
      direction: 'left',
      reason: 'wrong-direction',
    });
  });

  it('fails when another identity (or none) is matched mid-turn', () => {
    const other = new HeadTurnChallenge('alice', 0, 0, RIGHT);
    const s = feed(other, [{ yaw: 6 }, { yaw: 10, identity: 'bob' }, { yaw: 20 }]);
    assert.deepEqual(s, { state: 'failed', direction: 'right', reason: 'identity-changed' });
    const none = new HeadTurnChallenge('alice', 0, 0, RIGHT);
    assert.equal(feed(none, [{ yaw: 10, identity: null }]).state, 'failed');
  });

  it('waits through frames without a face, and times out', () => {
    const c = new HeadTurnChallenge('alice', 0, 0, { ...RIGHT, timeoutMs: 1000 });
    assert.equal(feed(c, [{ yaw: null, identity: null }, { yaw: 5 }]).state, 'pending');
    assert.deepEqual(c.observe({ yaw: 30, identity: 'alice', nowMs: 1001 }), {
      state: 'failed',
      direction: 'right',
      reason: 'timeout',
    });
  });

  it('keeps its outcome once decided', () => {
    const c = new HeadTurnChallenge('alice', 0, 0, RIGHT);
    feed(c, [{ yaw: 20 }]);
    assert.equal(c.observe({ yaw: 0, identity: 'bob', nowMs: 500 }).state, 'passed');
  });
});

describe('LivenessChecker.startChallenge', () => {
  it('gives a challenge only with liveness and the challenge setting on', () => {
    const kps: [number, number][] = [
      [40, 50],
      [70, 50],
      [55, 65],
      [45, 80],
      [65, 80],
    ];
    const on = new LivenessChecker(
      null,
      { ...DEFAULT_LIVENESS_SETTINGS, challenge: true },
      { challenge: RIGHT },
    );
    const c = on.startChallenge('alice', { kps }, 0);
    assert.ok(c);
    assert.equal(c.direction, 'right');
    // The start yaw comes from the face: pose when present.
    const withPose = on.startChallenge('alice', { kps, pose: { pitch: 0, yaw: 10, roll: 0 } }, 0)!;
    assert.equal(withPose.observe({ yaw: 26, identity: 'alice', nowMs: 1 }).state, 'passed');
    assert.equal(
      new LivenessChecker(null, DEFAULT_LIVENESS_SETTINGS).startChallenge('alice', { kps }, 0),
      null,
    );
    const disabled = { ...DEFAULT_LIVENESS_SETTINGS, enabled: false, challenge: true };
    assert.equal(new LivenessChecker(null, disabled).startChallenge('alice', { kps }, 0), null);
  });
});
