// `tobira liveness --models DIR --json IMAGE` on real photos; exit 0 live or not, 1 on errors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { CliIO } from '../../../main/cli/command.js';
import { main } from '../../../main/cli/tobira.js';
import { run } from '../../../main/cli/commands/liveness.js';
import { facePath } from '../../helpers/fixtures.js';
import { LIVE, PRINT, SCREEN, tempPack } from './setup.js';

const pack = tempPack();
const noLiveness = tempPack(['det_500m.onnx']);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'tobira-liveness-cli-'));
after(() => {
  pack.remove();
  noLiveness.remove();
  rmSync(scratch, { recursive: true, force: true });
});

async function cli(
  argv: string[],
  via: 'run' | 'main' = 'run',
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) };
  const code = via === 'run' ? await run(argv, io) : await main(['liveness', ...argv], io);
  return { code, out, err };
}

describe('tobira liveness', () => {
  it('prints live=false with the score for the print and the screen, and exits 0', async () => {
    for (const p of [PRINT, SCREEN]) {
      const r = await cli(['--models', pack.dir, '--json', facePath(p)]);
      assert.equal(r.code, 0, r.err);
      const json = JSON.parse(r.out) as { live: boolean; score: number; face: { bbox: number[] } };
      assert.equal(json.live, false);
      assert.ok(json.score >= 0 && json.score < 0.5, `${p}: ${json.score}`);
      assert.equal(json.face.bbox.length, 4);
    }
  });

  it('prints live=true for a live face, through the dispatcher too', async () => {
    const r = await cli(['--models', pack.dir, '--json', facePath(LIVE[0])], 'main');
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out) as { live: boolean; score: number; face: { bbox: number[] } };
    assert.equal(json.live, true);
    assert.ok(json.score > 0.5);
    const [x1, y1, x2, y2] = json.face.bbox as [number, number, number, number];
    assert.ok(x2 > x1 && y2 > y1);
  });

  it('exits non-zero with a clear message for errors', async () => {
    const notImage = path.join(scratch, 'not-an-image.jpg');
    writeFileSync(notImage, 'hello');
    const cases: { argv: string[]; code: number; message: RegExp }[] = [
      {
        argv: ['--models', pack.dir, '--json', facePath('photos/inspireface/view.jpg')],
        code: 1,
        message: /no face found/,
      },
      { argv: ['--models', pack.dir, '--json', notImage], code: 1, message: /not-an-image\.jpg/ },
      {
        argv: ['--models', pack.dir, '--json', path.join(scratch, 'missing.jpg')],
        code: 1,
        message: /missing\.jpg.*ENOENT/,
      },
      {
        argv: ['--models', noLiveness.dir, '--json', facePath(PRINT)],
        code: 1,
        message: /liveness models missing/,
      },
      { argv: ['--json', facePath(PRINT)], code: 2, message: /--models DIR is required/ },
      { argv: ['--models', pack.dir, '--threshold', '2', facePath(PRINT)], code: 2, message: /threshold/ },
    ];
    for (const c of cases) {
      const r = await cli(c.argv, 'main');
      assert.equal(r.code, c.code, `${c.argv.join(' ')}: ${r.err}`);
      assert.match(r.err, c.message);
      assert.equal(r.out, '');
    }
  });
});
