import { z } from 'zod';
import { channel, pinAgainField } from './define.js';
import { NoArgs } from './app.js';
import { PinSchema } from './admin.js';

export const PersonIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
export const PersonNameSchema = z.string().trim().min(1).max(80);

export interface PersonView {
  id: string;
  name: string;
  templates: number;
  /** Templates exist, but none from the active recognizer: enroll again. */
  needsReenrollment: boolean;
  hasPin: boolean;
  /** A small JPEG as a data: URL, when one was kept. */
  thumbnail: string | null;
}

export interface ImportResult {
  file: string;
  ok: boolean;
  reason: string | null;
  /** Someone else enrolled whom this face already matches (the duplicate check); null when nobody. */
  lookalike?: { name: string; score: number } | null;
}

export interface EnrollStatus {
  personId: string | null;
  accepted: number;
  target: number;
  /** Why the last frame was not taken: a guidance code, 'near_duplicate' or 'different_person'. */
  lastRefusal: string | null;
  /** What to ask of the person now: 'look_straight', 'turn_left', 'turn_right', or a guidance code. */
  hint: string | null;
  done: boolean;
  /**
   * The duplicate check: someone else enrolled whom this face already matches at the door's
   * threshold. `kept: false`: the enrollment stopped before saving, for the admin to decide;
   * `kept: true`: the admin said they are different people, and the samples were saved.
   */
  lookalike?: { personId: string; name: string; score: number; kept: boolean } | null;
}

export interface RecognitionTest {
  matched: boolean;
  score: number | null;
  threshold: number;
  reason: string;
}

const ById = z.object({ id: PersonIdSchema }).strict();

export const peopleChannels = {
  listPeople: channel<PersonView[]>()(NoArgs, 'admin'),
  addPerson: channel<PersonView>()(
    z.object({ name: PersonNameSchema, pin: PinSchema.optional() }).strict(),
    'admin',
    'person_add',
  ),
  renamePerson: channel<PersonView>()(
    z.object({ id: PersonIdSchema, name: PersonNameSchema }).strict(),
    'admin',
    'person_rename',
  ),
  setPersonPin: channel<PersonView>()(
    z.object({ id: PersonIdSchema, pin: PinSchema.nullable() }).strict(),
    'admin',
    'person_pin',
  ),
  deletePerson: channel<{ deleted: boolean }>()(ById, 'admin', 'person_delete'),
  /**
   * Camera enrollment: the next frames are sampled for this person until `target` are taken.
   * With the admin PIN typed again, as for the photos below: a face enrolled is a face let in.
   */
  startEnrollment: channel<EnrollStatus>()(
    /** allowLookalike: the admin has seen the duplicate check's flag and says they are different people. */
    z
      .object({
        id: PersonIdSchema,
        target: z.int().min(1).max(10).optional(),
        allowLookalike: z.boolean().optional(),
        ...pinAgainField,
      })
      .strict(),
    'admin',
    'enroll_start',
    'pin-again',
  ),
  stopEnrollment: channel<EnrollStatus>()(NoArgs, 'admin', 'enroll_stop'),
  /** Photos chosen in a file dialog in main. */
  importPhotos: channel<ImportResult[]>()(
    /** allowLookalike: the admin has seen the duplicate check's flag and says they are different people. */
    z.object({ id: PersonIdSchema, allowLookalike: z.boolean().optional(), ...pinAgainField }).strict(),
    'admin',
    'template_add',
    'pin-again',
  ),
  /** Verifies the latest camera frame against this person only. */
  testRecognition: channel<RecognitionTest>()(ById, 'admin'),
  /**
   * 1:1 mode: the person at the door claims an identity with their code. `claimed` is true for
   * every code unless locked out (LOCKED_OUT): the answer never says whether a code exists.
   */
  claimIdentity: channel<{ claimed: boolean }>()(z.object({ pin: PinSchema }).strict(), 'public'),
};
