// Level high end to end, on real footage played by Chromium's fake camera: the real head
// turn (pad/videos/apfol_real2.webm) and its replay on a phone (apfol_fake2.webm), each made
// into a .y4m by ffmpeg at test time: a sharp, nearly frontal frame held for 10 s (the agreeing
// frames), then the footage's own turns at a third of their speed. The challenge's directions
// are fed to match the footage (REAL_TURNS: left, then right, as the Node footage test plays
// the same stretch); asked the other way round, the same footage is refused by layer 3. Each
// person is enrolled from a frame of the very video the camera plays,
// so the identity surely matches and only liveness can refuse.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { facePath, TEST_PACK_FILES } from '../helpers/fixtures.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/camera-session.js';
import { startRelay, type Relay } from '../helpers/relay.js';
import { REAL_TURNS } from '../helpers/footage.js';
import type { DecisionEvent } from '../../preload/contract/events.js';
import type { SettingsPatch } from '../../preload/contract/settings.js';
import type { TurnDirection } from '../../main/liveness/challenge.js';

const run = promisify(execFile);
const REAL = facePath('pad/videos/apfol_real2.webm');
const REPLAY = facePath('pad/videos/apfol_fake2.webm');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'tobira-liveness-high-'));
const ffmpeg = (args: string[]) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args, '-y']);

/** One frame of `video` at `at` seconds, as a JPEG to enroll from. */
async function still(video: string, at: number, name: string): Promise<string> {
  const out = path.join(scratch, `${name}.jpg`);
  await ffmpeg(['-ss', String(at), '-i', video, '-frames:v', '1', '-q:v', '2', out]);
  return out;
}

/**
 * The frame at `holdAt` held for 10 s (long enough for a busy machine to agree on it), then
 * `seconds` of the footage from there at a third of its speed: the clip lasts over 10 s, so its
 * loop is not taken for replayed frames (liveness/frozen.ts), and a slow kiosk sees every turn.
 */
