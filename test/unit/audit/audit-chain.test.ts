// The audit chain and `tobira audit verify`: a clean log passes; an edited, a
// removed and a reordered line each fail, naming the first bad line; the chain
// holds across rotated files; old unchained logs stay readable.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { AuditLog } from '../../../main/audit/audit-log.js';
import {
  CHAIN_KEY_PURPOSE,
  hashLine,
  PUBLIC_KEY_FILE,
  SIGN_KEY_PURPOSE,
  signingKeyFromSeed,
} from '../../../main/audit/audit-chain.js';
import type { AuditInput } from '../../../main/audit/types.js';
import { anchorProblem, verifyAuditLog } from '../../../main/audit/verify.js';
import { main } from '../../../main/cli/tobira.js';
import { EnrollmentStore } from '../../../main/store/enrollment-store.js';
import { FileKeyWrapper } from '../../../main/store/key-file.js';

const decision = (n: number): AuditInput => ({
  mode: 'identify',
  outcome: n % 3 === 0 ? 'unlocked' : 'rejected',
  reason: n % 3 === 0 ? 'match' : 'unknown_face',
  personId: null,
  personName: n % 3 === 0 ? `Person ${n}` : null,
  score: 0.1 + n / 100,
  threshold: 0.4,
  recognizerId: 'w600k_mbf',
  gates: [{ name: 'face_size', passed: true, value: 180 }],
  liveness: null,
  door: null,
});

/** A data folder laid out as the app's: a CLI store (key file beside it) and its audit folder. */
async function dataDir(): Promise<{ dir: string; audit: string; store: EnrollmentStore }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tobira-chain-'));
  const wrapper = await FileKeyWrapper.open(path.join(dir, 'store.key'), { create: true });
  const store = await EnrollmentStore.open(path.join(dir, 'store'), wrapper);
  return { dir, audit: path.join(dir, 'audit'), store };
}

async function fill(audit: string, store: EnrollmentStore, n: number, options = {}): Promise<AuditLog> {
  // Keyed as the app keys it (store/open-store.ts): MAC and signature both from the store.
  const log = new AuditLog(audit, {
    chainKey: store.deriveKey(CHAIN_KEY_PURPOSE),
    signingKey: signingKeyFromSeed(store.deriveKey(SIGN_KEY_PURPOSE)),
    ...options,
  });
  for (let i = 0; i < n; i++) {
    if (i % 4 === 1)
      await log.appendAdmin({ action: 'person_rename', actor: 'screen', ok: true, detail: { n: i } });
    else await log.append(decision(i));
  }
  return log;
}

async function verifyCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['audit', 'verify', ...args], {
    out: (t) => (out += t + '\n'),
    err: (t) => (err += t + '\n'),
  });
  return { code, out, err };
}

/** Verify's arguments with no store (so no MAC key), as on a PC that holds only the log. */
const withoutStore = (dir: string) => ['--data-dir', dir, '--store', path.join(dir, 'no-store-here')];
const live = (audit: string) => path.join(audit, 'audit.jsonl');
const linesOf = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean);
const writeLines = (file: string, lines: string[]) => writeFile(file, lines.join('\n') + '\n');

