// The audit log's tamper evidence. Each line names the SHA-256 of the line before
// (`prev`) and its number (`seq`), and ends with an HMAC-SHA256 of itself (`mac`)
// keyed from the enrollment store (EnrollmentStore.deriveKey). Editing a line
// breaks its MAC; removing or reordering lines breaks the next line's `prev` and
// `seq`; rewriting the whole chain needs the key, which only the store holds.
//
// What it cannot show: lines cut off the end (nothing follows them) and the oldest
// files dropped by rotation. Shipping the log off the PC (fleet mode) covers those.
import { createHash, createHmac } from 'node:crypto';
import type { ChainFields } from './types.js';

export const CHAIN_KEY_PURPOSE = 'audit-chain';
/** The `prev` of the very first line ever written. */
export const GENESIS = '0'.repeat(64);

export const hashLine = (line: string): string => createHash('sha256').update(line, 'utf8').digest('hex');

const macOf = (key: Buffer, body: string): string =>
  createHmac('sha256', key).update(body, 'utf8').digest('hex');

/** One chained line (no newline): the record with seq and prev, then its MAC as the last field. */
export function chainLine(record: object, seq: number, prev: string, key: Buffer | null): string {
  const body = JSON.stringify({ ...record, seq, prev });
  const mac = key ? macOf(key, body) : null;
  return `${body.slice(0, -1)},"mac":${JSON.stringify(mac)}}`;
}

const MAC_TAIL = /,"mac":(null|"[0-9a-f]{64}")\}$/;

export type ParsedLine =
  /**
   * Not JSON: the start of a line a crash cut short. No strict prefix of a JSON object is JSON
   * (the object closes only at its last byte), so a line that parses was never half-written.
   */
  | { kind: 'torn' }
  /** JSON, but not a record with whole chain fields: written by hand (inserted or edited). */
  | { kind: 'malformed'; why: string }
  | { kind: 'legacy'; record: Record<string, unknown> }
  | { kind: 'chained'; record: Record<string, unknown>; chain: ChainFields; body: string };

export function parseLine(line: string): ParsedLine {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return { kind: 'torn' };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { kind: 'malformed', why: 'not an audit record' };
  }
  const r = record as Record<string, unknown>;
  if (!('mac' in r) && !('prev' in r) && !('seq' in r)) return { kind: 'legacy', record: r };
  const tail = MAC_TAIL.exec(line);
  const chain = { seq: r.seq, prev: r.prev, mac: r.mac };
  if (
    !tail ||
    typeof chain.seq !== 'number' ||
    typeof chain.prev !== 'string' ||
    !(chain.mac === null || typeof chain.mac === 'string')
  ) {
    return { kind: 'malformed', why: 'its chain fields (seq, prev, mac last) are not whole' };
  }
  return { kind: 'chained', record: r, chain: chain as ChainFields, body: `${line.slice(0, tail.index)}}` };
}

/** Whether a parsed line is a record the log can show (chained, or from before the chain). */
export const isRecordLine = (
  parsed: ParsedLine,
): parsed is Extract<ParsedLine, { kind: 'legacy' | 'chained' }> =>
  parsed.kind === 'legacy' || parsed.kind === 'chained';

export function macMatches(key: Buffer, parsed: Extract<ParsedLine, { kind: 'chained' }>): boolean {
  return parsed.chain.mac !== null && parsed.chain.mac === macOf(key, parsed.body);
}
