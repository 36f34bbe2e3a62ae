// People and enrollment from the admin screen, and the 1:1 claim at the door: thin. The gate
// (ipc/gate.ts) has checked the sender, the session and the payload; the use cases live in
// main/use-cases/people.ts, for the local store and the fleet alike.
import type { peopleChannels } from '../../../preload/contract/people.js';
import type { PeopleService } from '../../use-cases/people.js';
import type { HandlersFor } from './common.js';

export function peopleHandlers(people: PeopleService): HandlersFor<typeof peopleChannels> {
  return {
    listPeople: () => people.list(),
    addPerson: ({ name, pin }) => people.add(name, pin),
    renamePerson: ({ id, name }) => people.rename(id, name),
    setPersonPin: ({ id, pin }) => people.setPin(id, pin),
    deletePerson: ({ id }) => people.remove(id),
    startEnrollment: ({ id, target, allowLookalike }) =>
      people.startEnrollment(id, target, allowLookalike === true),
    stopEnrollment: () => people.stopEnrollment(),
    importPhotos: ({ id, allowLookalike }) => people.importPhotos(id, allowLookalike === true),
    testRecognition: ({ id }) => people.testRecognition(id),
    claimIdentity: ({ pin }) => people.claimIdentity(pin),
  };
}