describe('audit chain', () => {
  it('a clean log verifies (exit 0), with MACs checked through --data-dir', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 12);
    const result = await verifyCli(['--data-dir', dir]);
    assert.equal(result.code, 0, result.out + result.err);
    assert.match(result.out, /^ok: 12 line\(s\) in 1 file\(s\)/);
    assert.doesNotMatch(
      result.err,
      /MACs not checked|signatures not checked/,
      'MACs and signatures were checked',
    );
    const report = await verifyAuditLog(audit, store.deriveKey(CHAIN_KEY_PURPOSE));
    assert.deepEqual([report.ok, report.lines, report.macsChecked], [true, 12, true]);
  });

  it('an edited line fails and is named (its MAC no longer matches)', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 10);
    const lines = await linesOf(live(audit));
    lines[4] = lines[4]!.replace('"score":0.14', '"score":0.95');
    assert.ok(lines[4]!.includes('0.95'), 'the edit was made');
    await writeLines(live(audit), lines);
    const result = await verifyCli(['--data-dir', dir]);
    assert.equal(result.code, 1);
    assert.match(result.out, /audit\.jsonl:5: the MAC does not match: the line was edited/);
  });

  it('an edit that re-hashes the chain without the key still fails on the MAC', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 6);
    const lines = await linesOf(live(audit));
    // An attacker without the key: edit line 3 and recompute every later prev hash.
    const { hashLine } = await import('../../../main/audit/audit-chain.js');
    lines[2] = lines[2]!.replace('"outcome":"rejected"', '"outcome":"unlocked"');
    for (let i = 3; i < lines.length; i++) {
      lines[i] = lines[i]!.replace(/"prev":"[0-9a-f]{64}"/, `"prev":"${hashLine(lines[i - 1]!)}"`);
    }
    await writeLines(live(audit), lines);
    const result = await verifyCli(['--data-dir', dir]);
    assert.equal(result.code, 1);
    assert.match(result.out, /audit\.jsonl:3: the MAC does not match/);
  });

  it('a removed line fails, naming the line after the gap', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 10);
    const lines = await linesOf(live(audit));
    lines.splice(4, 1);
    await writeLines(live(audit), lines);
    const result = await verifyCli(['--data-dir', dir]);
    assert.equal(result.code, 1);
    assert.match(result.out, /audit\.jsonl:5: does not follow the line before it/);
  });

  it('two swapped lines fail, naming the first of them', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 10);
    const lines = await linesOf(live(audit));
    [lines[6], lines[7]] = [lines[7]!, lines[6]!];
    await writeLines(live(audit), lines);
    const result = await verifyCli(['--data-dir', dir]);
    assert.equal(result.code, 1);
    assert.match(result.out, /audit\.jsonl:7: does not follow the line before it/);
  });

  it('holds across rotated files, and names the file of a bad line in an older one', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 40, { maxFileBytes: 3000, maxFiles: 20 });
    const files = (await readdir(audit)).filter((f) => f.endsWith('.jsonl')).sort();
    assert.ok(files.length >= 4, `rotated into ${files.length} files`);
    const clean = await verifyCli(['--audit', audit, '--store', path.join(dir, 'store')]);
    assert.equal(clean.code, 0, clean.out + clean.err);
    assert.match(clean.out, /ok: 40 line\(s\) in \d+ file\(s\)/);
    // Remove the first line of the newest rotated file: the break is at the file boundary.
    const rotated = path.join(audit, 'audit.2.jsonl');
    const lines = await linesOf(rotated);
    await writeLines(rotated, lines.slice(1));
    const broken = await verifyCli(['--data-dir', dir]);
    assert.equal(broken.code, 1);
    assert.match(broken.out, /audit\.2\.jsonl:1: does not follow the line before it/);
  });

  it('old unchained lines stay readable and verify; an unchained line inside the chain does not', async () => {
    const { dir, audit, store } = await dataDir();
    // A log from before the chain: plain JSON records, no seq/prev/mac.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(audit, { recursive: true });
    const legacy = [0, 1, 2].map((n) =>
      JSON.stringify({ ...decision(n), id: `legacy-${n}`, time: new Date().toISOString(), snapshot: null }),
    );
    await writeLines(live(audit), legacy);
    const log = await fill(audit, store, 3);
    assert.equal((await log.read({ limit: 100 })).total, 3 + 2, 'decisions old and new are read back');
    const clean = await verifyCli(['--data-dir', dir]);
    assert.equal(clean.code, 0, clean.out + clean.err);
    assert.match(clean.out, /ok: 6 line\(s\) in 1 file\(s\), 3 from before the chain/);
    const lines = await linesOf(live(audit));
    lines.splice(4, 0, legacy[1]!);
    await writeLines(live(audit), lines);
    const inserted = await verifyCli(['--data-dir', dir]);
    assert.equal(inserted.code, 1);
    assert.match(inserted.out, /audit\.jsonl:5: a line without chain fields after the chain began/);
  });

  it('an edited and re-linked log passes the links without the MAC key, and fails on the exported public key', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 10);
    // The public key as `tobira audit export --out` writes it beside the CSV, kept off the PC.
    const csv = path.join(dir, 'exported.csv');
    const exportRun = await main(['audit', 'export', '--data-dir', dir, '--out', csv], {
      out: () => undefined,
      err: () => undefined,
    });
    assert.equal(exportRun, 0);
    const exported = `${csv}.pub.pem`;
    assert.equal(await readFile(exported, 'utf8'), await readFile(path.join(audit, PUBLIC_KEY_FILE), 'utf8'));
    const lines = await linesOf(live(audit));
    lines[4] = lines[4]!.replace('"score":0.14', '"score":0.95');
    assert.ok(lines[4]!.includes('0.95'), 'the edit was made');
    // Re-link every later line to the edited one, as an intruder without the keys can.
    for (let i = 5; i < lines.length; i++) {
      lines[i] = lines[i]!.replace(/"prev":"[0-9a-f]{64}"/, `"prev":"${hashLine(lines[i - 1]!)}"`);
    }
    await writeLines(live(audit), lines);
    const noKeys = withoutStore(dir);
    const linksOnly = await verifyCli([...noKeys, '--public-key', path.join(dir, 'no-such.pem')]).catch(
      (error: Error) => ({ code: -1, out: '', err: error.message }),
    );
    assert.notEqual(linksOnly.code, 0, 'a missing public key file is an error, not a pass');
    const result = await verifyCli([...noKeys, '--public-key', exported]);
    assert.equal(result.code, 1, result.out + result.err);
    assert.match(result.err, /MACs not checked/);
    assert.match(result.out, /audit\.jsonl:5: the signature does not match/);
    // Stripping the signature off the edited line does not help.
    lines[4] = lines[4]!.replace(/,"sig":"[^"]+"\}$/, '}');
    await writeLines(live(audit), lines);
    const stripped = await verifyCli([...noKeys, '--public-key', exported]);
    assert.equal(stripped.code, 1);
    assert.match(stripped.out, /audit\.jsonl:5: the line has no signature/);
  });

  it('a log re-signed with another key fails on the exported public key, even with the copy beside it replaced', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 4);
    const exported = path.join(dir, 'exported.pub.pem');
    await writeFile(exported, await readFile(path.join(audit, PUBLIC_KEY_FILE), 'utf8'));
    const other = await dataDir();
    // The intruder's own log and key, copied over this one.
    await fill(other.audit, other.store, 4);
    for (const name of ['audit.jsonl', PUBLIC_KEY_FILE]) {
      await writeFile(path.join(audit, name), await readFile(path.join(other.audit, name)));
    }
    const noKeys = withoutStore(dir);
    assert.equal((await verifyCli(noKeys)).code, 0, 'the copy beside the log vouches for a swapped log');
    const result = await verifyCli([...noKeys, '--public-key', exported]);
    assert.equal(result.code, 1);
    assert.match(result.out, /audit\.jsonl:1: the signature does not match/);
  });

  it('lines cut off the start, while rotation has dropped nothing yet, fail naming the cut', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 8);
    const lines = await linesOf(live(audit));
    await writeLines(live(audit), lines.slice(3));
    const result = await verifyCli(['--data-dir', dir]);
    assert.equal(result.code, 1, result.out);
    assert.match(result.out, /audit\.jsonl:1: the oldest line is number 4.*lines 1 to 3 were cut/);
  });

  it('a log emptied or deleted beside its signing key fails', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 3);
    await rm(live(audit));
    const result = await verifyCli(['--data-dir', dir]);
    assert.equal(result.code, 1, result.out);
    assert.match(result.out, /no audit line, but .*signing key/);
  });

  it('a line half-written by a crash is stepped over, and the next append still chains', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 3);
    await writeFile(live(audit), (await readFile(live(audit), 'utf8')) + '{"kind":"admin","id":"tor');
    const log = await fill(audit, store, 2);
    assert.equal((await log.read({ limit: 100 })).skipped, 1);
    const result = await verifyCli(['--data-dir', dir, '--json']);
    // Reported, not passed: the chain holds around it, but the line is named and the exit is 2.
    assert.equal(result.code, 2, result.out);
    const report = JSON.parse(result.out) as {
      ok: boolean;
      tornLines: number;
      torn: { file: string; line: number }[];
      lines: number;
    };
    assert.deepEqual([report.ok, report.tornLines, report.lines], [true, 1, 6]);
    assert.deepEqual(
      report.torn.map((t) => `${t.file}:${t.line}`),
      ['audit.jsonl:4'],
    );
    const text = await verifyCli(['--data-dir', dir]);
    assert.equal(text.code, 2);
    assert.match(text.out, /audit\.jsonl:4: half-written/);
    assert.doesNotMatch(text.out, /^ok/m);
  });

  it('an inserted line that reads as a record but lacks its chain fields fails, and no viewer shows it', async () => {
    const { dir, audit, store } = await dataDir();
    const log = await fill(audit, store, 5);
    const lines = await linesOf(live(audit));
    const third = JSON.parse(lines[2]!) as { seq: number; prev: string };
    // A forged admin line with the chain's look but no MAC field: today's parser took it for a
    // half-written line, stepped over it (torn=1), and the viewer and the CSV showed it.
    const forged = JSON.stringify({
      kind: 'admin',
      id: 'forged-line',
      time: new Date().toISOString(),
      action: 'person_rename',
      actor: 'screen',
      ok: true,
      detail: { forged: true },
      seq: third.seq,
      prev: third.prev,
    });
    lines.splice(2, 0, forged);
    await writeLines(live(audit), lines);
    const result = await verifyCli(['--data-dir', dir]);
    assert.equal(result.code, 1, result.out);
    assert.match(result.out, /audit\.jsonl:3: .*inserted/);
    const shown = (await log.readEntries({ limit: 100 })).records.map((r) => r.id);
    assert.ok(!shown.includes('forged-line'), 'the admin viewer does not show the forged line');
    assert.doesNotMatch(await log.exportCsv(), /forged/, 'nor does the CSV');
  });

  it('a line that is not JSON in the middle of the chain is reported by file and line', async () => {
    const { dir, audit, store } = await dataDir();
    await fill(audit, store, 5);
    const lines = await linesOf(live(audit));
    lines.splice(3, 0, 'garbage that was never a line');
    await writeLines(live(audit), lines);
    const result = await verifyCli(['--data-dir', dir]);
    assert.equal(result.code, 2, result.out);
    assert.match(result.out, /audit\.jsonl:4: half-written/);
  });

  it('without the store key, links are still checked and the CLI says MACs were not', async () => {
    const { audit, store } = await dataDir();
    await fill(audit, store, 5);
    const lines = await linesOf(live(audit));
    lines.splice(2, 1);
    await writeLines(live(audit), lines);
    const result = await verifyCli(['--audit', audit, '--store', path.join(audit, 'no-store-here')]);
    assert.equal(result.code, 1);
    assert.match(result.err, /MACs not checked/);
    assert.match(result.out, /audit\.jsonl:3: does not follow/);
  });

  it('a missing audit folder is a clear error, not a clean log', async () => {
    const result = await verifyCli(['--audit', path.join(tmpdir(), 'tobira-no-such-audit-dir')]);
    assert.equal(result.code, 1);
    assert.match(result.err, /no audit folder here/);
  });
});

