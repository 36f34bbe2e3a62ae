// `tobira enroll --name NAME IMAGE...`: adds a person (or more samples to them) from photos.
import { photoFaces } from '../../recognition/close-face.js';
import { decodeImageFile } from '../../image/decode.js';
import { FaceAnalysis } from '../../insightface/face_analysis.js';
import {
  checkEnrollmentFace,
  findLookalike,
  isNearDuplicate,
  lookalikeReason,
} from '../../recognition/enroll-check.js';
import { PackedGallery } from '../../recognition/packed-gallery.js';
import type { MatchResult } from '../../recognition/types.js';
import { defaultThreshold } from '../../recognition/thresholds.js';
import { DEFAULT_QUALITY } from '../../recognition/quality.js';
import { faceThumbnail } from '../../store/thumbnail.js';
import { parse, UsageError, type Command } from '../command.js';
import { storeOptions } from '../store-cli.js';
import { openCliDoor } from '../cli-door.js';
import { cliPaths } from '../data-dir.js';
import { resolveModelsDir } from '../models-dir.js';

const usage = `Usage: tobira enroll --name NAME [--data-dir DIR] [--store DIR] [--models DIR] [--key FILE] [--allow-lookalike] [--json] IMAGE...

Enrolls the one face in each photo as NAME (adding to an existing person of that name).
A photo with no face, several faces, poor quality, or a near-copy of an enrolled sample is
refused with the reason; the other photos go on. Exits 1 if no photo could be enrolled.
A face that already matches someone else enrolled (the same person twice, or a twin) is refused
too, unless --allow-lookalike says they are different people; either way the audit line says so.
In a data folder joined to a fleet (tobira fleet join), enrolls into the fleet.`;

interface Outcome {
  file: string;
  enrolled: boolean;
  reason: string | null;
  /** Someone else enrolled whom this face already matches. */
  lookalike?: MatchResult;
}

export const command: Command = {
  summary: 'enroll a person from photos into the store',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      ...storeOptions,
      models: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean' },
      'allow-lookalike': { type: 'boolean' },
    });
    if (!values.name?.trim()) throw new UsageError('--name NAME is required');
    if (positionals.length === 0) throw new UsageError('expected at least one image');
    const name = values.name.trim();
    const paths = cliPaths(io);
    const fa = await FaceAnalysis.load(await resolveModelsDir(values.models, paths.modelsDir), {
      allowedModules: ['detection', 'recognition'],
    });
    try {
      const recognizer = fa.info.recognizer;
      if (!recognizer) throw new Error('the model pack has no recognition model');
      // After the models: a store is never created for a run that could not enroll anyone.
      const door = await openCliDoor(values, io, { create: true, write: true });
      const existing = door.people.listPeople().filter((p) => p.name === name);
      if (existing.length > 1)
        throw new Error(`${existing.length} people are named '${values.name}'; rename one first`);
      let person: { id: string; name: string } | null = existing[0] ?? null;
      // The duplicate check's gallery, packed once (a campus door's 500,000 templates are not walked
      // per photo); the person being enrolled is left out of every check, so their new rows need not be in it.
      const others = PackedGallery.of(door.people.gallery(recognizer.id));
      const outcomes: Outcome[] = [];
      for (const file of positionals) {
        let outcome: Outcome;
        try {
          const image = await decodeImageFile(file);
          const check = checkEnrollmentFace(await photoFaces(fa, image), image, DEFAULT_QUALITY);
          if (!check.ok) outcome = { file, enrolled: false, reason: check.message };
          else {
            const embedding = check.face.normedEmbedding!;
            const known = person
              ? (door.people.gallery(recognizer.id).find((g) => g.personId === person!.id)?.templates ?? [])
              : [];
            const lookalike = findLookalike(
              embedding,
              others,
              person?.id ?? null,
              defaultThreshold(recognizer).threshold,
            );
            if (isNearDuplicate(embedding, known)) {
              outcome = { file, enrolled: false, reason: 'near-duplicate of an enrolled sample' };
            } else if (lookalike && !values['allow-lookalike']) {
              outcome = { file, enrolled: false, reason: lookalikeReason(lookalike), lookalike };
            } else {
              person ??= await door.people.addPerson(name);
              await door.people.addTemplate(person.id, {
                recognizerId: recognizer.id,
                embedding,
                thumbnail: await faceThumbnail(image, check.face.bbox),
              });
              outcome = { file, enrolled: true, reason: null, ...(lookalike ? { lookalike } : {}) };
            }
          }
        } catch (error) {
          outcome = { file, enrolled: false, reason: (error as Error).message };
        }
        outcomes.push(outcome);
        if (!values.json) io.out(`${file}: ${outcome.enrolled ? 'enrolled' : `refused: ${outcome.reason}`}`);
      }
      const count = outcomes.filter((o) => o.enrolled).length;
      await door.audit({
        action: 'enroll',
        ok: count > 0,
        detail: {
          personId: person?.id ?? null,
          name,
          photos: positionals.length,
          enrolled: count,
          recognizer: recognizer.id,
          // The duplicate check's flags and what the admin decided (--allow-lookalike: kept).
          lookalikes: outcomes.flatMap((o) =>
            o.lookalike
              ? [
                  {
                    file: o.file,
                    personId: o.lookalike.personId,
                    name: o.lookalike.name,
                    score: o.lookalike.score,
                    kept: o.enrolled,
                  },
                ]
              : [],
          ),
        },
      });
      if (values.json)
        io.out(
          JSON.stringify({
            person: person ? { id: person.id, name: person.name } : null,
            outcomes,
            ...door.facts(),
          }),
        );
      else
        io.out(
          `${values.name}: ${count} of ${positionals.length} photo(s) enrolled` +
            (door.kind === 'fleet' ? ' in the fleet' : ''),
        );
      return count > 0 ? 0 : 1;
    } finally {
      await fa.release();
    }
  },
};
