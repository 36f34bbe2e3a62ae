// One kiosk session in Chromium whose camera plays a photo: a fresh browser
// (the fake camera's file is fixed at launch) over a data folder that persists
// between sessions, with the decisions main announces collected.
import { makeY4m } from './y4m.js';
import { startHarness, type Harness, type HarnessOptions } from './harness.js';
import type { DecisionEvent } from '../../preload/contract/events.js';

export async function cameraSession(
  photo: string,
  options: HarnessOptions,
  run: (h: Harness, decisions: DecisionEvent[]) => Promise<void>,
): Promise<void> {
  // 8 s before the clip loops: a real camera never repeats itself, and a looped clip is a
  // replayed feed to the liveness check (liveness/frozen.ts), which breaks the live evidence a
  // decision needs (distinct images among the agreeing frames, recognition/decision.ts).
  const y4m = await makeY4m([photo], { secondsEach: 8 });
  const h = await startHarness({ ...options, y4m });
  const decisions: DecisionEvent[] = [];
  h.services.events.subscribe((event, payload) => {
    if (event === 'decision') decisions.push(payload as DecisionEvent);
  });
  try {
    await h.open();
    await run(h, decisions);
  } finally {
    await h.close();
  }
}

export { waitFor } from './deadline.js';
