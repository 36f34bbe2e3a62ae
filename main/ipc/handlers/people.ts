// People and enrollment from the admin screen, and the 1:1 claim at the door: thin. The gate
// (ipc/gate.ts) has checked the sender, the session and the payload; the use cases live in
// main/people/people-service.ts, for the local store and the fleet alike.
import type { peopleChannels } from '../../../preload/contract/people.js';
import type { AppServices } from '../../services.js';
import { PeopleService } from '../../people/people-service.js';
import type { HandlersFor } from './common.js';

export function peopleHandlers(services: AppServices): HandlersFor<typeof peopleChannels> {
  const people = new PeopleService(services);
  return {
    listPeople: () => people.list(),
    addPerson: ({ name, pin }) => people.add(name, pin),
    renamePerson: ({ id, name }) => people.rename(id, name),
    setPersonPin: ({ id, pin }) => people.setPin(id, pin),
    deletePerson: ({ id }) => people.remove(id),
    startEnrollment: ({ id, target }) => people.startEnrollment(id, target),
    stopEnrollment: () => people.stopEnrollment(),
    importPhotos: ({ id, allowLookalike }) => people.importPhotos(id, allowLookalike === true),
    testRecognition: ({ id }) => people.testRecognition(id),
    claimIdentity: ({ pin }) => people.claimIdentity(pin),
  };
}
