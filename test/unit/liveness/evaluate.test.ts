// APCER/BPCER on ../shared/faces at the default threshold: the numbers the bench reports.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { livenessBenchSection, livenessSamples, parseCsv } from '../../../main/liveness/evaluate.js';
import { DEFAULT_LIVENESS_THRESHOLD } from '../../../main/liveness/liveness.js';
import { facesDir } from '../../helpers/fixtures.js';
import { PRINT, SCREEN, tempPack } from './setup.js';

const pack = tempPack();
after(() => pack.remove());

describe('parseCsv', () => {
  it('reads quoted fields with commas and doubled quotes', () => {
    const rows = parseCsv('file,label,note\r\na.jpg,live,"x, ""y"""\nb.jpg,spoof,\n');
    assert.deepEqual(rows, [
      { file: 'a.jpg', label: 'live', note: 'x, "y"' },
      { file: 'b.jpg', label: 'spoof', note: '' },
    ]);
  });
});

describe('evaluation set', () => {
  it('holds both attacks, and the live photos of liveness/ and of kind=single', async () => {
    const samples = await livenessSamples(facesDir());
    const attacks = samples.filter((s) => s.label === 'attack').map((s) => s.file);
    assert.deepEqual(attacks.sort(), [PRINT, SCREEN]);
    assert.ok(samples.some((s) => s.file === 'photos/face_recognition/obama.jpg' && s.label === 'live'));
    assert.ok(!samples.some((s) => s.file.includes('solvay')), 'multi-face photos are left out');
  });
});

describe('livenessBenchSection', () => {
  it('accepts no attack and refuses at most 20% of live faces at the default threshold', async () => {
    const { lines, json } = await livenessBenchSection(pack.dir, facesDir());
    assert.equal(json.threshold, DEFAULT_LIVENESS_THRESHOLD);
    assert.equal(json.apcer.length, 2);
    for (const a of json.apcer)
      assert.equal(a.apcer, 0, `${a.attackType}: ${a.accepted}/${a.attacks} accepted`);
    assert.equal(json.apcerMax, 0);
    assert.ok(json.bpcer.bonaFide >= 30, `${json.bpcer.bonaFide} live photos`);
    assert.ok(json.bpcer.bpcer <= 0.2, `BPCER ${json.bpcer.bpcer}`);
    assert.equal(json.bpcer.refused, json.samples.filter((s) => s.label === 'live' && !s.live).length);
    assert.match(lines.join('\n'), /APCER printed photo.*: 0\.0%/);
    assert.match(lines.join('\n'), /BPCER: \d+\.\d%/);
    assert.equal(lines.length, 1 + json.apcer.length + 2 + json.samples.length);
    assert.ok(json.medianCheckMs > 0);
  });
});
