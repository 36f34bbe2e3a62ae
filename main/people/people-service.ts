// People and enrollment, the admin screen's use cases and the 1:1 claim at the door. Moved out of
// the IPC handlers (which now only pass the gate's parsed arguments in): the same rules apply to
// the lone kiosk's local store and a fleet door's people, through the PeopleDirectory the
// services pick (people-directory.ts, fleet-directory.ts). Every change is audited.
import path from 'node:path';
import type { ImportResult, PersonView, RecognitionTest } from '../../preload/contract/people.js';
import type { EnrollStatus } from '../../preload/contract/index.js';
import type { AppServices } from '../services.js';
import type { Kiosk } from '../kiosk/kiosk.js';
import type { PersonSummary } from '../store/enrollment-store.js';
import { decodeImageFile } from '../image/decode.js';
import { checkEnrollmentFace } from '../recognition/enroll-check.js';
import { faceThatCounts } from '../recognition/subject.js';
import { verify } from '../recognition/matcher.js';
import { faceThumbnail } from '../store/thumbnail.js';
import { ExpectedError } from '../ipc/errors.js';
import type { PeopleDirectory } from './people-directory.js';
import { photoFaces } from '../recognition/close-face.js';

/** The claim of an unknown code: never a person id (those are [A-Za-z0-9_-]). */
const NOBODY = '(no one)';

/** Photos per import: enough for a few good samples, small enough to stay quick. */
const MAX_IMPORT_FILES = 20;

/** The camera frame "test recognition" uses must be this fresh: 2 s, a glance at the camera. */
const FRESH_FRAME_MS = 2000;

/** Samples a camera enrollment takes unless the admin asks for another number. */
const DEFAULT_ENROLL_TARGET = 5;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function requireKiosk(services: AppServices): Kiosk {
  const kiosk = services.kiosk;
  if (!kiosk) throw new ExpectedError('NO_MODELS', 'No face models are loaded: install a model pack first.');
  return kiosk;
}

/** The people the kiosk uses now: the local store, or the fleet on a joined data folder. */
export function requirePeople(services: AppServices): PeopleDirectory {
  const people = services.people;
  if (!people) {
    throw new ExpectedError(
      services.joined ? 'FLEET_UNAVAILABLE' : 'STORE_UNAVAILABLE',
      `${services.peopleProblem ?? 'nobody can be listed'}`.replace(/^./, (c) => c.toUpperCase()),
    );
  }
  return people;
}

export class PeopleService {
  constructor(private readonly services: AppServices) {}

  private get people(): PeopleDirectory {
    return requirePeople(this.services);
  }

  private activeRecognizer(): string | undefined {
    return this.services.kiosk?.engine.recognizerId ?? undefined;
  }

  private view(person: PersonSummary): PersonView {
    const thumbnail = this.people.thumbnail(person.id);
    return {
      id: person.id,
      name: person.name,
      templates: person.templates.length,
      needsReenrollment: person.needsReenrollment,
      hasPin: person.hasPin,
      thumbnail: thumbnail ? `data:image/jpeg;base64,${thumbnail.toString('base64')}` : null,
    };
  }

  /** The matcher sees the change on its next frame. */
  private changed(): void {
    this.services.kiosk?.refreshGallery();
  }

  list(): PersonView[] {
    return this.people.listPeople(this.activeRecognizer()).map((p) => this.view(p));
  }

  async add(name: string, pin?: string): Promise<PersonView> {
    const person = await this.people.addPerson(name, pin ? { pin } : {});
    await this.services.auditAdmin('person_add', { personId: person.id, name, withPin: Boolean(pin) });
    return this.view(this.people.getPerson(person.id, this.activeRecognizer()));
  }

  async rename(id: string, name: string): Promise<PersonView> {
    const before = this.people.listPeople().find((p) => p.id === id)?.name ?? null;
    await this.people.renamePerson(id, name);
    await this.services.auditAdmin('person_rename', { personId: id, from: before, name });
    this.changed();
    return this.view(this.people.getPerson(id, this.activeRecognizer()));
  }

  async setPin(id: string, pin: string | null): Promise<PersonView> {
    await this.people.setPersonPin(id, pin);
    await this.services.auditAdmin('person_pin', { personId: id, set: pin !== null });
    return this.view(this.people.getPerson(id, this.activeRecognizer()));
  }

  async remove(id: string): Promise<{ deleted: boolean }> {
    const gone = this.people.listPeople().find((p) => p.id === id)?.name ?? null;
    await this.people.removePerson(id);
    await this.services.auditAdmin('person_delete', { personId: id, name: gone });
    this.changed();
    return { deleted: true };
  }

