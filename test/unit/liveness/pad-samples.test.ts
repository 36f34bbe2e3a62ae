// The liveness layers on every presentation-attack sample of ../shared/faces, judged against
// the labels the data came with (pad/labels.csv, liveness/labels.csv, pad/public/labels.csv).
//
// Which set fitted what, and which one tests it:
// - Layer 1 (the passive MiniFASNet pair, threshold 0.5 and floor 0.2, passive-fusion.ts) was
//   set on liveness/ and pad/ (the bench's PAD table) and the footage in pad/videos. Its testing
//   set is pad/public: 18 clips of other people, kept apart for that (pad/public/README.md).
// - Layer 2 (structure.ts, DEFAULT_MIN_PARALLAX 0.12) was fitted on the live photos of
//   ../shared/faces printed by renderPaper and on pad/videos/apfol_real2.webm. Its testing sets:
//   the pad/ attack stills moved the same way (evaluatePad's 'layer 2 structure' row), and the
//   pad/public clips in which a real head turns.
//
// Nothing is hidden: what the layers get wrong today is listed below as a known failure with its
// reason, and the test checks that exactly those fail, so a fix (issue 18) or a new failure
// both show up here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import type { Point } from '../../../main/insightface/types.js';
import { AntiSpoof } from '../../../main/liveness/anti-spoof.js';
import { parseCsv } from '../../../main/liveness/evaluate.js';
import { cutFrames } from '../../../main/liveness/footage.js';
import { evaluatePad, type Presentation } from '../../../main/liveness/pad-evaluate.js';
import { fusePassive, MIN_FUSED_FRAMES } from '../../../main/liveness/passive-fusion.js';
import { screenFrame } from '../../../main/liveness/screen-frame.js';
import { judgeStructure } from '../../../main/liveness/structure.js';
import { largestFace } from '../../../main/recognition/subject.js';
import { facePath, facesDir } from '../../helpers/fixtures.js';
import { tempPack } from './setup.js';

// The reasons are what pad/labels.csv says of each sample; the causes are issue 18's to find.
const CELEBA_ATTACK = 'CelebA-Spoof attack of unstated type, a web image rather than a camera capture';
const CELEBA_MASK = 'CelebA-Spoof 3-D mask: layer 1 sees a face-shaped object with skin texture';

/** Attack stills that level standard (layer 1 alone) lets through today, and why. */
const KNOWN_ATTACKS_PASSING_STANDARD: Record<string, string> = {
  'pad/reynaraezra-liveness/spoof/5.jpg': CELEBA_ATTACK,
  'pad/reynaraezra-liveness/spoof/65.jpg': CELEBA_ATTACK,
  'pad/trueface-sample-apps/spoof.jpg':
    'a monitor re-filmed by a phone (1080×1920): the pair scores it live, and the screen-frame cue finds only the top and bottom bezel (the left edge is the picture’s own)',
  'pad/xai-face-anti-spoofing/print/137899.jpg': CELEBA_ATTACK,
  'pad/xai-face-anti-spoofing/replay/166192.jpg': CELEBA_ATTACK,
  'pad/xai-face-anti-spoofing/replay/336923.jpg': CELEBA_ATTACK,
  'pad/xai-face-anti-spoofing/toy/105647.jpg': CELEBA_MASK,
  'pad/xai-face-anti-spoofing/toy/320428.jpg': CELEBA_MASK,
  'pad/xai-face-anti-spoofing/toy/351692.jpg': CELEBA_MASK,
};
/** Attack stills that level high lets through today (averaged over the challenge draws), and why. */
const KNOWN_ATTACKS_PASSING_HIGH: Record<string, string> = {};
/** Live stills that layer 1 refuses today, and why. */
const KNOWN_LIVE_REFUSED: Record<string, string> = {
  'pad/reynaraezra-liveness/live/100.jpg': 'a CelebA web photo, not a kiosk capture',
  'pad/xai-face-anti-spoofing/live/008372.jpg': 'a CelebA web photo, not a kiosk capture',
};
/** pad/public clips layer 1 gets wrong today (a live clip refused, a replay accepted), and why. */
const KNOWN_CLIP_FAILURES: Record<string, string> = {
  'zalo_nhtlongcs_train1.mp4':
    'a phone screen re-filmed by a phone (scan lines, a bezel edge at the left), the woman in a surgical mask: accepted',
};
/**
 * Attack stills in which the screen-frame cue sees a frame (screen-frame.ts; its thresholds were
 * set on these stills): phone replays whose bezel is in view on three sides, and one CelebA-Spoof
 * attack of unstated type.
 */
