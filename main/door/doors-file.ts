// The door programs this PC allows: `doors.json` in the data folder, written by
// the OS user (an editor, an installer) or `tobira door add`. Never IPC data:
// the admin screen only chooses one of these by id, so an admin session (or a
// compromised renderer holding one) can open the door but not run a program.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-write.js';
import { messageOf } from '../util/message-of.js';

export const DOORS_FILE = 'doors.json';

/** Lower-case ids: they travel in settings and IPC, and are typed at a shell. */
export const doorIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use a-z, 0-9, - and _ (max 64)');

export const doorProgramSchema = z
  .object({
    id: doorIdSchema,
    label: z.string().max(200).optional(),
    /** Absolute, so a changed PATH cannot swap the program; run without a shell. */
    program: z
      .string()
      .min(1)
      .max(1024)
      .refine((p) => path.isAbsolute(p), 'must be an absolute path'),
    /** Each may hold {{holdMs}}, {{holdSeconds}}, {{event}}, {{personId}}, {{personName}}. */
    args: z.array(z.string().max(1024)).max(32).default([]),
    /** 5 s: a relay tool answers in well under a second; anything longer is stuck. */
    timeoutMs: z.int().min(100).max(60_000).default(5000),
  })
  .strict();
export type DoorProgram = z.infer<typeof doorProgramSchema>;

export const doorsFileSchema = z
  .object({
    version: z.literal(1),
    doors: z.array(doorProgramSchema).max(64),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.doors.forEach((d, i) => {
      if (seen.has(d.id))
        ctx.addIssue({ code: 'custom', path: ['doors', i, 'id'], message: `duplicate id '${d.id}'` });
      seen.add(d.id);
    });
  });
export type DoorsFile = z.infer<typeof doorsFileSchema>;

export const EMPTY_DOORS: DoorsFile = { version: 1, doors: [] };

/** A doors.json that cannot be used; the message names the file and the bad field. */
export class DoorsFileError extends Error {
  override readonly name = 'DoorsFileError';
}

/** Parses doors.json text; throws DoorsFileError naming `file` and every bad field. */
export function parseDoorsFile(text: string, file: string): DoorsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DoorsFileError(`${file} is not valid JSON: ${messageOf(error)}`);
  }
  const parsed = doorsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new DoorsFileError(`${file} is invalid: ${issues}`);
  }
  return parsed.data;
}

/**
 * Reads `dir/doors.json` (a missing file allows no program). Read at each use, so
 * an edit on the PC applies without a restart. A file others may write is refused:
 * whoever can write it chooses what the kiosk runs.
 */
export function readDoorsFile(dir: string): DoorsFile {
  const file = path.join(dir, DOORS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_DOORS;
    throw new DoorsFileError(`${file}: ${messageOf(error)}`);
  }
  // POSIX only: Windows has no group/other mode bits.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o022) !== 0) {
    throw new DoorsFileError(`${file} is writable by group/others; run chmod 600 on it`);
  }
  return parseDoorsFile(text, file);
}

export async function writeDoorsFile(dir: string, doors: DoorsFile): Promise<void> {
  const checked = doorsFileSchema.parse(doors);
  await writeFileAtomic(path.join(dir, DOORS_FILE), JSON.stringify(checked, null, 2) + '\n', { mode: 0o600 });
}

/** The program with `id`, or a DoorsFileError saying what is there. */
export function findDoorProgram(doors: DoorsFile, id: string): DoorProgram {
  const found = doors.doors.find((d) => d.id === id);
  if (!found) {
    const known = doors.doors.map((d) => d.id).join(', ') || 'none';
    throw new DoorsFileError(`door program '${id}' is not in ${DOORS_FILE} (listed: ${known})`);
  }
  return found;
}
