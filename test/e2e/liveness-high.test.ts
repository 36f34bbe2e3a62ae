// Level high end to end at the product's own settings: the challenge draws its directions at
// random (Math.random, in main), each turn gets the product's window (DEFAULT_STEP_TIMEOUT_MS,
// 3 s), and the footage plays at the speed it was filmed. Nothing in the challenge is set by the
// test: the frame results are checked to carry the defaults, and the drawn directions are read
// from the screen, as the person at the door reads them.
//
// The person at the camera reacts to the prompt, so the camera is one the test steers
// (test/web/scripted-camera.ts, harness option `camera`): Chromium's --use-file-for-fake-video-
// capture plays one file from start to end and cannot answer a draw it does not know. It stands
// in for getUserMedia on the capture page only; the product's capture code grabs its frames and
// sends them through the IPC bridge to main as from a real camera. What it shows is cut by
// ffmpeg at test time from the real head-turn footage (pad/videos/apfol_real2.webm, 30 frames/s,
// played at 15): `rest`, the sharp, nearly frontal frame at 0.72 s (yaw −11°) while the kiosk
// recognises and the challenge waits for the head to rest; `left`, the footage's own left turn
// from that frame (0.72–1.52 s: −11° to −46°, back to −30°); `right`, the same frames mirrored
// (hflip): the same man's head turning to his right. That mirror is the one liberty taken with
// the footage, and it is said here: the footage has no right turn that starts from rest (each
// swings in from a left turn), and a mirrored head is still a real 3-D head turning, the
// parallax the structure layer measures; its first frame, at +11°, follows the rest at −11°, a
// 22° step that the footage's own swings (−30° to +21° in 160 ms) outpace. After a segment the
// camera shows the rest again (REST_BETWEEN_MS at least), so a second turn starts from the centre.
//
// The UI page keeps Chromium's own fake camera (its test pattern): the door decides on the
// capture page's frames only (main/frames/frame-routing.ts), so the screen's picture is not it.
// On a machine shared with other jobs the kiosk can be starved of frames, and a person who did as
// asked refused for time alone ('not_at_rest', 'too_slow'); they try again, as at a door, up to
// ATTEMPTS times, and every attempt with its draw is in the test's diagnostics. No other miss is
// retried. (This found a door-screen bug: the miss hid the next attempt's arrow; see door.test.)
//
// Both sides: a person who follows the prompt opens the door; one who turns the wrong way, and
// one who turns only after the window, do not. The phone replay (apfol_fake2.webm) plays on
// Chromium's own fake camera at its own speed and is refused by layer 1 before any prompt.
// Each person is enrolled from a frame of the very video the camera plays, so the identity surely
// matches and only liveness can refuse.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { facePath, TEST_PACK_FILES } from '../helpers/fixtures.js';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness.js';
import { waitFor } from '../helpers/camera-session.js';
import { startRelay, type Relay } from '../helpers/relay.js';
import type { ChallengeMiss, DecisionEvent } from '../../preload/contract/events.js';
import type { ChallengeView, FrameResult } from '../../preload/contract/frames.js';
import type { SettingsPatch } from '../../preload/contract/settings.js';
import {
  DEFAULT_CHALLENGE_STEPS,
  DEFAULT_STEP_TIMEOUT_MS,
  type TurnDirection,
} from '../../main/liveness/challenge.js';

const run = promisify(execFile);
const REAL = facePath('pad/videos/apfol_real2.webm');
const REPLAY = facePath('pad/videos/apfol_fake2.webm');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'tobira-liveness-high-'));
const ffmpeg = (args: string[]) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args, '-y']);
/** The steered camera's frame rate: half the footage's 30, above the kiosk's 12.5 frames/s capture. */
const CAMERA_FPS = 15;
/** The rest frame and the left turn (helpers/footage.ts measured them with det_500m's keypoints). */
const REST_AT = 0.72;
const TURN_SECONDS = 0.8;
/**
 * The rest shown between two turns, in ms: the head back at the centre, 4 frames of the kiosk's
 * 12.5 frames/s capture. The challenge's second turn counts only after the head came back short
 * of half a turn (challenge.ts), as a person's does.
 */
const REST_BETWEEN_MS = 300;
/** Tries a person makes at most (see attempts()). */
const ATTEMPTS = 3;

/** One frame of `video` at `at` seconds, as a JPEG to enroll from. */
async function still(video: string, at: number, name: string): Promise<string> {
  const out = path.join(scratch, `${name}.jpg`);
  await ffmpeg(['-ss', String(at), '-i', video, '-frames:v', '1', '-q:v', '2', out]);
  return out;
}