const SCREEN_FRAMES_SEEN = [
  'pad/apfol-liveness-opencv/fake2_f_004.jpg',
  'pad/apfol-liveness-opencv/fake2_f_005.jpg',
  'pad/apfol-liveness-opencv/fake2_f_006.jpg',
  'pad/apfol-liveness-opencv/fake2_f_007.jpg',
  'pad/reynaraezra-liveness/spoof/225.jpg',
  'pad/trueface-sample-apps/far_shot_fake_person.jpg',
];
/** pad/public replays in which the cue sees no frame on most frames, and why. */
const KNOWN_SCREENS_MISSED: Record<string, string> = {
  'zalo_nhtlongcs_train1.mp4': 'the screen fills the camera’s view: no bezel around the face to see',
  'lestari_fake.mp4': 'the fingers holding the phone cover its right side along the face',
};
/** pad/public clips with a head turn in which layer 2 finds no depth today, and why. */
const KNOWN_FLAT_TURNS: Record<string, string> = {
  '1zlab_face.mp4': 'a mild turn (about 15°), from 4 s on: the first 6 s read here hold little of it',
};

const pack = tempPack();
after(() => pack.remove());

/** Labelled rows of a CSV under ../shared/faces. */
const rows = (file: string) => parseCsv(readFileSync(facePath(file), 'utf8'));

/** Names whose outcome disagrees with `expected`, as "name: outcome". */
function failures(list: readonly Presentation[], row: keyof Presentation['outcomes'], expected: number) {
  return list.filter((p) => p.outcomes[row] !== expected).map((p) => p.name);
}

describe('the liveness layers on every PAD still (pad/, liveness/)', () => {
  let stills: Presentation[] = [];
  before(async () => {
    const fa = await FaceAnalysis.load(pack.dir, { allowedModules: ['detection'] });
    const antiSpoof = await AntiSpoof.load(pack.dir);
    try {
      const e = await evaluatePad({ fa, antiSpoof, facesDir: facesDir() });
      stills = e.presentations.filter((p) => p.kind === 'still');
    } finally {
      await antiSpoof.release();
      await fa.release();
    }
  });

  it('presents every labelled still: 68 of pad/ (its 2 videos apart) and 4 of liveness/', () => {
    const expected = [
      ...rows('pad/labels.csv')
        .filter((r) => !r.file!.startsWith('videos/'))
        .map((r) => `pad/${r.file}`),
      ...rows('liveness/labels.csv').map((r) => `liveness/${r.file}`),
    ].sort();
    assert.equal(expected.length, 72);
    assert.deepEqual(stills.map((p) => p.name).sort(), expected);
    const attacks = new Set(
      [
        ...rows('pad/labels.csv')
          .filter((r) => r.is_attack === '1')
          .map((r) => `pad/${r.file}`),
        ...rows('liveness/labels.csv')
          .filter((r) => r.label === 'spoof')
          .map((r) => `liveness/${r.file}`),
      ].filter((name) => !name.startsWith('pad/videos/')),
    );
    for (const p of stills) assert.equal(p.label !== 'live', attacks.has(p.name), p.name);
  });

  it('level standard refuses every attack still but the known ones', () => {
    const attacks = stills.filter((p) => p.label !== 'live');
    assert.deepEqual(
      failures(attacks, 'standard', 0).sort(),
      Object.keys(KNOWN_ATTACKS_PASSING_STANDARD).sort(),
    );
  });

  // None today: the known failures of level standard are all refused here (layers 2 and 3).
  it('level high refuses every attack still but the known ones, on every challenge draw', () => {
    const attacks = stills.filter((p) => p.label !== 'live');
    assert.deepEqual(failures(attacks, 'high', 0).sort(), Object.keys(KNOWN_ATTACKS_PASSING_HIGH).sort());
  });

  it('the screen-frame cue sees a frame around no live still, and around the known attack stills', () => {
    const seen = (p: Presentation) => p.outcomes['screen frame cue'] === 0;
    assert.deepEqual(
      stills.filter((p) => p.label === 'live' && seen(p)).map((p) => p.name),
      [],
    );
    assert.deepEqual(
      stills
        .filter((p) => p.label !== 'live' && seen(p))
        .map((p) => p.name)
        .sort(),
      SCREEN_FRAMES_SEEN,
    );
  });

  it('layer 1 accepts every live still but the known ones', () => {
    const live = stills.filter((p) => p.label === 'live');
    assert.deepEqual(failures(live, 'layer 1 passive', 1).sort(), Object.keys(KNOWN_LIVE_REFUSED).sort());
  });
});

