// APCER/BPCER on ../shared/faces at the default threshold: the numbers the bench reports.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { decodeImageFile } from '../../../main/image/decode.js';
import { FaceAnalysis } from '../../../main/insightface/face_analysis.js';
import { livenessBenchSection, livenessSamples, parseCsv } from '../../../main/liveness/evaluate.js';
import {
  DEFAULT_LIVENESS_SETTINGS,
  DEFAULT_LIVENESS_THRESHOLD,
  LivenessChecker,
} from '../../../main/liveness/liveness.js';
import { faceThatCounts } from '../../../main/recognition/subject.js';
import { facePath, facesDir } from '../../helpers/fixtures.js';
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
    // The counts come from the label files, read here on their own (plain CSV: no quoted commas
    // in the columns read): 2 attacks and 2 live captures in liveness/, 35 single-face photos.
    const rows = (file: string) =>
      readFileSync(facePath(file), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(','));
    const attackRows = rows('liveness/labels.csv').filter((r) => r[1] === 'spoof');
    const liveCount =
      rows('liveness/labels.csv').filter((r) => r[1] === 'live').length +
      rows('labels.csv').filter((r) => r[2] === 'single').length;
    assert.deepEqual(
      json.apcer.map((a) => [a.attackType, a.attacks]).sort(),
      attackRows.map((r) => [r[2], 1]).sort(),
    );
    assert.equal(json.bpcer.bonaFide, liveCount);
    assert.equal(liveCount, 37);
    // Every verdict checked again here, one photo at a time, with the checker itself.
    const fa = await FaceAnalysis.load(pack.dir, { allowedModules: ['detection'] });
    const checker = await LivenessChecker.create(pack.dir, DEFAULT_LIVENESS_SETTINGS);
    let refused = 0;
    try {
      for (const s of json.samples) {
        const image = await decodeImageFile(facePath(s.file));
        const face = faceThatCounts(await fa.detect(image), image);
        const live = face ? (await checker.checkFace(image, face)).live : false;
        assert.equal(s.live, live, `${s.file}: the report says ${s.live ? 'live' : 'refused'}`);
        if (s.label === 'attack') assert.equal(live, false, `${s.file} (${s.attackType}) passed`);
        else if (!live) refused++;
      }
    } finally {
      await checker.release();
      await fa.release();
    }
    for (const a of json.apcer)
      assert.equal(a.apcer, 0, `${a.attackType}: ${a.accepted}/${a.attacks} accepted`);
    assert.equal(json.apcerMax, 0);
    assert.equal(json.bpcer.refused, refused);
    assert.ok(refused / liveCount <= 0.2, `BPCER ${refused}/${liveCount}`);
    assert.match(lines.join('\n'), /APCER printed photo.*: 0\.0%/);
    assert.match(lines.join('\n'), new RegExp(`BPCER: ${((refused / liveCount) * 100).toFixed(1)}%`));
    assert.equal(lines.length, 1 + attackRows.length + 2 + liveCount + attackRows.length);
    assert.ok(json.medianCheckMs > 0);
  });
});
