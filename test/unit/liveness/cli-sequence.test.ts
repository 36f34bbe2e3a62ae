// `tobira liveness --frames DIR` and `--video FILE.y4m` on real data: a printed photo tilted
// before the camera (knn_examples/test/kit_with_rose.jpg, a photo no other test uses, rendered
// as paper by test/helpers/paper-motion.ts and written as PNG files) is refused at level high;
// the real head-turn footage, cut to .y4m with ffmpeg, passes; its phone replay does not.
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
import { tempPack } from './setup.js';

const UNSEEN = 'photos/face_recognition/knn_examples/test/kit_with_rose.jpg';
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
    structure: { live: boolean; parallax: number } | null;
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

let tilted: string;
let held: string;
before(async () => {
  const photo = await decodeImageFile(facePath(UNSEEN));
  // Tilted before the camera: turned about both axes, then bent, as a hand holds a print.
  const poses = [
    { yawDeg: 0, pitchDeg: 0 },
    { yawDeg: 12, pitchDeg: -5 },
    { yawDeg: 22, pitchDeg: -10 },
    { yawDeg: 8, pitchDeg: 8, bendDeg: 20 },
    { yawDeg: -15, pitchDeg: 12, bendDeg: 25 },
    { yawDeg: -24, pitchDeg: 4 },
  ];
  tilted = path.join(scratch, 'tilted');
  held = path.join(scratch, 'held');
  const still = [poses[0]!, poses[0]!, poses[0]!];
  for (const [dir, list] of [
    [tilted, poses],
    [held, still],
  ] as const) {
    mkdirSync(dir);
    for (const [i, pose] of list.entries()) {
      const f = renderPaper(photo, pose);
      // A little noise, as a camera gives: the same print never makes two identical frames.
      const noisy = Buffer.from(f.data.map((v, j) => Math.min(255, v + ((i * 7 + j) % 3))));
      await sharp(noisy, { raw: { width: f.width, height: f.height, channels: 3 } })
        .png()
        .toFile(path.join(dir, `frame-${String(i).padStart(3, '0')}.png`));
    }
  }
});

describe('tobira liveness with a sequence', () => {
  it('--frames refuses a printed photo tilted before the camera, at level high', async () => {
    const r = await cli(['--level', 'high', '--frames', tilted]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json.live, false, JSON.stringify(r.json));
    assert.equal(r.json.level, 'high');
    assert.equal(r.json.layers.passive.frames, 6);
    assert.equal(r.json.layers.structure?.live, false);
    assert.ok(r.json.reason === 'flat' || r.json.reason === 'below_threshold', String(r.json.reason));
  });

  it('a print held still has no motion to judge: not live, not_enough_motion', async () => {
    const r = await cli(['--frames', held]);
    assert.equal(r.json.level, 'high');
    assert.equal(r.json.live, false);
    assert.equal(r.json.layers.structure?.live, false);
    assert.ok(['not_enough_motion', 'below_threshold'].includes(String(r.json.reason)));
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
    assert.equal(replay.json.layers.passive.frames, 15);
  });

  it('--level standard judges the passive layer only', async () => {
    const r = await cli(['--level', 'standard', '--frames', tilted]);
    assert.equal(r.json.layers.structure, null);
  });

  it('refuses bad arguments with a usage error', async () => {
    const io: CliIO = { out: () => undefined, err: () => undefined };
    for (const argv of [
      ['--frames', tilted, facePath(UNSEEN)],
      ['--level', 'paranoid', '--frames', tilted],
      ['--fps', '0', '--frames', tilted],
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
