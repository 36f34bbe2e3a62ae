// `tobira audit export|verify`: the audit log as CSV, and its chain checked.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CHAIN_KEY_PURPOSE, PUBLIC_KEY_FILE, readPublicKey } from '../../audit/audit-chain.js';
import { anchorProblem, verifyAuditLog, type BadLine } from '../../audit/verify.js';
import { shippedAnchor } from '../../fleet/audit-anchor.js';
import { cliKeyWrapper, isJoined, readDoorConfig } from '../../fleet/local.js';
import { STORE_FILE } from '../../store/schema.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { parse, UsageError, type CliIO, type Command } from '../command.js';
import { cliPaths } from '../data-dir.js';
import { openCliStore, storeOptions } from '../store-cli.js';
import { auditExport } from '../cli-door.js';
import { messageOf } from '../../util/message-of.js';

const usage = `Usage: tobira audit export [--data-dir DIR | --audit DIR] [--out FILE.csv]
       tobira audit verify [--data-dir DIR | --audit DIR] [--store DIR] [--key FILE] [--public-key FILE] [--json]

export writes every recorded decision and admin action, oldest first, as CSV to FILE (or stdout),
and the log's public key to FILE.pub.pem.
verify checks that no line was edited, inserted, removed or reordered: exit 0 when the chain holds,
1 naming the first bad line, 2 when it holds around half-written lines (a crash, or garbage added
by hand), each named. With --data-dir DIR of a fleet door, export shows the whole building's audit from
the fleet database, filtered, with a door column (verify checks this door's local log). The lines' MACs are checked with the store's key (from --key or the store's
key file); without it (the kiosk keeps its key in the OS keychain) only the links are checked. Every
line's Ed25519 signature is checked with --public-key FILE (the log's public key, kept beside it as
${PUBLIC_KEY_FILE}, exported with it, best kept off the PC too: an intruder can replace the copy
beside the log), or with that copy when no FILE is given.`;

async function chainKey(values: { store?: string | undefined; key?: string | undefined }, io: CliIO) {
  const paths = cliPaths(io);
  const storeDir = path.resolve(values.store ?? paths.storeDir);
  if (!existsSync(path.join(storeDir, STORE_FILE))) return { key: null, why: `no store at ${storeDir}` };
  try {
    const store = await openCliStore(values, false, paths);
    return { key: store.deriveKey(CHAIN_KEY_PURPOSE), why: null };
  } catch (error) {
    return { key: null, why: messageOf(error) };
  }
}

/** The public key given (a missing or bad file is an error), else the copy beside the log, else none. */
async function auditPublicKey(file: string | undefined, dir: string) {
  if (file) {
    const from = path.resolve(file);
    const pem = await readFile(from, 'utf8').catch((error: unknown) => {
      throw new UsageError(`--public-key: ${messageOf(error)}`);
    });
    return { publicKey: readPublicKey(pem, from), from };
  }
  const beside = path.join(dir, PUBLIC_KEY_FILE);
  if (!existsSync(beside)) return { publicKey: null, from: null };
  return { publicKey: readPublicKey(await readFile(beside, 'utf8'), beside), from: beside };
}

/**
 * On a fleet door, the local log against the head it shipped (fleet/audit-anchor.ts). A lone
 * kiosk has no anchor; a door that cannot reach the database is not proven (exit 2).
 */
async function anchorCheck(
  io: CliIO,
  dir: string,
): Promise<{ problem: BadLine | null; note: string | null; unchecked: boolean }> {
  const dataDir = io.paths?.dataDir ? path.resolve(io.paths.dataDir) : null;
  if (!dataDir || !isJoined(dataDir)) return { problem: null, note: null, unchecked: false };
  try {
    const config = await readDoorConfig(dataDir, await cliKeyWrapper(dataDir, false));
    const anchor = await shippedAnchor(config.databaseUrl, config.door);
    if (!anchor)
      return { problem: null, note: 'the building holds no line of this door yet', unchecked: false };
    const problem = await anchorProblem(dir, anchor);
    return { problem, note: `compared with line ${anchor.seq}, shipped to the building`, unchecked: false };
  } catch (error) {
    return {
      problem: null,
      note: `not compared with the building's copy: ${messageOf(error)}`,
      unchecked: true,
    };
  }
}

export const command: Command = {
  summary: 'export the audit log as CSV, or verify its chain',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      ...storeOptions,
      audit: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      'public-key': { type: 'string' },
      door: { type: 'string' },
      person: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
    });
    const [action, ...rest] = positionals;
    if (rest.length || (action !== 'export' && action !== 'verify')) {
      throw new UsageError(`expected 'export' or 'verify', got '${positionals.join(' ')}'`);
    }
    if (action === 'verify') {
      const dir = path.resolve(values.audit ?? cliPaths(io).auditDir);
      const { key, why } = await chainKey(values, io);
      const { publicKey, from } = await auditPublicKey(values['public-key'], dir);
      const report = await verifyAuditLog(dir, key, publicKey);
      const anchor = await anchorCheck(io, dir);
      if (report.ok && anchor.problem) Object.assign(report, { ok: false, firstBad: anchor.problem });
      if (values.json) {
        io.out(JSON.stringify({ dir, ...report, keyProblem: why, publicKeyFrom: from, anchor: anchor.note }));
      } else {
        if (!key) io.err(`MACs not checked (${why}): links and order only`);
        if (!publicKey)
          io.err(`signatures not checked: no --public-key and no ${PUBLIC_KEY_FILE} beside the log`);
        else if (!values['public-key'])
          io.err(`signatures checked with the copy of the public key beside the log`);
        if (anchor.note) io.err(anchor.note);
        if (report.unsignedLines) io.err(`${report.unsignedLines} line(s) from before signing began`);
        const where = ({ file, line, reason }: BadLine) => `${path.join(dir, file)}:${line}: ${reason}`;
        if (report.firstBad) io.out(where(report.firstBad));
        else {
          const legacy = report.legacyLines ? `, ${report.legacyLines} from before the chain` : '';
          const counted = `${report.lines} line(s) in ${report.files.length} file(s)${legacy}`;
          // A torn line is named, not passed: the chain holds around it, but nothing shows who wrote it.
          if (report.torn.length === 0) io.out(`ok: ${counted}`);
          else {
            for (const torn of report.torn) io.out(where(torn));
            io.out(`chain holds around ${report.torn.length} half-written line(s): ${counted}`);
          }
        }
      }
      // Not proven either way: torn lines, or a fleet door whose shipped head could not be read.
      return report.ok ? (report.torn.length === 0 && !anchor.unchecked ? 0 : 2) : 1;
    }
    const { csv, count, from } = await auditExport(io, values.audit, values);
    if (values.out) {
      await writeFileAtomic(path.resolve(values.out), csv);
      io.err(`wrote ${count} record(s)${from} to ${values.out}`);
      // The log's public key goes with it, so the copy can be checked with --public-key later.
      const beside = path.join(path.resolve(values.audit ?? cliPaths(io).auditDir), PUBLIC_KEY_FILE);
      if (existsSync(beside)) {
        await writeFileAtomic(`${path.resolve(values.out)}.pub.pem`, await readFile(beside));
        io.err(`wrote this door's audit public key to ${values.out}.pub.pem`);
      }
    } else io.out(csv.replace(/\r\n$/, ''));
    return 0;
  },
};