/** `seconds` of `video` from `from` as PNG frames at CAMERA_FPS, through `filter` too. */
async function frames(
  video: string,
  from: number,
  seconds: number,
  name: string,
  filter = '',
): Promise<string[]> {
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const vf = `fps=${CAMERA_FPS}${filter ? `,${filter}` : ''}`;
  await ffmpeg([
    '-ss',
    String(from),
    '-t',
    String(seconds),
    '-i',
    video,
    '-vf',
    vf,
    path.join(dir, '%03d.png'),
  ]);
  return readdirSync(dir)
    .sort()
    .map((f) => path.join(dir, f));
}

/** The real footage as the steered camera plays it: the rest, the left turn, and it mirrored. */
async function realCamera(): Promise<NonNullable<HarnessOptions['camera']>> {
  const [left, right] = await Promise.all([
    frames(REAL, REST_AT, TURN_SECONDS, 'left'),
    frames(REAL, REST_AT, TURN_SECONDS, 'right', 'hflip'),
  ]);
  return { fps: CAMERA_FPS, restMs: REST_BETWEEN_MS, segments: { rest: left.slice(0, 1), left, right } };
}

/**
 * The replay: its frame at 13 s held for 10 s (long enough for a busy machine to agree on it),
 * then 3 s of the footage at its own speed, as a .y4m for Chromium's fake camera. The clip lasts
 * over 10 s, so its loop is not taken for replayed frames (liveness/frozen.ts).
 */
