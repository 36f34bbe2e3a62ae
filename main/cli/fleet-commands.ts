// enroll, people and audit export in a data folder that is a door of a fleet: they act
// on the fleet (the database through the door's login, the replica for reading) instead of the
// local store. Each command file calls in here when --data-dir names a joined folder.
import path from 'node:path';
import { csvCell, csvRow, CSV_COLUMNS } from '../audit/csv.js';
import type { AuditRecord } from '../audit/types.js';
import { openFleet, writeFleet, isJoined, type FleetContext } from '../fleet/cli-context.js';
import type { AdminInput } from '../audit/types.js';
import { auditCli } from './store-cli.js';
import { cliPaths } from './data-dir.js';
import { withClient } from '../fleet/db.js';
import { decodeImageFile } from '../image/decode.js';
import { FaceAnalysis } from '../insightface/face_analysis.js';
import { checkEnrollmentFace, isNearDuplicate } from '../recognition/enroll-check.js';
import { DEFAULT_QUALITY } from '../recognition/quality.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UsageError, type CliIO } from './command.js';
import { resolveModelsDir } from './models-dir.js';

/** The joined data folder the dispatcher's --data-dir named, or null (then the command uses the local store). */
export function joinedDir(value: string | undefined): string | null {
  return value && isJoined(path.resolve(value)) ? path.resolve(value) : null;
}

/**
 * One of the CLI's admin actions in a joined folder, in the door's own log (<data dir>/audit),
 * as the headless door writes it (no store key here); the detail names the fleet.
 */
export function auditFleetCli(ctx: FleetContext, io: CliIO, event: Omit<AdminInput, 'actor'>): Promise<void> {
  return auditCli(cliPaths(io).auditDir, null, {
    ...event,
    detail: { ...event.detail, fleet: ctx.config.fleet },
  });
}

async function loadEngine(models: string | undefined) {
  const fa = await FaceAnalysis.load(await resolveModelsDir(models), {
    allowedModules: ['detection', 'recognition'],
  });
  const recognizer = fa.info.recognizer;
  if (!recognizer) {
    await fa.release();
    throw new Error('the model pack has no recognition model');
  }
  return { fa, recognizer };
}

export async function fleetEnroll(
  dir: string,
  options: { name: string; models?: string | undefined; json?: boolean | undefined },
  files: string[],
  io: CliIO,
): Promise<number> {
  const ctx = await openFleet(dir, { catchUp: true });
  if (ctx.syncError) throw ctx.syncError; // enrolling needs the database: say so rather than queue
  const { fa, recognizer } = await loadEngine(options.models);
  try {
    const existing = ctx
      .view()
      .findPeople(options.name.trim())
      .filter((p) => p.name === options.name.trim());
    if (existing.length > 1)
      throw new Error(`${existing.length} people are named '${options.name}'; rename one first`);
    const knownEmbeddings = existing[0]
      ? (ctx
          .view()
          .gallery(recognizer.id)
          .find((g) => g.personId === existing[0]!.id)?.templates ?? [])
      : [];
    const accepted: Float32Array[] = [];
    const outcomes: { file: string; enrolled: boolean; reason: string | null }[] = [];
    for (const file of files) {
      try {
        const image = await decodeImageFile(file);
        const check = checkEnrollmentFace(await fa.get(image), image, DEFAULT_QUALITY);
        if (!check.ok) outcomes.push({ file, enrolled: false, reason: check.message });
        else if (isNearDuplicate(check.face.normedEmbedding!, [...knownEmbeddings, ...accepted])) {
          outcomes.push({ file, enrolled: false, reason: 'near-duplicate of an enrolled sample' });
        } else {
          accepted.push(check.face.normedEmbedding!);
          outcomes.push({ file, enrolled: true, reason: null });
        }
      } catch (error) {
        outcomes.push({ file, enrolled: false, reason: (error as Error).message });
      }
    }
    let person: { id: string; name: string } | null = existing[0]
      ? { id: existing[0].id, name: existing[0].name }
      : null;
    if (accepted.length > 0) {
      person = await writeFleet(ctx, async (w) => {
        const id = person?.id ?? (await w.addPerson(options.name)).id;
        await w.addTemplates(id, recognizer.id, accepted);
        return { id, name: options.name.trim() };
      });
    }
    await auditFleetCli(ctx, io, {
      action: 'enroll',
      ok: accepted.length > 0,
      detail: {
        personId: person?.id ?? null,
        name: options.name.trim(),
        photos: files.length,
        enrolled: accepted.length,
        recognizer: recognizer.id,
      },
    });
    if (options.json) io.out(JSON.stringify({ person, outcomes, fleet: ctx.config.fleet }));
    else {
      for (const o of outcomes) io.out(`${o.file}: ${o.enrolled ? 'enrolled' : `refused: ${o.reason}`}`);
      io.out(`${options.name}: ${accepted.length} of ${files.length} photo(s) enrolled in the fleet`);
    }
    return accepted.length > 0 ? 0 : 1;
  } finally {
    await fa.release();
  }
}

