// ISO/IEC 30107-3 error rates of the passive check on the photos in ../shared/faces:
// APCER per attack type (share of attack presentations accepted as live) and BPCER (share of
// bona fide presentations refused). Attacks: liveness/labels.csv; bona fide: its live rows
// plus every kind=single photo of faces/labels.csv.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeImageFile } from '../image/decode.js';
import { FaceAnalysis } from '../insightface/face_analysis.js';
import type { Face, PixelImage } from '../insightface/types.js';
import { DEFAULT_LIVENESS_SETTINGS, LivenessChecker } from './liveness.js';
import { faceThatCounts } from '../recognition/subject.js';

/** Minimal RFC 4180 CSV: quoted fields may hold commas and doubled quotes. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

export interface LivenessSample {
  /** Path relative to the faces folder. */
  file: string;
  label: 'live' | 'attack';
  attackType?: string;
}

/** The evaluation set: the attacks and live photos of liveness/, and the single-face photos. */
export async function livenessSamples(facesDir: string): Promise<LivenessSample[]> {
  const out: LivenessSample[] = [];
  const liveness = parseCsv(await readFile(path.join(facesDir, 'liveness', 'labels.csv'), 'utf8'));
  for (const r of liveness) {
    const file = path.posix.join('liveness', r.file!);
    if (r.label === 'spoof') out.push({ file, label: 'attack', attackType: r.attack_type || 'unspecified' });
    else if (r.label === 'live') out.push({ file, label: 'live' });
    else throw new Error(`liveness/labels.csv: ${r.file}: unknown label '${r.label}'`);
  }
  for (const r of parseCsv(await readFile(path.join(facesDir, 'labels.csv'), 'utf8'))) {
    if (r.kind === 'single') out.push({ file: r.file!, label: 'live' });
  }
  return out;
}

export interface SampleResult extends LivenessSample {
  live: boolean;
  score: number;
  reason?: string;
  bbox?: Face['bbox'];
}

export interface LivenessEvaluation {
  threshold: number;
  detector: string;
  /** Per attack type, ISO/IEC 30107-3 APCER. */
  apcer: { attackType: string; attacks: number; accepted: number; apcer: number }[];
  /** The worst attack type's APCER (30107-3's APCER_max over the types). */
  apcerMax: number;
  bpcer: { bonaFide: number; refused: number; bpcer: number };
  /** Median wall time of one passive check (both models, crop and resize included), ms. */
  medianCheckMs: number;
  samples: SampleResult[];
}

export type Detect = (image: PixelImage) => Promise<Face[]>;

/** Runs the passive check on the largest face of every sample; no face counts as refused. */
export async function evaluateLiveness(
  checker: LivenessChecker,
  detect: Detect,
  facesDir: string,
  detector = 'detector',
): Promise<LivenessEvaluation> {
  const samples: SampleResult[] = [];
  const times: number[] = [];
  for (const s of await livenessSamples(facesDir)) {
    const image = await decodeImageFile(path.join(facesDir, s.file));
    const face = faceThatCounts(await detect(image), image);
    if (!face) {
      samples.push({ ...s, live: false, score: Number.NaN, reason: 'no face' });
      continue;
    }
    const t0 = performance.now();
    const v = await checker.checkFace(image, face);
    times.push(performance.now() - t0);
    samples.push({
      ...s,
      live: v.live,
      score: v.score,
      bbox: face.bbox,
      ...(v.reason ? { reason: v.reason } : {}),
    });
  }
  const types = [...new Set(samples.filter((s) => s.label === 'attack').map((s) => s.attackType!))];
  const apcer = types.map((attackType) => {
    const of = samples.filter((s) => s.attackType === attackType);
    const accepted = of.filter((s) => s.live).length;
    return { attackType, attacks: of.length, accepted, apcer: accepted / of.length };
  });
  const bona = samples.filter((s) => s.label === 'live');
  const refused = bona.filter((s) => !s.live).length;
  return {
    threshold: checker.currentSettings.threshold,
    detector,
    apcer,
    apcerMax: Math.max(0, ...apcer.map((a) => a.apcer)),
    bpcer: { bonaFide: bona.length, refused, bpcer: bona.length ? refused / bona.length : 0 },
    medianCheckMs: Number((times.sort((a, b) => a - b)[times.length >> 1] ?? Number.NaN).toFixed(2)),
    samples,
  };
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** Human-readable lines: the rates, then every photo's score and decision. */
export function formatEvaluation(e: LivenessEvaluation): string[] {
  const lines = [`liveness (passive, MiniFASNetV2 + V1SE), threshold ${e.threshold}, detector ${e.detector}`];
  for (const a of e.apcer)
    lines.push(`  APCER ${a.attackType}: ${pct(a.apcer)} (${a.accepted}/${a.attacks} accepted)`);
  lines.push(`  BPCER: ${pct(e.bpcer.bpcer)} (${e.bpcer.refused}/${e.bpcer.bonaFide} live faces refused)`);
  lines.push(`  median check time: ${e.medianCheckMs} ms per face`);
  for (const s of e.samples) {
    const score = Number.isNaN(s.score) ? '  -  ' : s.score.toFixed(3);
    const kind = s.label === 'attack' ? `attack: ${s.attackType}` : 'live';
    lines.push(
      `  ${score} ${s.live ? 'LIVE   ' : 'REFUSED'} ${s.file} (${kind}${s.reason ? `; ${s.reason}` : ''})`,
    );
  }
  return lines;
}

/**
 * The benchmark's liveness section. `modelsDir` holds the two liveness models; the detector
 * is the SCRFD in `detectorDir` (default: the same folder).
 */
export async function livenessBenchSection(
  modelsDir: string,
  facesDir: string,
  detectorDir: string = modelsDir,
): Promise<{ lines: string[]; json: LivenessEvaluation }> {
  const fa = await FaceAnalysis.load(detectorDir, { allowedModules: ['detection'] });
  const checker = await LivenessChecker.create(modelsDir, DEFAULT_LIVENESS_SETTINGS);
  try {
    if (!checker.available) throw new Error(`${modelsDir}: the liveness models are not there`);
    const json = await evaluateLiveness(checker, (img) => fa.detect(img), facesDir, fa.info.detector.file);
    return { lines: formatEvaluation(json), json };
  } finally {
    await checker.release();
    await fa.release();
  }
}
