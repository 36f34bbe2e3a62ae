import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { decodeImageFile } from '../../../main/image/decode.js';
import { DEFAULT_DECISION, DecisionEngine } from '../../../main/recognition/decision.js';
import type { DecisionConfig, FrameDecision, FrameInput } from '../../../main/recognition/decision.js';
import type { GalleryEntry } from '../../../main/store/enrollment-store.js';
import type { Face, PixelImage } from '../../../main/insightface/types.js';
import { facePath } from '../../helpers/fixtures.js';
import { judgeFrame } from '../../../main/recognition/judge-frame.js';
import { defaultThreshold } from '../../../main/recognition/thresholds.js';
import { REFERENCE_RECOGNIZER, referenceFaces } from '../../helpers/reference-faces.js';

// Real photos and InsightFace's own detections/embeddings for them; the camera is simulated by
// feeding the same photo as consecutive frames.
/** The threshold a user of this recognizer gets (thresholds.ts). */
const THRESHOLD = defaultThreshold({ file: 'w600k_mbf_int8_dynq.onnx', id: REFERENCE_RECOGNIZER }).threshold;
const OBAMA_ENROLLED = 'photos/face_recognition/obama.jpg';
const BIDEN_ENROLLED = 'photos/face_recognition/biden.jpg';
const OBAMA_PROBE = 'photos/face_recognition/obama2.jpg';
// Of the testing half (test/helpers/identification.ts), never seen by the threshold's fit.
const STRANGER = 'photos/inspireface/Teresa_Williams_0001_1k.jpg';
const TWO_PEOPLE = 'photos/face_recognition/knn_examples/test/obama_and_biden.jpg';

interface Photo {
  faces: Face[];
  image: PixelImage | null;
  width: number;
  height: number;
}
type Frame = Pick<FrameInput, 'judgement'>;
const photos = new Map<string, Photo>();
const frames = new Map<string, Frame>();

/** A frame as the kiosk hands it to the engine: judged once (judge-frame.ts) with the default gates. */
const judged = (photo: Photo): Frame => ({
  judgement: judgeFrame(photo.faces, photo.image, photo, DEFAULT_DECISION),
});

async function loadFrame(file: string): Promise<void> {
  const image = await decodeImageFile(facePath(file));
  const photo = { faces: referenceFaces(file), image, width: image.width, height: image.height };
  photos.set(file, photo);
  frames.set(file, judged(photo));
}

function entry(personId: string, name: string, file: string): GalleryEntry {
  return { personId, name, templates: [referenceFaces(file)[0]!.normedEmbedding!] };
}

const GALLERY = [entry('p-obama', 'Obama', OBAMA_ENROLLED), entry('p-biden', 'Biden', BIDEN_ENROLLED)];

function engine(patch: Partial<DecisionConfig> = {}): DecisionEngine {
  const e = new DecisionEngine({
    ...DEFAULT_DECISION,
    recognizerId: REFERENCE_RECOGNIZER,
    threshold: THRESHOLD,
    ...patch,
  });
  e.setGallery(GALLERY);
  return e;
}

/** Feeds `file` at 100 ms intervals from `start`; returns every frame's decision. */
function play(
  e: DecisionEngine,
  file: string,
  count: number,
  start: number,
  extra: Partial<FrameInput> = {},
) {
  const out: FrameDecision[] = [];
  for (let i = 0; i < count; i++)
    out.push(e.processFrame({ ...frames.get(file)!, now: start + i * 100, ...extra }));
  return out;
}

