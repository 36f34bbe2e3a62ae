// `tobira door add|list|remove`: the door programs this PC allows (doors.json in the
// data folder). The admin screen can only choose among these; it cannot add one.
import { intOption, parse, UsageError, type Command } from '../command.js';
import { cliPaths, ensurePrivateDir } from '../data-dir.js';
import { DOORS_FILE, doorProgramSchema, readDoorsFile, writeDoorsFile } from '../../door/doors-file.js';
import path from 'node:path';

const usage = `Usage: tobira door list [--data-dir DIR] [--json]
       tobira door add [--data-dir DIR] ID --program /ABS/PATH [--label TEXT] [--timeout-ms N] [-- ARG...]
       tobira door remove [--data-dir DIR] ID

Edits ${DOORS_FILE} in the data folder: the programs the kiosk's command door may run. Arguments
(after --) may hold {{holdMs}}, {{holdSeconds}}, {{event}}, {{personId}} and {{personName}}; a
filled-in value never becomes an option (it may not start with '-') and is always one argument.
Example: tobira door add relay --program /usr/local/bin/usbrelay -- RELAY1_1=1`;

export const command: Command = {
  summary: 'list, add or remove the programs the command door may run (doors.json)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      program: { type: 'string' },
      label: { type: 'string' },
      'timeout-ms': { type: 'string' },
      json: { type: 'boolean' },
    });
    const [action, id, ...args] = positionals;
    const { dataDir } = cliPaths(io);
    const file = path.join(dataDir, DOORS_FILE);
    const doors = readDoorsFile(dataDir);
    switch (action) {
      case 'list': {
        if (id !== undefined) throw new UsageError('list takes no arguments');
        if (values.json) io.out(JSON.stringify({ file, ...doors }));
        else if (doors.doors.length === 0) io.out(`no door programs in ${file}`);
        else
          for (const d of doors.doors)
            io.out(`${d.id}  ${[d.program, ...d.args].join(' ')}${d.label ? `  (${d.label})` : ''}`);
        return 0;
      }
      case 'add': {
        if (!id) throw new UsageError('add needs an ID');
        if (!values.program) throw new UsageError('add needs --program /ABS/PATH');
        const parsed = doorProgramSchema.safeParse({
          id,
          program: values.program,
          args,
          ...(values.label ? { label: values.label } : {}),
          timeoutMs: intOption(values['timeout-ms'], 'timeout-ms', 5000, 100),
        });
        if (!parsed.success) {
          throw new UsageError(
            parsed.error.issues.map((i) => `${i.path.join('.') || 'door'}: ${i.message}`).join('; '),
          );
        }
        const others = doors.doors.filter((d) => d.id !== id);
        await ensurePrivateDir(dataDir);
        await writeDoorsFile(dataDir, { version: 1, doors: [...others, parsed.data] });
        io.out(
          `${others.length < doors.doors.length ? 'replaced' : 'added'} door program '${id}' in ${file}`,
        );
        return 0;
      }
      case 'remove': {
        if (!id || args.length) throw new UsageError('remove takes one ID');
        if (!doors.doors.some((d) => d.id === id)) throw new Error(`no door program '${id}' in ${file}`);
        await writeDoorsFile(dataDir, { version: 1, doors: doors.doors.filter((d) => d.id !== id) });
        io.out(`removed door program '${id}' from ${file}`);
        return 0;
      }
      default:
        throw new UsageError(`expected 'list', 'add' or 'remove', got '${action ?? ''}'`);
    }
  },
};
