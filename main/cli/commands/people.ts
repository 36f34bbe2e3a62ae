// `tobira people list|remove`: the enrolled people.
import { parse, UsageError, type Command } from '../command.js';
import { auditCli, cliAuditDir, openCliStore, storeOptions } from '../store-cli.js';
import { cliPaths } from '../data-dir.js';
import { fleetPeople, joinedDir } from '../fleet-commands.js';

const usage = `Usage: tobira people list [--data-dir DIR] [--store DIR] [--key FILE] [--json]
       tobira people remove [--data-dir DIR] [--store DIR] [--key FILE] ID|NAME

list prints each person with their templates' recognizers; remove deletes a person (by id, or by an
unambiguous name) with all their templates.
In a data folder joined to a fleet, both act on the fleet.`;

export const command: Command = {
  summary: 'list or remove enrolled people',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { ...storeOptions, json: { type: 'boolean' } });
    const [action, ...rest] = positionals;
    const fleet = joinedDir(io.paths?.dataDir);
    if (fleet) return fleetPeople(fleet, action, rest, values.json === true, io);
    if (action === 'list') {
      if (rest.length) throw new UsageError('list takes no arguments');
      const people = (await openCliStore(values, false, cliPaths(io))).listPeople();
      if (values.json) io.out(JSON.stringify({ people }));
      else if (people.length === 0) io.out('nobody is enrolled');
      else {
        for (const p of people) {
          const recognizers = [...new Set(p.templates.map((t) => t.recognizerId))].join(', ') || 'none';
          io.out(
            `${p.id}  ${p.name}  ${p.templates.length} template(s) [${recognizers}]${p.hasPin ? '  PIN' : ''}`,
          );
        }
      }
      return 0;
    }
    if (action === 'remove') {
      if (rest.length !== 1) throw new UsageError('remove takes one ID or NAME');
      const paths = cliPaths(io);
      const store = await openCliStore(values, false, paths);
      const key = rest[0]!;
      const byId = store.listPeople().filter((p) => p.id === key);
      const matches = byId.length ? byId : store.findByName(key);
      if (matches.length === 0) throw new Error(`nobody with id or name '${key}'`);
      if (matches.length > 1) throw new Error(`${matches.length} people are named '${key}'; remove by id`);
      await store.removePerson(matches[0]!.id);
      await auditCli(cliAuditDir(paths, io, values.store), store, {
        action: 'person_delete',
        ok: true,
        detail: { personId: matches[0]!.id, name: matches[0]!.name },
      });
      io.out(
        values.json
          ? JSON.stringify({ removed: matches[0] })
          : `removed ${matches[0]!.name} (${matches[0]!.id})`,
      );
      return 0;
    }
    throw new UsageError(`expected 'list' or 'remove', got '${action ?? ''}'`);
  },
};
