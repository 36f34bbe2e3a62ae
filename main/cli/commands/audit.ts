// `tobira audit export`: the audit log as CSV.
import path from 'node:path';
import { AuditLog } from '../../audit/audit-log.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { defaultAuditDir } from '../app-dirs.js';
import { parse, UsageError, type Command } from '../command.js';
import { fleetAuditExport, fleetDirOption, joinedDir } from '../fleet-commands.js';

const usage = `Usage: tobira audit export [--audit DIR] [--out FILE.csv]
       tobira audit export --data-dir DIR [--door NAME] [--person ID|NAME] [--since TIME] [--until TIME] [--out FILE.csv]

Writes every recorded decision, oldest first, as CSV to FILE (or stdout). With --data-dir DIR of a
fleet door: the whole building's audit from the fleet database, filtered, with a door column.`;

export const command: Command = {
  summary: 'export the audit log as CSV',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      audit: { type: 'string' },
      out: { type: 'string' },
      ...fleetDirOption,
      door: { type: 'string' },
      person: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
    });
    if (positionals.length !== 1 || positionals[0] !== 'export') {
      throw new UsageError(`expected 'export', got '${positionals.join(' ')}'`);
    }
    const fleet = joinedDir(values['data-dir']);
    if (fleet) return fleetAuditExport(fleet, values, values.out, io);
    const log = new AuditLog(path.resolve(values.audit ?? defaultAuditDir()));
    const csv = await log.exportCsv();
    if (values.out) {
      await writeFileAtomic(path.resolve(values.out), csv);
      io.err(`wrote ${csv.split('\r\n').length - 2} record(s) to ${values.out}`);
    } else io.out(csv.replace(/\r\n$/, ''));
    return 0;
  },
};