describe('the liveness layers on every pad/public clip (the testing set)', () => {
  const clips = rows('pad/public/labels.csv');
  let fa: FaceAnalysis;
  let antiSpoof: AntiSpoof;
  /**
   * Per clip: whether layer 1 calls it live, (head turns) whether layer 2 finds depth, and on
   * how many of its frames with a face the screen-frame cue sees a frame.
   */
  const verdicts = new Map<
    string,
    { passive: boolean; structure: boolean | null; screens: number; faces: number }
  >();

  before(async () => {
    fa = await FaceAnalysis.load(pack.dir, { allowedModules: ['detection'] });
    antiSpoof = await AntiSpoof.load(pack.dir);
    for (const clip of clips) {
      // The first 6 s at 10 fps: a door attempt's length (agreeing frames, rest, two turns).
      const { frames } = await cutFrames(facePath(`pad/public/${clip.file}`), {
        from: 0,
        seconds: Math.min(6, Number(clip.duration_s)),
        fps: 10,
      });
      const scores: number[] = [];
      const kps: Point[][] = [];
      let screens = 0;
      for (const image of frames) {
        const face = largestFace(await fa.detect(image));
        if (!face) continue;
        kps.push(face.kps);
        if (screenFrame(image, face).screen) screens++;
        if (scores.length < MIN_FUSED_FRAMES) scores.push((await antiSpoof.predict(image, face.bbox)).score);
      }
      verdicts.set(clip.file!, {
        passive: fusePassive(scores).live,
        structure: clip.head_turn === 'yes' ? judgeStructure(kps).live : null,
        screens,
        faces: kps.length,
      });
    }
  });
  after(async () => {
    await antiSpoof?.release();
    await fa?.release();
  });

  it('has 15 live clips and 3 replays', () => {
    assert.deepEqual(
      [clips.filter((c) => c.kind === 'live').length, clips.filter((c) => c.kind === 'replay').length],
      [15, 3],
    );
  });

  it('layer 1 accepts the live clips and refuses the replays, but the known ones', () => {
    const wrong = clips
      .filter((c) => verdicts.get(c.file!)!.passive !== (c.kind === 'live'))
      .map((c) => c.file!);
    assert.deepEqual(wrong.sort(), Object.keys(KNOWN_CLIP_FAILURES).sort());
  });

  // The testing set of the screen-frame cue (its thresholds come from the PAD stills; its reach
  // was narrowed after a first run here, screen-frame.ts says why).
  it('the screen-frame cue sees a frame on no frame of a real person', () => {
    const seen = clips.filter((c) => c.kind === 'live' && verdicts.get(c.file!)!.screens > 0);
    assert.deepEqual(
      seen.map((c) => `${c.file}: ${verdicts.get(c.file!)!.screens}`),
      [],
    );
  });

  it('and on most frames of every replay, but the known ones', (t) => {
    const replays = clips.filter((c) => c.kind === 'replay');
    for (const c of replays) {
      const v = verdicts.get(c.file!)!;
      t.diagnostic(`${c.file}: a screen frame on ${v.screens} of ${v.faces} frames with a face`);
    }
    const missed = replays.filter((c) => {
      const v = verdicts.get(c.file!)!;
      return !(v.screens > v.faces / 2);
    });
    assert.deepEqual(missed.map((c) => c.file!).sort(), Object.keys(KNOWN_SCREENS_MISSED).sort());
  });

  it('layer 2 finds a real head turning in depth, but the known ones', () => {
    const flat = clips
      .filter((c) => c.kind === 'live' && verdicts.get(c.file!)!.structure === false)
      .map((c) => c.file!);
    assert.deepEqual(flat.sort(), Object.keys(KNOWN_FLAT_TURNS).sort());
  });
});
