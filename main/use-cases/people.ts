// People and enrollment, the admin screen's use cases and the 1:1 claim at the door. The IPC
// handlers only pass the gate's parsed arguments in: the same rules apply to the lone kiosk's
// local store and a fleet door's people, through the PeopleDirectory in use (people/people-directory.ts, fleet/fleet-directory.ts). Every
// change reports its audit line (Audited): the contract declares the channel's action and the
// gate writes it.
import path from 'node:path';
import type { ImportResult, PersonView, RecognitionTest } from '../../preload/contract/people.js';
import type { EnrollStatus } from '../../preload/contract/index.js';
import type { Kiosk } from '../kiosk/kiosk.js';
import type { PersonSummary } from '../store/enrollment-store.js';
import { decodeImageFile } from '../image/decode.js';
import { checkEnrollmentFace, findLookalike, lookalikeReason } from '../recognition/enroll-check.js';
import { faceThatCounts } from '../recognition/subject.js';
import { verify } from '../recognition/matcher.js';
import { faceThumbnail } from '../store/thumbnail.js';
import type { PeopleDirectory, PeopleSource } from '../people/people-directory.js';
import type { Settings } from '../../preload/contract/settings.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Audited } from '../audit/types.js';
import type { CodeEntry } from '../recognition/code-entry.js';
import { ExpectedError } from './expected-error.js';
import type { FilePicker } from '../util/file-picker.js';
import { requireKiosk, requirePeople } from './require.js';
import { messageOf } from '../util/message-of.js';
import { photoFaces } from '../recognition/close-face.js';

/** The claim of an unknown code: never a person id (those are [A-Za-z0-9_-]). */
const NOBODY = '(no one)';

/** Photos per import: enough for a few good samples, small enough to stay quick. */
const MAX_IMPORT_FILES = 20;

/** The camera frame "test recognition" uses must be this fresh: 2 s, a glance at the camera. */
const FRESH_FRAME_MS = 2000;

/** Samples a camera enrollment takes unless the admin asks for another number. */
const DEFAULT_ENROLL_TARGET = 5;

/** What the people use cases work with, and nothing more. */
export interface PeopleDeps {
  people: PeopleSource;
  /** The kiosk on the loaded engine; null while none is loaded. */
  kiosk: () => Kiosk | null;
  pickFiles: FilePicker;
  settings: () => Settings;
  /** 1:1 code entry and its lockout. */
  codes: Pick<CodeEntry, 'check'>;
  audit: Pick<AuditLog, 'append'>;
  log: (message: string) => void;
}

export class PeopleService {
  constructor(private readonly deps: PeopleDeps) {}

  private get people(): PeopleDirectory {
    return requirePeople(this.deps.people);
  }

  private get kiosk(): Kiosk {
    return requireKiosk(this.deps.kiosk());
  }

  private activeRecognizer(): string | undefined {
    return this.deps.kiosk()?.engine.recognizerId ?? undefined;
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
    this.deps.kiosk()?.refreshGallery();
  }

  list(): PersonView[] {
    return this.people.listPeople(this.activeRecognizer()).map((p) => this.view(p));
  }

  async add(name: string, pin?: string): Promise<Audited<PersonView>> {
    const person = await this.people.addPerson(name, pin ? { pin } : {});
    return {
      value: this.view(this.people.getPerson(person.id, this.activeRecognizer())),
      audit: { detail: { personId: person.id, name, withPin: Boolean(pin) } },
    };
  }

  async rename(id: string, name: string): Promise<Audited<PersonView>> {
    const before = this.people.listPeople().find((p) => p.id === id)?.name ?? null;
    await this.people.renamePerson(id, name);
    this.changed();
    return {
      value: this.view(this.people.getPerson(id, this.activeRecognizer())),
      audit: { detail: { personId: id, from: before, name } },
    };
  }

  async setPin(id: string, pin: string | null): Promise<Audited<PersonView>> {
    await this.people.setPersonPin(id, pin);
    return {
      value: this.view(this.people.getPerson(id, this.activeRecognizer())),
      audit: { detail: { personId: id, set: pin !== null } },
    };
  }

