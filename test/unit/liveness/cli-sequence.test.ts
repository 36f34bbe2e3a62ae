// `tobira liveness --frames DIR` and `--video FILE.y4m` on real data: printed photos tilted
// before the camera are refused at level high, each made from a photo held out from everything
// layer 2's threshold was derived from (setup.ts, HELD_OUT_PRINTS: the rule and the photos),
// rendered as paper by main/liveness/paper-motion.ts in poses of their own and written as PNG
// files; the real head-turn footage, cut to .y4m with ffmpeg, passes; its phone replay does not.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { CliIO } from '../../../main/cli/command.js';
import { run } from '../../../main/cli/commands/liveness.js';
import { decodeImageFile } from '../../../main/image/decode.js';
import { facePath } from '../../helpers/fixtures.js';
import { cutY4m, REAL_VIDEO, REPLAY_VIDEO } from '../../helpers/footage.js';
import { renderPaper } from '../../../main/liveness/paper-motion.js';
import { DEFAULT_MIN_PARALLAX, FLOW_MIN_PARALLAX } from '../../../main/liveness/structure.js';
import { HELD_OUT_PRINTS, tempPack, thresholdPhotos } from './setup.js';

const pack = tempPack();
const scratch = mkdtempSync(path.join(os.tmpdir(), 'tobira-liveness-frames-'));
after(() => {
  pack.remove();
  rmSync(scratch, { recursive: true, force: true });
});

interface SequenceJson {
  live: boolean;
  score: number | null;
  level: string;
  layers: {
    passive: { live: boolean; frames: number };
    structure: {
      live: boolean;
      parallax: number;
      flowParallax: number | null;
      motion: number;
      reason?: string;
    } | null;
  };
  reason: string | null;
}

async function cli(argv: string[]): Promise<{ code: number; json: SequenceJson; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  const code = await run(['--models', pack.dir, '--json', ...argv], io);
  return { code, json: JSON.parse(out || 'null') as SequenceJson, err };
}

// Tilted before the camera: turned about both axes, then bent, as a hand holds a print.
const POSES = [
  { yawDeg: 0, pitchDeg: 0 },
  { yawDeg: 12, pitchDeg: -5 },
  { yawDeg: 22, pitchDeg: -10 },
  { yawDeg: 8, pitchDeg: 8, bendDeg: 20 },
  { yawDeg: -15, pitchDeg: 12, bendDeg: 25 },
  { yawDeg: -24, pitchDeg: 4 },
];

/** Writes `photo` in `poses` as PNG frames into a new folder `name`; returns the folder. */
async function printSequence(photo: string, poses: readonly (typeof POSES)[number][], name: string) {
  const image = await decodeImageFile(facePath(photo));
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  for (const [i, pose] of poses.entries()) {
    const f = renderPaper(image, pose);
    // A little noise, as a camera gives: the same print never makes two identical frames.
    const noisy = Buffer.from(f.data.map((v, j) => Math.min(255, v + ((i * 7 + j) % 3))));
    await sharp(noisy, { raw: { width: f.width, height: f.height, channels: 3 } })
      .png()
      .toFile(path.join(dir, `frame-${String(i).padStart(3, '0')}.png`));
  }
  return dir;
}

/** One tilted sequence per held-out photo, in HELD_OUT_PRINTS' order. */
let tilted: string[];
let held: string;
before(async () => {
  tilted = [];
  for (const [i, photo] of HELD_OUT_PRINTS.entries())
    tilted.push(await printSequence(photo, POSES, `tilted-${i}`));
  held = await printSequence(
    HELD_OUT_PRINTS[0],
    Array.from({ length: 5 }, () => POSES[0]!),
    'held',
  );
});

