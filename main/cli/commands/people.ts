// `tobira people list|remove`: the enrolled people, of a lone kiosk or of the fleet (cli-door.ts).
import { parse, UsageError, type Command } from '../command.js';
import { storeOptions } from '../store-cli.js';
import { openCliDoor } from '../cli-door.js';

const usage = `Usage: tobira people list [--data-dir DIR] [--store DIR] [--key FILE] [--json]
       tobira people remove [--data-dir DIR] [--store DIR] [--key FILE] ID|NAME

list prints each person with their templates' recognizers; remove deletes a person (by id, or by an
unambiguous name) with all their templates.
In a data folder joined to a fleet, both act on the fleet (list also says who is disabled, and their
access groups).`;

export const command: Command = {
  summary: 'list or remove enrolled people',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { ...storeOptions, json: { type: 'boolean' } });
    const [action, ...rest] = positionals;
    if (action === 'list') {
      if (rest.length) throw new UsageError('list takes no arguments');
      const door = await openCliDoor(values, io);
      const people = door.people.listPeople().map((p) => ({ ...p, ...door.personFacts(p.id) }));
      if (values.json) io.out(JSON.stringify({ people }));
      else if (people.length === 0)
        io.out(`nobody is enrolled${door.kind === 'fleet' ? ' in the fleet' : ''}`);
      else {
        for (const p of people) {
          const recognizers = [...new Set(p.templates.map((t) => t.recognizerId))].join(', ') || 'none';
          io.out(
            `${p.id}  ${p.name}  ${p.templates.length} template(s) [${recognizers}]` +
              `${p.hasPin ? '  PIN' : ''}${p.disabled === true ? '  DISABLED' : ''}`,
          );
        }
      }
      return 0;
    }
    if (action === 'remove') {
      if (rest.length !== 1) throw new UsageError('remove takes one ID or NAME');
      const door = await openCliDoor(values, io, { write: true });
      const key = rest[0]!;
      const everyone = door.people.listPeople();
      const byId = everyone.filter((p) => p.id === key);
      const matches = byId.length ? byId : everyone.filter((p) => p.name === key);
      const where = door.kind === 'fleet' ? ' in the fleet' : '';
      if (matches.length === 0) throw new Error(`nobody with id or name '${key}'${where}`);
      if (matches.length > 1) throw new Error(`${matches.length} people are named '${key}'; remove by id`);
      const { id, name } = matches[0]!;
      await door.people.removePerson(id);
      await door.audit({ action: 'person_delete', ok: true, detail: { personId: id, name } });
      io.out(
        values.json
          ? JSON.stringify({ removed: matches[0], ...door.facts() })
          : `removed ${name} (${id})${door.kind === 'fleet' ? ' from the fleet' : ''}`,
      );
      return 0;
    }
    throw new UsageError(`expected 'list' or 'remove', got '${action ?? ''}'`);
  },
};
