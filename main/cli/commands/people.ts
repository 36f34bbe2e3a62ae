// `tobira people list|remove`: the enrolled people.
import { parse, UsageError, type Command } from '../command.js';
import { openCliStore, storeOptions } from '../store-cli.js';
import { fleetDirOption, fleetPeople, joinedDir } from '../fleet-commands.js';

const usage = `Usage: tobira people list [--store DIR] [--key FILE] [--json]
       tobira people remove [--store DIR] [--key FILE] ID|NAME

list prints each person with their templates' recognizers; remove deletes a person (by id, or by an
unambiguous name) with all their templates. With --data-dir DIR of a fleet door, both act on the fleet.`;

export const command: Command = {
  summary: 'list or remove enrolled people',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      ...storeOptions,
      ...fleetDirOption,
      json: { type: 'boolean' },
    });
    const [action, ...rest] = positionals;
    const fleet = joinedDir(values['data-dir']);
    if (fleet) return fleetPeople(fleet, action, rest, values.json === true, io);
    if (action === 'list') {
      if (rest.length) throw new UsageError('list takes no arguments');
      const people = (await openCliStore(values, false)).listPeople();
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
      const store = await openCliStore(values, false);
      const key = rest[0]!;
      const byId = store.listPeople().filter((p) => p.id === key);
      const matches = byId.length ? byId : store.findByName(key);
      if (matches.length === 0) throw new Error(`nobody with id or name '${key}'`);
      if (matches.length > 1) throw new Error(`${matches.length} people are named '${key}'; remove by id`);
      await store.removePerson(matches[0]!.id);
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