describe('the chain against an anchor held off the PC', () => {
  /** The newest line's anchor, as a fleet door's shipped row carries it (seq, prev, id). */
  const anchorOf = async (audit: string) => {
    const last = JSON.parse((await linesOf(live(audit))).at(-1)!) as {
      seq: number;
      prev: string;
      id: string;
    };
    return { seq: last.seq, prev: last.prev, id: last.id };
  };

  it('holds when the log still has the anchored line; names a cut end, a deleted log and a rewritten line', async () => {
    const { audit, store } = await dataDir();
    await fill(audit, store, 6);
    const anchor = await anchorOf(audit);
    assert.equal(await anchorProblem(audit, anchor), null);
    const lines = await linesOf(live(audit));
    // Cut the newest two lines: the chain itself still verifies.
    await writeLines(live(audit), lines.slice(0, -2));
    assert.equal((await verifyAuditLog(audit, null)).ok, true, 'a cut end leaves the chain whole');
    assert.match(
      (await anchorProblem(audit, anchor))?.reason ?? '',
      /ends at line 4, but line 6 was shipped/,
    );
    await rm(live(audit));
    assert.match((await anchorProblem(audit, anchor))?.reason ?? '', /the log was deleted/);
    await writeLines(live(audit), [...lines.slice(0, -1), lines.at(-1)!.replace(anchor.id, randomUUID())]);
    assert.match((await anchorProblem(audit, anchor))?.reason ?? '', /line 6 is not the line shipped/);
  });
});