describe('tobira liveness with a sequence', () => {
  it("the printed photos are held out from the threshold's data and the PAD table", () => {
    const seen = new Set(thresholdPhotos());
    for (const photo of HELD_OUT_PRINTS) {
      assert.equal(seen.has(photo), false, photo);
      assert.ok(photo.startsWith('photos/'), `${photo}: pad/ and liveness/ feed the PAD table`);
    }
  });

  it('--frames refuses every held-out printed photo tilted before the camera, at level high', async () => {
    const figures: string[] = [];
    for (const [i, photo] of HELD_OUT_PRINTS.entries()) {
      const r = await cli(['--level', 'high', '--frames', tilted[i]!]);
      assert.equal(r.code, 0, `${photo}: ${r.err}`);
      assert.equal(r.json.live, false, `${photo}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.level, 'high');
      // Layer 2 refuses each on its own, whatever layer 1 said.
      const structure = r.json.layers.structure;
      assert.equal(structure?.live, false, `${photo}: ${JSON.stringify(structure)}`);
      assert.ok(['flat', 'turn_further', 'not_enough_motion'].includes(String(structure.reason)), photo);
      figures.push(
        `${photo.split('/').at(-1)} ${structure.reason} ${structure.parallax.toFixed(3)} (flow ${structure.flowParallax?.toFixed(4) ?? 'none'})`,
      );
    }
    console.log(
      `held-out prints (threshold ${DEFAULT_MIN_PARALLAX}, flow ${FLOW_MIN_PARALLAX}): ${figures.join('; ')}`,
    );
  });

  it('a print held still has no motion to judge: not live, not_enough_motion', async () => {
    const r = await cli(['--frames', held]);
    assert.equal(r.json.level, 'high');
    assert.equal(r.json.live, false);
    assert.equal(r.json.layers.structure?.live, false);
    assert.equal(r.json.layers.structure?.reason, 'not_enough_motion');
    // Layer 1 refuses first when it can: below the threshold, or too few frames pass the door's
    // gates (the printed web photo is small and soft) to fuse.
    assert.ok(
      ['not_enough_motion', 'below_threshold', 'too_few_frames'].includes(String(r.json.reason)),
      String(r.json.reason),
    );
  });

  it('--video: the real head turn passes layers 1 and 2; the phone replay fails layer 1', async () => {
    const real = await cli(['--video', await cutY4m(REAL_VIDEO, { from: 0, seconds: 3, fps: 10 })]);
    assert.equal(real.code, 0, real.err);
    assert.equal(real.json.live, true, JSON.stringify(real.json));
    assert.equal(real.json.layers.structure?.live, true);
    const replay = await cli([
      '--video',
      await cutY4m(REPLAY_VIDEO, { from: 1, seconds: 3, fps: 10 }),
      '--fps',
      '5',
    ]);
    assert.equal(replay.json.live, false);
    assert.equal(replay.json.layers.passive.live, false);
    // The door's gates: the first frame has no frame before it to show the face holding still.
    assert.ok(replay.json.layers.passive.frames >= 3 && replay.json.layers.passive.frames < 15);
  });

  it('--level standard judges the passive layer only', async () => {
    const r = await cli(['--level', 'standard', '--frames', tilted[0]!]);
    assert.equal(r.json.layers.structure, null);
  });

  it('refuses bad arguments with a usage error', async () => {
    const io: CliIO = { out: () => undefined, err: () => undefined };
    for (const argv of [
      ['--frames', tilted[0]!, facePath(HELD_OUT_PRINTS[0])],
      ['--level', 'paranoid', '--frames', tilted[0]!],
      ['--fps', '0', '--frames', tilted[0]!],
      [],
    ]) {
      await assert.rejects(run(['--models', pack.dir, ...argv], io), { name: 'UsageError' }, argv.join(' '));
    }
    await assert.rejects(run(['--models', pack.dir, '--frames', scratch], io), /no .jpg, .png or .webp/);
    await assert.rejects(
      run(['--models', pack.dir, '--video', path.join(scratch, 'none.y4m')], io),
      /cannot read/,
    );
  });
});
