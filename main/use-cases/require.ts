// What most admin use cases need first, as the expected failure the screen words when it is missing.
import type { Kiosk } from '../kiosk/kiosk.js';
import type { PeopleDirectory, PeopleSource } from '../people/people-directory.js';
import { ExpectedError } from './expected-error.js';

export function requireKiosk(kiosk: Kiosk | null): Kiosk {
  if (!kiosk) throw new ExpectedError('NO_MODELS', 'No face models are loaded: install a model pack first.');
  return kiosk;
}

/** The people the kiosk uses now: the local store, or the fleet on a joined data folder. */
export function requirePeople(source: PeopleSource): PeopleDirectory {
  const people = source.directory();
  if (!people) {
    throw new ExpectedError(
      source.joined() ? 'FLEET_UNAVAILABLE' : 'STORE_UNAVAILABLE',
      `${source.problem() ?? 'nobody can be listed'}`.replace(/^./, (c) => c.toUpperCase()),
    );
  }
  return people;
}