  startEnrollment(id: string, target = DEFAULT_ENROLL_TARGET): EnrollStatus {
    this.people.getPerson(id);
    const kiosk = requireKiosk(this.services);
    if (!kiosk.engine.recognizerId)
      throw new ExpectedError('NO_RECOGNIZER', 'The active pack has no recognition model.');
    const started = kiosk.startEnrollment(id, target);
    void this.services.auditAdmin('enroll_start', { personId: id, target });
    return started;
  }

  stopEnrollment(): EnrollStatus {
    const stopped = requireKiosk(this.services).stopEnrollment();
    void this.services.auditAdmin('enroll_stop');
    return stopped;
  }

  async importPhotos(id: string): Promise<ImportResult[]> {
    const people = this.people;
    people.getPerson(id);
    const kiosk = requireKiosk(this.services);
    const recognizerId = kiosk.engine.recognizerId;
    if (!recognizerId) throw new ExpectedError('NO_RECOGNIZER', 'The active pack has no recognition model.');
    const files = (await this.services.options.pickFiles({ kind: 'images' })) ?? [];
    const results: ImportResult[] = [];
    for (const file of files.slice(0, MAX_IMPORT_FILES)) {
      const name = path.basename(file);
      try {
        const image = await decodeImageFile(file);
        const faces = await kiosk.engine.exclusive(() => photoFaces(kiosk.engine.analysis, image));
        const check = checkEnrollmentFace(faces, image, kiosk.decisions.settings.quality);
        if (!check.ok) {
          results.push({ file: name, ok: false, reason: check.message });
          continue;
        }
        await people.addTemplate(id, {
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
    await this.services.auditAdmin(
      'template_add',
      { personId: id, source: 'photos', added, refused: results.length - added },
      added > 0,
    );
    this.changed();
    return results;
  }

  async testRecognition(id: string): Promise<RecognitionTest> {
    const kiosk = requireKiosk(this.services);
    const threshold = kiosk.threshold;
    const frame = kiosk.latestFrame;
    if (!frame || Date.now() - frame.at > FRESH_FRAME_MS) {
      return { matched: false, score: null, threshold, reason: 'no recent camera frame' };
    }
    const subject = faceThatCounts(frame.faces, frame.image);
    if (!subject) return { matched: false, score: null, threshold, reason: 'no face in front of the camera' };
    const face = await kiosk.engine.exclusive(() =>
      kiosk.engine.analysis.analyze(frame.image, { ...subject }),
    );
    const entry = kiosk.engine.recognizerId
      ? this.people.gallery(kiosk.engine.recognizerId).find((g) => g.personId === id)
      : undefined;
    if (!entry)
      return {
        matched: false,
        score: null,
        threshold,
        reason: 'this person has no templates for the active recognizer',
      };
    const ranking = verify(face.normedEmbedding!, entry, threshold);
    return {
      matched: ranking.match !== null,
      score: ranking.best?.score ?? null,
      threshold,
      reason: ranking.match ? 'match' : 'below threshold',
    };
  }

  async claimIdentity(pin: string): Promise<{ claimed: boolean }> {
    const { services } = this;
    const kiosk = requireKiosk(services);
    if (services.settings.get().recognition.mode !== 'verify') {
      throw new ExpectedError('NOT_VERIFY_MODE', 'The kiosk is in identification mode.');
    }
    const lockedOut = (ms: number) =>
      new ExpectedError('LOCKED_OUT', `Too many failed attempts: try again in ${Math.ceil(ms / 1000)} s.`);
    // Both lockouts before any scrypt work, and the same for every code typed.
    const faceLock = kiosk.decisions.lockedForMs(Date.now());
    if (faceLock > 0) throw lockedOut(faceLock);
    const people = this.people;
    const check = await services.codes.check(
      pin,
      async (code) => (await people.findPersonByPin(code))?.id ?? null,
    );
    if (check.kind === 'locked') throw lockedOut(check.retryAfterMs);
    if (check.kind === 'unknown') {
      // Logged for the admin, after the answer (no extra time for a stranger to measure).
      void services.audit
        .append({
          mode: 'verify',
          outcome: 'rejected',
          reason: 'wrong_claim_pin',
          personId: null,
          personName: null,
          score: null,
          threshold: kiosk.threshold,
          recognizerId: kiosk.engine.recognizerId,
          gates: [],
          liveness: null,
          door: null,
        })
        .catch((error: unknown) => services.log(`audit: ${messageOf(error)}`));
    }
    // An unknown code is answered like a known one: the face is then checked against
    // nobody, and fails as it would against someone else's code.
    const result = kiosk.decisions.claim(check.kind === 'match' ? check.personId : NOBODY, Date.now());
    if (!result.ok) throw lockedOut(result.retryAfterMs);
    return { claimed: true };
  }
}