async function clip(video: string, holdAt: number, seconds: number, name: string): Promise<string> {
  const out = path.join(scratch, `${name}.y4m`);
  // Sensor noise on every frame: a live camera never repeats a frame bit for bit.
  const noise = 'noise=alls=2:allf=t,format=yuv420p';
  await ffmpeg([
    ...['-ss', String(holdAt), '-i', video],
    ...['-ss', String(holdAt), '-t', String(seconds), '-i', video],
    '-filter_complex',
    `[0:v]trim=end_frame=1,loop=loop=299:size=1:start=0,setpts=N/30/TB,${noise}[a];` +
      `[1:v]setpts=3*(PTS-STARTPTS),fps=30,${noise}[b];[a][b]concat=n=2:v=1:a=0[out]`,
    ...['-map', '[out]', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', out],
  ]);
  return out;
}

describe('liveness level high end to end (real head turn and its phone replay)', () => {
  // One data folder per video, each with the one person its camera shows: the replay is a
  // recording of the same man, so a gallery holding both would match either name.
  const dataDirs = {
    Real: mkdtempSync(path.join(os.tmpdir(), 'tobira-liveness-high-real-')),
    Replay: mkdtempSync(path.join(os.tmpdir(), 'tobira-liveness-high-replay-')),
  };
  let relay: Relay;
  let settings: SettingsPatch;

  before(async () => {
    relay = await startRelay();
    settings = { liveness: { enabled: true, threshold: 0.5, level: 'high' }, door: relay.door };
  });
  after(() => relay.close());

  /** A kiosk session whose camera plays `y4m` to `person`, with the challenge asking REAL_TURNS' directions. */
  async function session(
    person: keyof typeof dataDirs,
    y4m: string,
    body: (h: Harness, decisions: DecisionEvent[]) => Promise<void>,
    directions: readonly TurnDirection[] = REAL_TURNS.directions,
  ) {
    const h = await startHarness({
      dataDir: dataDirs[person],
      y4m,
      facePack: TEST_PACK_FILES,
      livenessPack: true,
      settings,
    });
    const decisions: DecisionEvent[] = [];
    h.services.events.subscribe((event, payload) => {
      if (event === 'decision') decisions.push(payload as DecisionEvent);
    });
    try {
      // The footage's turns come when they come, not when the prompt appears: the directions
      // match them, and each step may wait as long as the clip takes to get there.
      h.services.engine.current!.engine.liveness.setChallengeOptions({
        directions,
        stepTimeoutMs: 30_000,
      });
      await h.open();
      await body(h, decisions);
    } finally {
      await h.close();
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

  test('the real head turn: the challenge shows on screen, and the door opens when it is met', async () => {
    // yaw −11° held (sharp), left to −46° at 1.0–1.5 s, right to +32° at 1.7–2.3 s (helpers/footage.ts).
    await enrolled();
    const y4m = await clip(REAL, REAL_TURNS.holdAt, REAL_TURNS.seconds, 'real');
    await session('Real', y4m, async (h, decisions) => {
      /** Waits until the status line shows `prompt`: each step of the challenge, in turn. */
      const onScreen = (prompt: string, shot: string) =>
        waitFor(
          async () =>
            (await h.page.locator('unlock-screen .status .line').innerText()).includes(prompt)
              ? true
              : undefined,
          30_000,
          `'${prompt}' on screen`,
        )
          .catch(async (error: unknown) => {
            const line = await h.page.locator('unlock-screen .status .line').innerText();
            throw new Error(`${String(error)}; screen: '${line}'; decisions: ${JSON.stringify(decisions)}`);
          })
          .then(() => h.screenshot(shot));
      await onScreen('Turn your head to the left', 'unlock-challenge-turn-left');
      await onScreen('Turn your head to the right', 'unlock-challenge-turn-right');
      const unlocked = await waitFor(
        () => decisions.find((d) => d.outcome === 'unlocked' || d.outcome === 'refused'),
        30_000,
        'a decision',
      );
      assert.equal(unlocked.outcome, 'unlocked', `${JSON.stringify(decisions)}; logs: ${h.logs.join(' | ')}`);
      assert.equal(unlocked.personName, 'Real');
      await waitFor(() => (relay.calls.length > 0 ? true : undefined), 5000, 'the relay call');
      const audit = await h.services.audit.read({ limit: 5 });
      assert.equal(audit.records.find((r) => r.outcome === 'unlocked')?.liveness?.live, true);
    });
  });

  test('the real head turn asked the other way round (right first) does not open the door: layer 3 refuses', async () => {
    await enrolled();
    const callsBefore = relay.calls.length;
    const y4m = await clip(REAL, REAL_TURNS.holdAt, REAL_TURNS.seconds, 'real-reversed');
    const reversed = [...REAL_TURNS.directions].reverse();
    await session(
      'Real',
      y4m,
      async (h, decisions) => {
        const refused = await waitFor(
          () => decisions.find((d) => d.outcome === 'refused' || d.outcome === 'unlocked'),
          30_000,
          'a decision',
        );
        assert.equal(refused.reason, 'not_live:challenge', JSON.stringify(decisions));
        assert.equal(relay.calls.length, callsBefore);
        const audit = await h.services.audit.read({ limit: 5 });
        const record = audit.records.find((r) => r.reason === 'not_live:challenge');
        assert.ok(record, JSON.stringify(audit.records.map((r) => r.reason)));
        assert.equal(record.liveness?.live, false);
        assert.ok(
          h.logs.some((l) => l.includes(`wrong-direction (step 1, ${reversed[0]})`)),
          h.logs.join(' | '),
        );
      },
      reversed,
    );
  });

  test('the replay on a phone does not open the door, and the audit log names the layer', async () => {
    await enrolled();
    const callsBefore = relay.calls.length;
    const y4m = await clip(REPLAY, 13, 3, 'replay');
    await session('Replay', y4m, async (h, decisions) => {
      const refused = await waitFor(
        () => decisions.find((d) => d.outcome === 'refused'),
        30_000,
        'a refusal',
      );
      assert.equal(refused.reason, 'not_live:passive');
      assert.equal(decisions.filter((d) => d.outcome === 'unlocked').length, 0);
      assert.equal(relay.calls.length, callsBefore);
      const audit = await h.services.audit.read({ limit: 5 });
      const record = audit.records.find((r) => r.reason === 'not_live:passive');
      assert.ok(record, `no not_live:passive record: ${JSON.stringify(audit.records.map((r) => r.reason))}`);
      assert.equal(record.personName, 'Replay');
      assert.equal(record.liveness?.live, false);
    });
  });
});
