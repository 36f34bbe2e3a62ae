// `tobira audit verify`: walks every kept file, oldest line first, and names the
// first line that breaks the chain (audit-chain.ts). Lines from before the chain
// (older versions) are read and counted, but only ahead of the first chained line.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { hashLine, macMatches, parseLine, PUBLIC_KEY_FILE, signatureMatches } from './audit-chain.js';
import { DEFAULT_MAX_FILES, LIVE_FILE } from './audit-log.js';

export interface BadLine {
  /** The file's name in the audit folder and the 1-based line number in it. */
  file: string;
  line: number;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Files in the order read, oldest first. */
  files: string[];
  lines: number;
  /** Lines from before the chain (no seq/prev/mac). */
  legacyLines: number;
  /** False when no key was given: links and order are checked, MACs are not. */
  macsChecked: boolean;
  /** True when a public key was given: every signed line's signature is checked. */
  signaturesChecked: boolean;
  /** Chained lines written before signing began (ahead of the first signed line). */
  unsignedLines: number;
  firstBad: BadLine | null;
  /**
   * Half-written lines (a crash mid-write) that the chain steps over: the next line
   * follows the one before them, so nothing was lost. Reported by place, not passed:
   * the CLI names each and exits 2, as the chain cannot show who wrote a line that is not JSON.
   */
  tornLines: number;
  torn: BadLine[];
}

/** audit.N.jsonl (highest N oldest) first, then audit.jsonl. */
async function chainFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error(`${dir}: no audit folder here`);
    throw error;
  });
  const rotated = names
    .map((n) => ({ n, m: /^audit\.(\d+)\.jsonl$/.exec(n) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(b.m![1]) - Number(a.m![1]))
    .map((x) => x.n);
  return [...rotated, ...(names.includes('audit.jsonl') ? ['audit.jsonl'] : [])];
}

export async function verifyAuditLog(
  dir: string,
  key: Buffer | null,
  publicKey: KeyObject | null = null,
  /** Files the log keeps (AuditLog's maxFiles): with fewer on disk, rotation has dropped nothing. */
  maxFiles = DEFAULT_MAX_FILES,
): Promise<VerifyReport> {
  const files = await chainFiles(dir);
  const report: VerifyReport = {
    ok: true,
    files,
    lines: 0,
    legacyLines: 0,
    macsChecked: key !== null,
    signaturesChecked: publicKey !== null,
    unsignedLines: 0,
    firstBad: null,
    tornLines: 0,
    torn: [],
  };
  /** Hash and seq of the last good line; null before the first line (its `prev` is not known). */
  let previous: { hash: string; seq: number | null } | null = null;
  let chained = false;
  let signed = false;
  /** The first chained line, when no line from before the chain precedes it. */
  let oldest: (BadLine & { seq: number }) | null = null;
  /** An unreadable line waiting to be judged by the line after it. */
  let pending: BadLine | null = null;
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    for (const [i, line] of lines.entries()) {
      report.lines++;
      const bad = (reason: string): VerifyReport => ({
        ...report,
        ok: false,
        firstBad: { file, line: i + 1, reason },
      });
      const parsed = parseLine(line);
      if (parsed.kind === 'torn') {
        if (pending) return { ...report, ok: false, firstBad: pending };
        pending = {
          file,
          line: i + 1,
          reason: 'half-written (not JSON): a crash mid-write, or a line added by hand',
        };
        continue;
      }
      if (parsed.kind === 'malformed') {
        return bad(`a record whose ${parsed.why}: the line was inserted or edited by hand`);
      }
      if (parsed.kind === 'legacy') {
        if (chained) return bad('a line without chain fields after the chain began (inserted?)');
        report.legacyLines++;
        previous = { hash: hashLine(line), seq: null };
        continue;
      }
      if (key && !macMatches(key, parsed)) {
        return bad(
          parsed.chain.mac === null ? 'the line has no MAC' : 'the MAC does not match: the line was edited',
        );
      }
      if (publicKey) {
        if (parsed.chain.sig === null) {
          // Signing began at some line; an unsigned line after it had its signature stripped.
          if (signed) return bad('the line has no signature, where the lines before it are signed');
          report.unsignedLines++;
        } else if (!signatureMatches(publicKey, parsed)) {
          return bad('the signature does not match this public key: the line was edited or forged');
        } else signed = true;
      }
      if (previous && parsed.chain.prev !== previous.hash) {
        if (pending) return { ...report, ok: false, firstBad: pending };
        return bad('does not follow the line before it: a line was removed, reordered or edited');
      }
      const expectedSeq = previous?.seq === null ? null : previous ? previous.seq + 1 : null;
      if (expectedSeq !== null && parsed.chain.seq !== expectedSeq) {
        return bad(
          `line number ${parsed.chain.seq} where ${expectedSeq} was due: lines were removed or reordered`,
        );
      }
      if (!chained && report.legacyLines === 0)
        oldest = { file, line: i + 1, reason: '', seq: parsed.chain.seq };
      if (pending) {
        report.tornLines++;
        report.torn.push(pending);
        pending = null;
      }
      chained = true;
      previous = { hash: hashLine(line), seq: parsed.chain.seq };
    }
  }
  if (oldest && oldest.seq > 1 && files.length < maxFiles) {
    const { file, line, seq } = oldest;
    const reason = `the oldest line is number ${seq}, but only ${files.length} of ${maxFiles} files are kept, so rotation dropped nothing: lines 1 to ${seq - 1} were cut`;
    return { ...report, ok: false, firstBad: { file, line, reason } };
  }
  if (report.lines === 0 && existsSync(path.join(dir, PUBLIC_KEY_FILE))) {
    // The key is written beside the log with its first line (audit-log.ts).
    const reason = `no audit line, but the log's signing key beside it (${PUBLIC_KEY_FILE}) shows lines were written: the log was emptied or deleted`;
    return { ...report, ok: false, firstBad: { file: LIVE_FILE, line: 1, reason } };
  }
  if (publicKey && chained && !signed) {
    // Every line unsigned: a log rewritten from scratch looks the same as one never signed.
    return {
      ...report,
      ok: false,
      firstBad: {
        file: files.at(-1)!,
        line: 1,
        reason: 'no line is signed: the signatures cannot vouch for any',
      },
    };
  }
  // Nothing followed it: a torn last line (a crash mid-write).
  if (pending) {
    report.tornLines++;
    report.torn.push(pending);
  }
  return report;
}

