// The `tobira` CLI in process: output shapes, exit codes, and one bad file not stopping a run.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commands, main } from '../../../main/cli/tobira.js';
import { facePath } from '../../helpers/fixtures.js';
import { makeTestPack } from '../../helpers/test-pack.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

describe('tobira CLI', () => {
  let pack: string;
  before(() => {
    pack = makeTestPack();
  });
  after(() => rmSync(pack, { recursive: true, force: true }));

  it('analyze --json: {"images": {path: faces | null}}, snake_case fields, bad file → null and exit 1', async () => {
    const bad = path.join(os.tmpdir(), `tobira-cli-bad-${process.pid}.jpg`);
    writeFileSync(bad, 'not a jpeg');
    try {
      const good = facePath('photos/face_recognition/ex_two_people.jpg');
      const none = facePath('photos/inspireface/view.jpg');
      const r = await run('analyze', '--models', pack, '--json', good, bad, none);
      assert.equal(r.code, 1);
      assert.match(r.err, /not-a-jpeg|not a decodable image/);
      const json = JSON.parse(r.out) as { images: Record<string, Record<string, unknown>[] | null> };
      assert.deepEqual(Object.keys(json.images), [good, bad, none]);
      assert.equal(json.images[bad], null);
      assert.deepEqual(json.images[none], []);
      const faces = json.images[good]!;
      assert.equal(faces.length, 2);
      for (const f of faces) {
        assert.deepEqual(Object.keys(f), ['bbox', 'kps', 'det_score', 'embedding']);
        assert.equal((f.bbox as number[]).length, 4);
        assert.equal((f.kps as number[][]).length, 5);
        const e = f.embedding as number[];
        assert.equal(e.length, 512);
        assert.ok(Math.abs(Math.hypot(...e) - 1) < 1e-5, 'L2-normalised');
      }
    } finally {
      rmSync(bad, { force: true });
    }
  });

  it('analyze --max-num 1 --det-size auto keeps one face', async () => {
    const r = await run(
      'analyze',
      '--models',
      pack,
      '--det-size',
      'auto',
      '--max-num',
      '1',
      '--json',
      facePath('photos/insightface/t1.jpg'),
    );
    assert.equal(r.code, 0);
    assert.equal(Object.values(JSON.parse(r.out).images as Record<string, unknown[]>)[0]!.length, 1);
  });

  it('compare: similarity and decision', async () => {
    const same = await run(
      'compare',
      facePath('photos/face_recognition/obama.jpg'),
      facePath('photos/face_recognition/obama2.jpg'),
      '--models',
      pack,
      '--json',
    );
    assert.equal(same.code, 0);
    const s = JSON.parse(same.out);
    assert.equal(s.same, true);
    // The recognizer's own threshold: 0.29, calibrated for the int8 w600k_mbf on the fitting half
    // of ../shared/faces (thresholds.ts).
    assert.equal(s.threshold, 0.29);
    const diff = await run(
      'compare',
      facePath('photos/face_recognition/obama.jpg'),
      facePath('photos/face_recognition/biden.jpg'),
      '--models',
      pack,
    );
    assert.match(diff.out, /^similarity -?0\.\d{4}: different people \(threshold 0\.29\)/);
  });

  it('compare: a photo without a face is a runtime error (exit 1)', async () => {
    const r = await run(
      'compare',
      facePath('photos/inspireface/view.jpg'),
      facePath('photos/face_recognition/obama.jpg'),
      '--models',
      pack,
    );
    assert.equal(r.code, 1);
    assert.match(r.err, /view\.jpg: no face found/);
  });

  it('bench --json: median_ms, p90_ms, threads, stages', async () => {
    const r = await run(
      'bench',
      '--models',
      pack,
      '--frames',
      '3',
      '--threads',
      '1',
      '--json',
      facePath('photos/face_recognition/obama.jpg'),
    );
    assert.equal(r.code, 0);
    const b = JSON.parse(r.out);
    assert.equal(b.threads, 1);
    assert.ok(b.median_ms > 0 && b.p90_ms >= b.median_ms);
    for (const stage of ['det_pre', 'det_run', 'det_post', 'align', 'rec_pre', 'rec_run'])
      assert.ok(stage in b.stages, stage);
  });

  const usage: [string, string[], RegExp][] = [
    ['no command', [], /Usage: tobira <command>/],
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['missing --models', ['analyze', 'x.jpg'], /--models DIR is required/],
    ['bad --det-size', ['analyze', '--models', '.', '--det-size', '100', 'x.jpg'], /multiples of 32/],
    // One sentence and one line of usage, not parseArgs' paragraph about '--'.
    [
      'unknown option',
      ['analyze', '--frob', 'x'],
      /^tobira analyze: unknown option '--frob'\nusage: tobira analyze .*\(tobira analyze --help for more\)\n$/,
    ],
    ['option without its value', ['compare', 'a.jpg', 'b.jpg', '--threshold'], /--threshold needs a value\n/],
    [
      '--threshold above 1',
      ['compare', 'a.jpg', 'b.jpg', '--threshold', '1.5'],
      /between -1 and 1, got '1\.5'/,
    ],
    [
      '--threshold not a number',
      ['identify', '--threshold', 'high', 'a.jpg'],
      /--threshold: expected a number/,
    ],
    ['--threshold below -1', ['identify', '--threshold=-2', 'a.jpg'], /between -1 and 1, got '-2'/],
    ['a negative value after a space', ['identify', '--threshold', '-2', 'a.jpg'], /--threshold=VALUE/],
    ['compare with one image', ['compare', 'a.jpg', '--models', '.'], /expected two images, got 1/],
    [
      'bench --frames 0',
      ['bench', '--models', '.', '--frames', '0', 'a.jpg'],
      /--frames: expected an integer ≥ 1/,
    ],
  ];
  for (const [what, argv, message] of usage) {
    it(`usage error (${what}) → exit 2`, async () => {
      const r = await run(...argv);
      assert.equal(r.code, 2);
      assert.match(r.out + r.err, message);
      assert.doesNotMatch(r.err, /To specify a positional argument/);
    });
  }

  it('a missing models folder says how to get one', async () => {
    const nowhere = path.join(os.tmpdir(), `tobira-no-models-${process.pid}`);
    const r = await run('compare', '--models', nowhere, 'a.jpg', 'b.jpg');
    assert.equal(r.code, 1);
    assert.match(r.err, /no models folder at .*: install a pack .* or pass --models DIR/);
  });

  it('--help prints the usage of the engine’s commands', async () => {
    for (const name of ['analyze', 'compare', 'bench', 'bench-suite']) {
      assert.ok(name in commands, name);
      const r = await run(name, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`tobira ${name}`));
    }
  });
});
