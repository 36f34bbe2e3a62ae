// `tobira audit export`: the audit log as CSV.
import path from 'node:path';
import { AuditLog } from '../../audit/audit-log.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { defaultAuditDir } from '../app-dirs.js';
import { parse, UsageError, type Command } from '../command.js';

const usage = `Usage: tobira audit export [--audit DIR] [--out FILE.csv]

Writes every recorded decision, oldest first, as CSV to FILE (or stdout).`;

export const command: Command = {
  summary: 'export the audit log as CSV',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { audit: { type: 'string' }, out: { type: 'string' } });
    if (positionals.length !== 1 || positionals[0] !== 'export') {
      throw new UsageError(`expected 'export', got '${positionals.join(' ')}'`);
    }
    const log = new AuditLog(path.resolve(values.audit ?? defaultAuditDir()));
    const csv = await log.exportCsv();
    if (values.out) {
      await writeFileAtomic(path.resolve(values.out), csv);
      io.err(`wrote ${csv.split('\r\n').length - 2} record(s) to ${values.out}`);
    } else io.out(csv.replace(/\r\n$/, ''));
    return 0;
  },
};
