// People and enrollment from the admin screen, and the 1:1 claim at the door.
import path from 'node:path';
import type { peopleChannels, PersonView, ImportResult } from '../../../preload/contract/people.js';
import type { AppServices } from '../../services.js';
import type { PersonSummary } from '../../store/enrollment-store.js';
import { decodeImageFile } from '../../image/decode.js';
import { checkEnrollmentFace } from '../../recognition/enroll-check.js';
import { faceThatCounts } from '../../recognition/subject.js';
import { verify } from '../../recognition/matcher.js';
import { faceThumbnail } from '../../store/thumbnail.js';
import { ExpectedError } from '../errors.js';
import { messageOf, requireAdmin, requireKiosk, requireStore, type HandlersFor } from './common.js';

/** Photos per import: enough for a few good samples, small enough to stay quick. */
const MAX_IMPORT_FILES = 20;

export function peopleHandlers(services: AppServices): HandlersFor<typeof peopleChannels> {
  const activeRecognizer = () => services.kiosk?.engine.recognizerId ?? undefined;
  const view = (person: PersonSummary): PersonView => {
    const thumbnail = requireStore(services).thumbnail(person.id);
    return {
      id: person.id,
      name: person.name,
      templates: person.templates.length,
      needsReenrollment: person.needsReenrollment,
      hasPin: person.hasPin,
      thumbnail: thumbnail ? `data:image/jpeg;base64,${thumbnail.toString('base64')}` : null,
    };
  };
  // Store errors (duplicate PIN, unknown person, bad name) reach the admin as expected
  // failures through the gate's one mapping (ipc/errors.ts, expectedOf).
  const changed = () => services.kiosk?.refreshGallery();

  return {
    listPeople: (_arg, sender) => {
      requireAdmin(services, sender);
      return requireStore(services).listPeople(activeRecognizer()).map(view);
    },
    addPerson: async ({ name, pin }, sender) => {
      requireAdmin(services, sender);
      const store = requireStore(services);
      const person = await store.addPerson(name, pin ? { pin } : {});
      await services.auditAdmin('person_add', { personId: person.id, name, withPin: Boolean(pin) });
      return view(store.getPerson(person.id, activeRecognizer()));
    },
    renamePerson: async ({ id, name }, sender) => {
      requireAdmin(services, sender);
      const store = requireStore(services);
      const before = store.listPeople().find((p) => p.id === id)?.name ?? null;
      await store.renamePerson(id, name);
      await services.auditAdmin('person_rename', { personId: id, from: before, name });
      changed();
      return view(store.getPerson(id, activeRecognizer()));
    },
    setPersonPin: async ({ id, pin }, sender) => {
      requireAdmin(services, sender);
      const store = requireStore(services);
      await store.setPersonPin(id, pin);
      await services.auditAdmin('person_pin', { personId: id, set: pin !== null });
      return view(store.getPerson(id, activeRecognizer()));
    },
    deletePerson: async ({ id }, sender) => {
      requireAdmin(services, sender);
      const gone =
        requireStore(services)
          .listPeople()
          .find((p) => p.id === id)?.name ?? null;
      await requireStore(services).removePerson(id);
      await services.auditAdmin('person_delete', { personId: id, name: gone });
      changed();
      return { deleted: true };
    },
    startEnrollment: ({ id, target }, sender) => {
      requireAdmin(services, sender);
      requireStore(services).getPerson(id);
      const kiosk = requireKiosk(services);
      if (!kiosk.engine.recognizerId)
        throw new ExpectedError('NO_RECOGNIZER', 'The active pack has no recognition model.');
      const started = kiosk.startEnrollment(id, target ?? 5);
      void services.auditAdmin('enroll_start', { personId: id, target: target ?? 5 });
      return started;
    },
    stopEnrollment: (_arg, sender) => {
      requireAdmin(services, sender);
      const stopped = requireKiosk(services).stopEnrollment();
      void services.auditAdmin('enroll_stop');
      return stopped;
    },
    importPhotos: async ({ id }, sender) => {
      requireAdmin(services, sender);
      const store = requireStore(services);
      store.getPerson(id);
      const kiosk = requireKiosk(services);
      const recognizerId = kiosk.engine.recognizerId;
      if (!recognizerId)
        throw new ExpectedError('NO_RECOGNIZER', 'The active pack has no recognition model.');
      const files = (await services.options.pickFiles({ kind: 'images' })) ?? [];
      const results: ImportResult[] = [];
      for (const file of files.slice(0, MAX_IMPORT_FILES)) {
        const name = path.basename(file);
        try {
          const image = await decodeImageFile(file);
          const faces = await kiosk.engine.exclusive(() => kiosk.engine.analysis.get(image));
          const check = checkEnrollmentFace(faces, image, kiosk.decisions.settings.quality);
          if (!check.ok) {
            results.push({ file: name, ok: false, reason: check.message });
            continue;
          }
          await store.addTemplate(id, {
            recognizerId,
            embedding: check.face.normedEmbedding!,
            thumbnail: await faceThumbnail(image, check.face.bbox),
          });
          results.push({ file: name, ok: true, reason: null });
        } catch (error) {
          // One unreadable photo does not stop the others.
          results.push({ file: name, ok: false, reason: messageOf(error) });
        }
      }
      if (files.length > MAX_IMPORT_FILES) {
        results.push({
          file: `${files.length - MAX_IMPORT_FILES} more`,
          ok: false,
          reason: `at most ${MAX_IMPORT_FILES} photos at a time`,
        });
      }
      const added = results.filter((r) => r.ok).length;
      await services.auditAdmin(
        'template_add',
        { personId: id, source: 'photos', added, refused: results.length - added },
        added > 0,
      );
      changed();
      return results;
    },
    testRecognition: async ({ id }, sender) => {
      requireAdmin(services, sender);
      const kiosk = requireKiosk(services);
      const threshold = kiosk.threshold;
      const frame = kiosk.latestFrame;
      if (!frame || Date.now() - frame.at > 2000) {
        return { matched: false, score: null, threshold, reason: 'no recent camera frame' };
      }
      const subject = faceThatCounts(frame.faces, frame.image);
      if (!subject)
        return { matched: false, score: null, threshold, reason: 'no face in front of the camera' };
      const face = await kiosk.engine.exclusive(() =>
        kiosk.engine.analysis.analyze(frame.image, { ...subject }),
      );
      const entry = kiosk.engine.recognizerId
        ? requireStore(services)
            .gallery(kiosk.engine.recognizerId)
            .find((g) => g.personId === id)
        : undefined;
      if (!entry)
        return {
          matched: false,
          score: null,
          threshold,
          reason: 'this person has no templates for the active recognizer',
        };
      const ranking = verify(face.normedEmbedding!, entry, threshold);
      const score = ranking.best?.score ?? null;
      return {
        matched: ranking.match !== null,
        score,
        threshold,
        reason: ranking.match ? 'match' : 'below threshold',
      };
    },
    claimIdentity: async ({ pin }) => {
      const kiosk = requireKiosk(services);
      if (services.settings.get().recognition.mode !== 'verify') {
        throw new ExpectedError('NOT_VERIFY_MODE', 'The kiosk is in identification mode.');
      }
      const person = await requireStore(services).findPersonByPin(pin);
      const now = Date.now();
      if (!person) {
        const final = kiosk.decisions.claimFailed(now);
        const { time, ...rest } = final;
        await services.audit.append({ ...rest, time, door: null });
        return { claimed: false };
      }
      const result = kiosk.decisions.claim(person.id, now);
      if (!result.ok) {
        throw new ExpectedError(
          'LOCKED_OUT',
          `Too many failed attempts: try again in ${Math.ceil(result.retryAfterMs / 1000)} s.`,
        );
      }
      return { claimed: true };
    },
  };
}