async function replayClip(): Promise<string> {
  const out = path.join(scratch, 'replay.y4m');
  // Sensor noise on every frame: a live camera never repeats a frame bit for bit.
  const noise = 'noise=alls=2:allf=t,format=yuv420p';
  await ffmpeg([
    ...['-ss', '13', '-i', REPLAY],
    ...['-ss', '13', '-t', '3', '-i', REPLAY],
    '-filter_complex',
    `[0:v]trim=end_frame=1,loop=loop=299:size=1:start=0,setpts=N/30/TB,${noise}[a];` +
      `[1:v]setpts=PTS-STARTPTS,fps=30,${noise}[b];[a][b]concat=n=2:v=1:a=0[out]`,
    ...['-map', '[out]', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', out],
  ]);
  return out;
}

const other = (d: TurnDirection): TurnDirection => (d === 'left' ? 'right' : 'left');

describe('liveness level high end to end (random draw, product timing, real head turns)', () => {
  // One data folder per video, each with the one person its camera shows: the replay is a
  // recording of the same man, so a gallery holding both would match either name.
  const dataDirs = {
    Real: mkdtempSync(path.join(os.tmpdir(), 'tobira-liveness-high-real-')),
    Replay: mkdtempSync(path.join(os.tmpdir(), 'tobira-liveness-high-replay-')),
  };
  let relay: Relay;
  let settings: SettingsPatch;
  let camera: Promise<NonNullable<HarnessOptions['camera']>>;

  before(async () => {
    relay = await startRelay();
    settings = { liveness: { enabled: true, threshold: 0.5, level: 'high' }, door: relay.door };
    camera = realCamera();
  });
  after(() => relay.close());

  interface Seen {
    decisions: DecisionEvent[];
    /** Every challenge step main reported, as the door shows it. */
    challenges: ChallengeView[];
  }

  /** A kiosk session for `person` with the given camera; the challenge is the product's own. */
  async function session(
    person: keyof typeof dataDirs,
    cameraOptions: Pick<HarnessOptions, 'camera' | 'y4m'>,
    body: (h: Harness, seen: Seen) => Promise<void>,
  ) {
    const h = await startHarness({
      dataDir: dataDirs[person],
      ...cameraOptions,
      facePack: TEST_PACK_FILES,
      livenessPack: true,
      settings,
    });
    const seen: Seen = { decisions: [], challenges: [] };
    h.services.events.subscribe((event, payload) => {
      if (event === 'decision') seen.decisions.push(payload as DecisionEvent);
      const challenge = event === 'frameResult' ? (payload as FrameResult).challenge : undefined;
      if (challenge) seen.challenges.push(challenge);
    });
    try {
      await h.open();
      await body(h, seen);
    } finally {
      await h.close();
    }
  }

  /**
   * Waits for step `step` of the challenge on screen ("1 of 2" with its arrow) and returns the
   * direction it asks, as the person reads it; or the decision, when one came first (after the
   * first `since`).
   */
  async function prompt(
    h: Harness,
    seen: Seen,
    step: number,
    since: number,
  ): Promise<{ direction: TurnDirection } | { decided: DecisionEvent }> {
    const expected = `${step + 1} of ${DEFAULT_CHALLENGE_STEPS}`;
    return waitFor(
      async () => {
        const decided = seen.decisions[since];
        if (decided) return { decided };
        // One read of the screen, which does not wait: the prompt may go between two reads.
        const shown = await h.page
          .locator('unlock-screen .challenge')
          .evaluateAll((els) =>
            els.map((el) => [
              el.getAttribute('data-direction'),
              el.querySelector('.step')?.textContent?.trim(),
            ]),
          );
        const direction = shown.find(([, text]) => text === expected)?.[0];
        return direction === 'left' || direction === 'right' ? { direction } : undefined;
      },
      60_000,
      `step ${expected} of the challenge on screen`,
    );
  }

  /** The person at the camera turns `direction` (the footage's turn), and back to the rest. */
  const turn = (h: Harness, direction: TurnDirection) =>
    h.capturePage.evaluate((name) => window.scriptedCamera.play(name), direction);

  /** The decision after the first `since`. */
  const decision = (seen: Seen, since: number) => waitFor(() => seen.decisions[since], 60_000, 'a decision');

  /**
   * Runs `attempt` until it ends in a decision other than a miss in `retry`, at most ATTEMPTS
   * times. A machine shared with other jobs can starve the kiosk of frames, so that a person who
   * did as asked is refused for time ('not_at_rest': no 3 frames at rest in 2 s; 'too_slow'):
   * that person tries again, as people at a door do. Every attempt is listed in the test's
   * diagnostics, and a miss of any other kind is final.
   */
  async function attempts(
    t: TestContext,
    retry: readonly ChallengeMiss[],
    attempt: (since: number) => Promise<{ decided: DecisionEvent; asked: TurnDirection[] }>,
    seen: Seen,
  ): Promise<{ decided: DecisionEvent; asked: TurnDirection[] }> {
    for (let n = 1; ; n++) {
      const result = await attempt(seen.decisions.length);
      const { decided, asked } = result;
      t.diagnostic(
        `attempt ${n}: drawn ${asked.join(', ') || '(no prompt yet)'}: ${decided.outcome} ${decided.reason} ${decided.challengeMiss ?? ''}`,
      );
      const miss = decided.challengeMiss;
      if (n >= ATTEMPTS || !miss || !retry.includes(miss)) return result;
    }
  }

  /**
   * An attempt refused at step 1 for `miss`: the person reads the prompt, then `act`s on the
   * direction asked; the decision must be that miss (checked here, with the draw in the message).
   */
  async function missAtStep1(
    t: TestContext,
    h: Harness,
    seen: Seen,
    miss: ChallengeMiss,
    act: (asked: TurnDirection) => Promise<unknown>,
  ): Promise<{ decided: DecisionEvent; asked: TurnDirection[] }> {
    const result = await attempts(
      t,
      ['not_at_rest'],
      async (since) => {
        const shown = await prompt(h, seen, 0, since);
        if ('decided' in shown) return { decided: shown.decided, asked: [] };
        await act(shown.direction);
        return { decided: await decision(seen, since), asked: [shown.direction] };
      },
      seen,
    );
    const { decided, asked } = result;
    assert.deepEqual(
      [decided.outcome, decided.reason, decided.challengeMiss],
      ['refused', 'not_live:challenge', miss],
      `asked ${asked.join(', ')}: ${JSON.stringify(seen.decisions)}`,
    );
    return result;
  }

  /** The steps main reported ran at the product's defaults (the test set nothing). */
  function productSettings(seen: Seen): void {
    assert.ok(seen.challenges.length > 0, 'main reported the challenge');
    for (const c of seen.challenges) {
      assert.equal(c.steps, DEFAULT_CHALLENGE_STEPS);
      assert.equal(c.windowMs, DEFAULT_STEP_TIMEOUT_MS);
    }
  }

  /** Enrolls both people once, for whichever test needs them first: each test runs alone too. */
  let enrolment: Promise<void> | null = null;
  const enrolled = () => (enrolment ??= enrollBoth());
  async function enrollBoth() {
    const people: [keyof typeof dataDirs, string][] = [
      ['Real', await still(REAL, 7.6, 'real-enroll')],
      ['Replay', await still(REPLAY, 13, 'replay-enroll')],
    ];
    for (const [name, photo] of people) {
      const dataDir = dataDirs[name];
      const h = await startHarness({ dataDir, facePack: TEST_PACK_FILES, livenessPack: true, settings });
      try {
        await h.open();
        h.picks.push([photo]);
        const rows = await h.page.evaluate(async (name) => {
          const api = window.tobira;
          const state = await api.getAdminState(undefined);
          if (state.ok && !state.value.unlocked) {
            const set = state.value.pinSet
              ? await api.adminLogin({ pin: '864200' })
              : await api.setAdminPin({ pin: '864200' });
            if (!set.ok) throw new Error(set.message);
          }
          const person = await api.addPerson({ name });
          if (!person.ok) throw new Error(person.message);
          const imported = await api.importPhotos({ id: person.value.id, pin: '864200' });
          if (!imported.ok) throw new Error(imported.message);
          return imported.value;
        }, name);
        assert.deepEqual(
          rows.map((r) => r.ok),
          [true],
          `${name}: ${rows[0]?.reason}`,
        );
      } finally {
        await h.close();
      }
    }
  }

  test('each person is enrolled from a frame of the video the camera will play', () => enrolled());

  test('a person who follows the random prompt opens the door at the product settings', async (t) => {
    await enrolled();
    await session('Real', { camera: await camera }, async (h, seen) => {
      /** Where this attempt's challenge views start in seen.challenges. */
      let from = 0;
      const { decided, asked } = await attempts(
        t,
        ['not_at_rest', 'too_slow'],
        async (since) => {
          from = seen.challenges.length;
          const asked: TurnDirection[] = [];
          for (let step = 0; step < DEFAULT_CHALLENGE_STEPS; step++) {
            const shown = await prompt(h, seen, step, since);
            if ('decided' in shown) return { decided: shown.decided, asked };
            asked.push(shown.direction);
            if (step === 0) await h.screenshot(`unlock-challenge-turn-${shown.direction}`);
            await turn(h, shown.direction);
          }
          return { decided: await decision(seen, since), asked };
        },
        seen,
      );
      const context = `drawn: ${asked.join(', ')}; ${JSON.stringify(seen.decisions)}; logs: ${h.logs.join(' | ')}`;
      assert.equal(decided.outcome, 'unlocked', context);
      assert.equal(decided.personName, 'Real');
      productSettings(seen);
      assert.deepEqual(
        [...new Map(seen.challenges.slice(from).map((c) => [c.step, c.direction])).values()],
        asked,
        'main asked what the screen showed',
      );
      await waitFor(() => (relay.calls.length > 0 ? true : undefined), 5000, 'the relay call');
      const audit = await h.services.audit.read({ limit: 5 });
      assert.equal(audit.records.find((r) => r.outcome === 'unlocked')?.liveness?.live, true);
    });
  });

  test('a person who turns the wrong way does not open the door: layer 3 refuses', async (t) => {
    await enrolled();
    const callsBefore = relay.calls.length;
    await session('Real', { camera: await camera }, async (h, seen) => {
      const { asked } = await missAtStep1(t, h, seen, 'wrong_way', (asked) => turn(h, other(asked)));
      productSettings(seen);
      assert.equal(relay.calls.length, callsBefore);
      assert.ok(
        h.logs.some((l) => l.includes(`wrong-direction (step 1, ${asked[0]})`)),
        h.logs.join(' | '),
      );
      const audit = await h.services.audit.read({ limit: 5 });
      assert.equal(audit.records.find((r) => r.reason === 'not_live:challenge')?.liveness?.live, false);
    });
  });

  test('a person who turns only after the window does not open the door: layer 3 refuses, too slow', async (t) => {
    await enrolled();
    const callsBefore = relay.calls.length;
    await session('Real', { camera: await camera }, async (h, seen) => {
      // Still at rest while the step's window runs out; the refusal comes when it has.
      const { asked } = await missAtStep1(t, h, seen, 'too_slow', async () => undefined);
      // The turn, now too late, opens nothing.
      await turn(h, asked[0]!);
      productSettings(seen);
      assert.equal(seen.decisions.filter((d) => d.outcome === 'unlocked').length, 0);
      assert.equal(relay.calls.length, callsBefore);
    });
  });

  test('the replay on a phone does not open the door, and the audit log names the layer', async () => {
    await enrolled();
    const callsBefore = relay.calls.length;
    await session('Replay', { y4m: await replayClip() }, async (h, seen) => {
      const refused = await waitFor(
        () => seen.decisions.find((d) => d.outcome === 'refused'),
        60_000,
        'a refusal',
      );
      assert.equal(refused.reason, 'not_live:passive');
      assert.equal(seen.decisions.filter((d) => d.outcome === 'unlocked').length, 0);
      assert.equal(relay.calls.length, callsBefore);
      const audit = await h.services.audit.read({ limit: 5 });
      const record = audit.records.find((r) => r.reason === 'not_live:passive');
      assert.ok(record, `no not_live:passive record: ${JSON.stringify(audit.records.map((r) => r.reason))}`);
      assert.equal(record.personName, 'Replay');
      assert.equal(record.liveness?.live, false);
    });
  });
});