export async function fleetPeople(
  dir: string,
  action: string | undefined,
  rest: string[],
  json: boolean,
  io: CliIO,
): Promise<number> {
  const ctx = await openFleet(dir, { catchUp: true });
  if (action === 'list') {
    if (ctx.syncError) io.err(`warning: listing the local replica: ${ctx.syncError.message}`);
    const people = [...ctx.view().people.values()].map((p) => ({
      id: p.id,
      name: p.name,
      disabled: p.disabled,
      groups: p.groups,
      templates: p.templates.map((t) => ({ id: t.id, recognizerId: t.recognizerId, createdAt: t.createdAt })),
    }));
    if (json) io.out(JSON.stringify({ people }));
    else if (people.length === 0) io.out('nobody is enrolled in the fleet');
    else
      for (const p of people)
        io.out(`${p.id}  ${p.name}  ${p.templates.length} template(s)${p.disabled ? '  DISABLED' : ''}`);
    return 0;
  }
  if (action === 'remove') {
    if (rest.length !== 1) throw new UsageError('remove takes one ID or NAME');
    if (ctx.syncError) throw ctx.syncError;
    const matches = ctx.view().findPeople(rest[0]!);
    if (matches.length === 0) throw new Error(`nobody with id or name '${rest[0]}' in the fleet`);
    if (matches.length > 1) throw new Error(`${matches.length} people are named '${rest[0]}'; remove by id`);
    const p = matches[0]!;
    const version = await writeFleet(ctx, (w) => w.removePerson(p.id));
    await auditFleetCli(ctx, io, {
      action: 'person_delete',
      ok: true,
      detail: { personId: p.id, name: p.name },
    });
    io.out(
      json
        ? JSON.stringify({ removed: { id: p.id, name: p.name }, version })
        : `removed ${p.name} (${p.id}) from the fleet`,
    );
    return 0;
  }
  throw new UsageError(`expected 'list' or 'remove', got '${action ?? ''}'`);
}

export interface AuditFilter {
  door?: string | undefined;
  person?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

const isoOrThrow = (value: string | undefined, flag: string): string | null => {
  if (value === undefined) return null;
  if (Number.isNaN(Date.parse(value)))
    throw new UsageError(`--${flag}: expected a date/time such as 2026-06-01T09:00:00Z, got '${value}'`);
  return new Date(value).toISOString();
};

/** The whole building's audit from the database, oldest first, as CSV with a leading door column. */
export async function fleetAuditExport(
  dir: string,
  filter: AuditFilter,
  out: string | undefined,
  io: CliIO,
): Promise<number> {
  const since = isoOrThrow(filter.since, 'since');
  const until = isoOrThrow(filter.until, 'until');
  const ctx = await openFleet(dir);
  const rows = await withClient(ctx.config.databaseUrl, async (client) => {
    const r = await client.query<{ door: string; record: AuditRecord }>(
      `SELECT door, record FROM audit
       WHERE ($1::text IS NULL OR door = $1) AND ($2::text IS NULL OR person_id = $2 OR person_name = $2)
         AND ($3::timestamptz IS NULL OR time >= $3) AND ($4::timestamptz IS NULL OR time < $4)
       ORDER BY time, id`,
      [filter.door ?? null, filter.person ?? null, since, until],
    );
    return r.rows;
  });
  const csv =
    [['door', ...CSV_COLUMNS].join(','), ...rows.map((r) => `${csvCell(r.door)},${csvRow(r.record)}`)].join(
      '\r\n',
    ) + '\r\n';
  if (out) {
    await writeFileAtomic(path.resolve(out), csv);
    io.err(`wrote ${rows.length} record(s) from the fleet to ${out}`);
  } else io.out(csv.replace(/\r\n$/, ''));
  return 0;
}