  async remove(id: string): Promise<Audited<{ deleted: boolean }>> {
    const gone = this.people.listPeople().find((p) => p.id === id)?.name ?? null;
    await this.people.removePerson(id);
    this.changed();
    return { value: { deleted: true }, audit: { detail: { personId: id, name: gone } } };
  }

  /** `allowLookalike`: keep samples the duplicate check flags (the admin has said they are different people). */
  startEnrollment(id: string, target = DEFAULT_ENROLL_TARGET, allowLookalike = false): Audited<EnrollStatus> {
    this.people.getPerson(id);
    const kiosk = this.kiosk;
    if (!kiosk.engine.recognizerId)
      throw new ExpectedError('NO_RECOGNIZER', 'The active pack has no recognition model.');
    return {
      value: kiosk.startEnrollment(id, target, allowLookalike),
      audit: { detail: { personId: id, target, ...(allowLookalike ? { allowLookalike } : {}) } },
    };
  }

  stopEnrollment(): Audited<EnrollStatus> {
    return { value: this.kiosk.stopEnrollment(), audit: { detail: {} } };
  }

  /** `allowLookalike`: keep photos the duplicate check flags (the admin has said they are different people). */
  async importPhotos(id: string, allowLookalike = false): Promise<Audited<ImportResult[]>> {
    const people = this.people;
    people.getPerson(id);
    const kiosk = this.kiosk;
    const recognizerId = kiosk.engine.recognizerId;
    if (!recognizerId) throw new ExpectedError('NO_RECOGNIZER', 'The active pack has no recognition model.');
    const files = (await this.deps.pickFiles({ kind: 'images' })) ?? [];
    const results: ImportResult[] = [];
    /** The duplicate check's flags and the admin's decision, for the audit line. */
    const flagged: { file: string; personId: string; name: string; score: number; kept: boolean }[] = [];
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
        const embedding = check.face.normedEmbedding!;
        const match = findLookalike(embedding, people.gallery(recognizerId), id, kiosk.threshold);
        const lookalike = match && { name: match.name, score: match.score };
        if (match)
          flagged.push({ file: name, personId: match.personId, ...lookalike!, kept: allowLookalike });
        if (match && !allowLookalike) {
          results.push({ file: name, ok: false, reason: lookalikeReason(match), lookalike });
          continue;
        }
        await people.addTemplate(id, {
          recognizerId,
          embedding,
          thumbnail: await faceThumbnail(image, check.face.bbox),
        });
        results.push({ file: name, ok: true, reason: null, lookalike });
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
    this.changed();
    return {
      value: results,
      audit: {
        detail: {
          personId: id,
          source: 'photos',
          added,
          refused: results.length - added,
          // The duplicate check's flags and the admin's decision, when there were any.
          ...(flagged.length > 0 ? { lookalikes: flagged } : {}),
        },
        ok: added > 0,
      },
    };
  }

  async testRecognition(id: string): Promise<RecognitionTest> {
    const kiosk = this.kiosk;
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
    const { deps } = this;
    const kiosk = this.kiosk;
    if (deps.settings().recognition.mode !== 'verify') {
      throw new ExpectedError('NOT_VERIFY_MODE', 'The kiosk is in identification mode.');
    }
    const lockedOut = (ms: number) =>
      new ExpectedError('LOCKED_OUT', `Too many failed attempts: try again in ${Math.ceil(ms / 1000)} s.`);
    // Both lockouts before any scrypt work, and the same for every code typed.
    const faceLock = kiosk.decisions.lockedForMs(Date.now());
    if (faceLock > 0) throw lockedOut(faceLock);
    const people = this.people;
    const check = await deps.codes.check(
      pin,
      async (code) => (await people.findPersonByPin(code))?.id ?? null,
    );
    if (check.kind === 'locked') throw lockedOut(check.retryAfterMs);
    if (check.kind === 'unknown') {
      // Logged for the admin, after the answer (no extra time for a stranger to measure).
      void deps.audit
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
        .catch((error: unknown) => deps.log(`audit: ${messageOf(error)}`));
    }
    // An unknown code is answered like a known one: the face is then checked against
    // nobody, and fails as it would against someone else's code.
    const result = kiosk.decisions.claim(check.kind === 'match' ? check.personId : NOBODY, Date.now());
    if (!result.ok) throw lockedOut(result.retryAfterMs);
    return { claimed: true };
  }
}