/** The newest line of this door held off the PC (a fleet door's shipped audit): its seq and `prev`. */
export interface ChainAnchor {
  seq: number;
  prev: string;
  id: string;
}

/**
 * Compares the local log with an anchor held off the PC: a log that ends before the anchor's line
 * was cut at the end (or deleted); a line there with another id or `prev` was rewritten. Null when
 * the local log holds the anchor's line as shipped.
 */
export async function anchorProblem(dir: string, anchor: ChainAnchor): Promise<BadLine | null> {
  const files = await chainFiles(dir).catch(() => [] as string[]);
  let newest = 0;
  for (const file of files) {
    const text = await readFile(path.join(dir, file), 'utf8');
    for (const [i, line] of text.split('\n').entries()) {
      const parsed = parseLine(line);
      if (parsed.kind !== 'chained') continue;
      newest = Math.max(newest, parsed.chain.seq);
      if (parsed.chain.seq !== anchor.seq) continue;
      if (parsed.chain.prev === anchor.prev && parsed.record.id === anchor.id) return null;
      return {
        file,
        line: i + 1,
        reason: `line ${anchor.seq} is not the line shipped off the PC: it was rewritten`,
      };
    }
  }
  const reason =
    newest === 0
      ? `no audit line here, but line ${anchor.seq} was shipped off the PC: the log was deleted`
      : `the log ends at line ${newest}, but line ${anchor.seq} was shipped off the PC: lines were cut off the end`;
  return { file: files.at(-1) ?? LIVE_FILE, line: 0, reason };
}