describe('DecisionEngine on real faces', () => {
  before(async () => {
    for (const f of [OBAMA_PROBE, STRANGER, TWO_PEOPLE]) await loadFrame(f);
  });

  it('unlocks an enrolled person after N agreeing frames, then holds a cooldown', () => {
    const e = engine();
    const d = play(e, OBAMA_PROBE, 3, 0);
    assert.deepEqual(
      d.map((x) => x.state),
      ['checking', 'checking', 'unlocked'],
    );
    assert.deepEqual(d[0]?.progress, { count: 1, required: 3 });
    const final = d[2]?.final;
    assert.ok(final);
    assert.equal(final.outcome, 'unlocked');
    assert.equal(final.personName, 'Obama');
    assert.ok(final.score! >= THRESHOLD && final.score! < 1, `score ${final.score}`);
    assert.ok(final.gates.every((g) => g.passed));
    assert.ok('liveness' in final && final.liveness === null);

    const again = play(e, OBAMA_PROBE, 6, 1000);
    assert.equal(again.at(-1)?.state, 'cooldown');
    assert.ok(
      again.every((x) => x.final === null),
      'no second unlock inside the cooldown',
    );
    const later = play(e, OBAMA_PROBE, 3, 20_000);
    assert.equal(later.at(-1)?.final?.outcome, 'unlocked');
  });

  it('needs the N frames within T seconds', () => {
    const e = engine({ windowMs: 2000 });
    const slow = [0, 1500, 3000, 4500].map((now) => e.processFrame({ ...frames.get(OBAMA_PROBE)!, now }));
    assert.ok(slow.every((x) => x.state === 'checking' && x.final === null));
  });

  it('never names a stranger; logs one rejection per attempt and locks out after repeated failures', () => {
    const e = engine({ rejectHoldMs: 3000, maxFailures: 3, lockoutMs: 30_000 });
    const first = play(e, STRANGER, 3, 0);
    assert.equal(first[2]?.state, 'rejected');
    assert.equal(first[2]?.final?.reason, 'unknown_face');
    assert.equal(first[2]?.final?.personName, null);
    assert.ok(first.every((x) => x.match === null));
    assert.ok((first[2]?.score ?? 1) < THRESHOLD);
    const held = play(e, STRANGER, 6, 400);
    assert.ok(
      held.every((x) => x.final === null),
      'the same attempt is not logged again',
    );
    const finals = [...play(e, STRANGER, 3, 5000), ...play(e, STRANGER, 3, 10_000)]
      .map((x) => x.final?.outcome)
      .filter(Boolean);
    assert.deepEqual(finals, ['rejected', 'locked_out']);
    const locked = play(e, OBAMA_PROBE, 5, 11_000);
    assert.ok(
      locked.every((x) => x.state === 'locked_out' && x.final === null),
      'nobody unlocks while locked out',
    );
    assert.ok(locked[0]!.retryAfterMs > 0);
    assert.equal(play(e, OBAMA_PROBE, 3, 41_000).at(-1)?.state, 'unlocked');
  });

  it('an unlock a liveness layer refuses afterwards counts towards the lockout, and lifts the cooldown', () => {
    const e = engine({ maxFailures: 2, lockoutMs: 30_000, cooldownMs: 10_000 });
    const granted = play(e, OBAMA_PROBE, 3, 0).at(-1)!.final!;
    assert.equal(granted.outcome, 'unlocked');
    const refused = e.revokeUnlock(granted, 'not_live:passive', { live: false, score: 0.1 }, 400);
    assert.deepEqual(
      [refused.outcome, refused.reason, refused.personName, refused.liveness?.live],
      ['rejected', 'not_live:passive', 'Obama', false],
    );
    // No cooldown: the next attempt is judged at once, and a second refusal locks out.
    const again = play(e, OBAMA_PROBE, 3, 1000).at(-1)!;
    assert.equal(again.state, 'unlocked');
    assert.equal(e.revokeUnlock(again.final!, 'not_live:structure', null, 1400).outcome, 'locked_out');
  });

  it('does not unlock while a second face is in view', () => {
    const e = engine();
    const d = play(e, TWO_PEOPLE, 10, 0);
    assert.ok(d.every((x) => x.state === 'guidance' && x.guidance === 'one_person' && x.final === null));
  });

  it('detection-only frames give guidance without advancing or breaking the streak', () => {
    const e = engine();
    const obama = frames.get(OBAMA_PROBE)!;
    const photo = photos.get(OBAMA_PROBE)!;
    const detectionOnly = judged({
      ...photo,
      faces: photo.faces.map((f) => ({ ...f, normedEmbedding: undefined })),
    });
    e.processFrame({ ...obama, now: 0 });
    const between = e.processFrame({ ...detectionOnly, now: 50 });
    assert.deepEqual([between.state, between.progress.count, between.final], ['checking', 1, null]);
    e.processFrame({ ...obama, now: 100 });
    assert.equal(e.processFrame({ ...obama, now: 200 }).state, 'unlocked');
    const small = judged({
      ...photo,
      faces: [{ ...photo.faces[0]!, normedEmbedding: undefined, bbox: [0, 0, 50, 60] }],
    });
    assert.equal(e.processFrame({ ...small, now: 300 }).guidance, 'come_closer');
  });

  it('a frame failing a gate breaks the streak', () => {
    const e = engine();
    const obama = frames.get(OBAMA_PROBE)!;
    e.processFrame({ ...obama, now: 0 });
    e.processFrame({ ...obama, now: 100 });
    const blind = e.processFrame({ ...judged({ ...photos.get(OBAMA_PROBE)!, image: null }), now: 200 });
    assert.equal(blind.state, 'guidance');
    assert.equal(e.processFrame({ ...obama, now: 300 }).progress.count, 1);
  });

  it('with liveness required, every agreeing frame must be live (fail closed)', () => {
    const e = engine({ livenessRequired: true });
    const unmeasured = play(e, OBAMA_PROBE, 3, 0);
    assert.equal(unmeasured[2]?.final?.outcome, 'rejected');
    assert.equal(unmeasured[2]?.final?.reason, 'not_live');
    assert.ok(
      unmeasured.every((x) => x.match === null),
      'a spoof is not shown a name',
    );

    const e2 = engine({ livenessRequired: true });
    const obama = frames.get(OBAMA_PROBE)!;
    const live = { live: true, score: 0.97, evidenceMs: 1000, newImage: true };
    e2.processFrame({ ...obama, now: 0, liveness: live });
    e2.processFrame({ ...obama, now: 100, liveness: live });
    const spoofed = e2.processFrame({ ...obama, now: 200, liveness: { live: false, score: 0.2 } });
    assert.notEqual(spoofed.state, 'unlocked');
    const ok = play(e2, OBAMA_PROBE, 3, 300, { liveness: live });
    assert.equal(ok[2]?.final?.outcome, 'unlocked');
    assert.deepEqual(ok[2]?.final?.liveness, live);
  });

  it('with liveness required, agreeing live frames wait until the live evidence spans long enough', () => {
    const e = engine({ livenessRequired: true, minLiveEvidenceMs: 600 });
    // The attack of issue 9: a few agreeing, "live" frames inside a fraction of a second.
    const quick = [0, 100, 200, 300].map((t) =>
      e.processFrame({
        ...frames.get(OBAMA_PROBE)!,
        now: t,
        liveness: { live: true, score: 0.99, evidenceMs: t, newImage: true },
      }),
    );
    assert.ok(
      quick.every((x) => x.final === null && x.state === 'checking'),
      quick.map((x) => x.state).join(),
    );
    // The same person, still live at 600 ms of evidence: now the streak may conclude.
    const later = e.processFrame({
      ...frames.get(OBAMA_PROBE)!,
      now: 600,
      liveness: { live: true, score: 0.99, evidenceMs: 600, newImage: true },
    });
    assert.equal(later.final?.outcome, 'unlocked');
    // Without a known span, nothing opens.
    const e2 = engine({ livenessRequired: true, minLiveEvidenceMs: 600 });
    const unknown = play(e2, OBAMA_PROBE, 6, 0, { liveness: { live: true, score: 0.99, newImage: true } });
    assert.ok(unknown.every((x) => x.final === null));
  });

  it('with liveness required, the agreeing frames must show distinct camera images', () => {
    const obama = frames.get(OBAMA_PROBE)!;
    const live = (newImage: boolean, evidenceMs: number) => ({
      live: true,
      score: 0.99,
      evidenceMs,
      newImage,
    });
    // A still picture: one new image, then repeats (frozen.ts: bits flipped, under STILL_MAD),
    // scored live by the models for as long as it is shown. However long the live span, no unlock.
    const still = engine({ livenessRequired: true });
    const held = Array.from({ length: 15 }, (_, i) =>
      still.processFrame({ ...obama, now: i * 100, liveness: live(i === 0, 5000 + i * 100) }),
    );
    assert.ok(
      held.every((x) => x.final === null && x.state === 'checking'),
      held.map((x) => x.state).join(),
    );
    // The images are counted inside the streak: live frames of someone else before the photo
    // lend it nothing (the photo after a live stranger, compromised-renderer.test.ts).
    const borrowed = engine({ livenessRequired: true });
    const stranger = frames.get(STRANGER)!;
    for (let i = 0; i < 3; i++)
      borrowed.processFrame({ ...stranger, now: i * 100, liveness: live(true, 1000 + i * 100) });
    const after = Array.from({ length: 5 }, (_, i) =>
      borrowed.processFrame({ ...obama, now: 300 + i * 100, liveness: live(i === 0, 1300 + i * 100) }),
    );
    assert.ok(
      after.every((x) => x.final === null),
      after.map((x) => x.state).join(),
    );
    // A slow camera sampled twice per image: a new image every other frame. The third image opens.
    const slow = engine({ livenessRequired: true });
    const states = Array.from({ length: 5 }, (_, i) =>
      slow.processFrame({ ...obama, now: i * 100, liveness: live(i % 2 === 0, 200 + i * 100) }),
    );
    assert.deepEqual(
      states.map((x) => x.state),
      ['checking', 'checking', 'checking', 'checking', 'unlocked'],
    );
    // A live camera: every frame a new image, so the 3 agreeing frames are enough (the default
    // span, two capture periods, is reached by the third frame).
    const camera = engine({ livenessRequired: true });
    const quick = Array.from({ length: 3 }, (_, i) =>
      camera.processFrame({ ...obama, now: i * 100, liveness: live(true, i * 100) }),
    );
    assert.deepEqual(
      quick.map((x) => x.state),
      ['checking', 'checking', 'unlocked'],
    );
  });

  it('takes the caller’s judgement of the frame as it is: each frame is judged once', () => {
    const obama = photos.get(OBAMA_PROBE)!;
    const config = { ...DEFAULT_DECISION, recognizerId: REFERENCE_RECOGNIZER, threshold: 0.3 };
    const judged = judgeFrame(obama.faces, obama.image, obama, config);
    assert.equal(judged.passed, true, JSON.stringify(judged.quality?.gates));
    // The same judgement the engine would make: the same outcome.
    assert.equal(play(engine(), OBAMA_PROBE, 3, 0, { judgement: judged })[2]?.final?.outcome, 'unlocked');
    // A judgement that says "two people" is not second-guessed from the faces.
    const twoPeople = { ...judged, passed: false, onePerson: { ...judged.onePerson, passed: false } };
    const refused = engine().processFrame({ now: 0, judgement: twoPeople });
    assert.equal(refused.guidance, 'one_person');
  });

  it('1:1 verifies against the claimed person only', () => {
    const e = engine({ mode: 'verify', claimTimeoutMs: 5000 });
    assert.equal(play(e, OBAMA_PROBE, 1, 0)[0]?.state, 'awaiting_claim');

    e.claim('p-biden', 100);
    const wrong = play(e, OBAMA_PROBE, 3, 200);
    assert.equal(wrong[2]?.final?.reason, 'claim_mismatch');
    assert.equal(wrong[2]?.final?.personName, 'Biden', 'the log names who was claimed');
    assert.equal(e.claimedPersonId, null, 'a failed claim is used up');

    e.claim('p-obama', 600);
    const right = play(e, OBAMA_PROBE, 3, 700);
    assert.equal(right[2]?.final?.outcome, 'unlocked');
    assert.equal(right[2]?.final?.mode, 'verify');

    e.claim('p-biden', 20_000);
    const timeout = e.processFrame({
      ...judged({ faces: [], image: null, width: 640, height: 480 }),
      now: 26_000,
    });
    assert.equal(timeout.final?.reason, 'claim_timeout');
    assert.equal(e.claimFailed(26_100).reason, 'wrong_claim_pin');
  });

  it('never matches a template of another size (another recognizer)', () => {
    const e = engine();
    e.setGallery([{ personId: 'x', name: 'Other', templates: [new Float32Array(128).fill(0.08)] }]);
    const d = play(e, OBAMA_PROBE, 3, 0);
    assert.equal(d[2]?.final?.reason, 'unknown_face');
    assert.equal(d[2]?.score, null);
  });
});
