// `tobira audit export|verify`: the audit log as CSV, and its chain checked.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CHAIN_KEY_PURPOSE } from '../../audit/audit-chain.js';
import { verifyAuditLog } from '../../audit/verify.js';
import { STORE_FILE } from '../../store/schema.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { parse, UsageError, type CliIO, type Command } from '../command.js';
import { cliPaths } from '../data-dir.js';
import { openCliStore, storeOptions } from '../store-cli.js';
import { auditExport } from '../cli-door.js';
import { messageOf } from '../../util/message-of.js';

const usage = `Usage: tobira audit export [--data-dir DIR | --audit DIR] [--out FILE.csv]
       tobira audit verify [--data-dir DIR | --audit DIR] [--store DIR] [--key FILE] [--json]

export writes every recorded decision and admin action, oldest first, as CSV to FILE (or stdout).
verify checks that no line was edited, removed or reordered: exit 0 when the chain holds, 1 naming
the first bad line. With --data-dir DIR of a fleet door, export shows the whole building's audit from
the fleet database, filtered, with a door column (verify checks this door's local log). The lines' MACs are checked with the store's key (from --key or the store's
key file); without it (the kiosk keeps its key in the OS keychain) only the links are checked.`;

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

export const command: Command = {
  summary: 'export the audit log as CSV, or verify its chain',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      ...storeOptions,
      audit: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
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
      const report = await verifyAuditLog(dir, key);
      if (values.json) io.out(JSON.stringify({ dir, ...report, keyProblem: why }));
      else {
        if (!key) io.err(`MACs not checked (${why}): links and order only`);
        if (report.firstBad) {
          const { file, line, reason } = report.firstBad;
          io.out(`${path.join(dir, file)}:${line}: ${reason}`);
        } else {
          const legacy = report.legacyLines ? `, ${report.legacyLines} from before the chain` : '';
          const torn = report.tornLines
            ? `, ${report.tornLines} half-written (crash) line(s) stepped over`
            : '';
          io.out(`ok: ${report.lines} line(s) in ${report.files.length} file(s)${legacy}${torn}`);
        }
      }
      return report.ok ? 0 : 1;
    }
    const { csv, count, from } = await auditExport(io, values.audit, values);
    if (values.out) {
      await writeFileAtomic(path.resolve(values.out), csv);
      io.err(`wrote ${count} record(s)${from} to ${values.out}`);
    } else io.out(csv.replace(/\r\n$/, ''));
    return 0;
  },
};
