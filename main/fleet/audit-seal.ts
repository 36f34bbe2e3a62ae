// The building's audit rows, sealed like people (issue 17). The README said names are sealed, but
// the `audit` table held each person's name and the whole record in clear: whoever runs the
// database (or reads its backups) learnt who went through which door, when. Now a row shows the
// database only what it needs to file, filter and anchor it: the door, the time, the result and
// reason, the person's id (a random UUID, as in `entities`), and the chain fields (seq, prev) that
// anchor the door's local log (audit-anchor.ts). The name and the rest of the record (scores,
// gates, liveness, an admin action's details) are sealed under the fleet data key, which every
// reader already holds: the Fleet panel and `tobira audit export` run on a joined door.
//
// A filter by name (the Fleet panel, `tobira audit export --person`) finds rows by `nameTag`, a
// keyed hash of the name (HMAC-SHA256 under a key derived from the fleet key): equal names give
// equal tags, so the database can match them, but without the key it cannot tell whose they are,
// nor test a guessed name. It links a person's rows, as the person's id already does.
//
// Why seal rather than say "the database sees the audit": every reader of the building's audit is
// a door with the fleet key, so sealing costs readers nothing they use; and a database operator
// who cannot read people should not learn their comings and goings from the audit instead.
import { createHmac, hkdfSync } from 'node:crypto';
import { seal, unseal } from '../store/crypto.js';
import type { AuditEntry } from '../audit/types.js';
import { FleetError } from './errors.js';

/** What the `record` column holds: the chain fields in clear, the record sealed (base64). */
export interface SealedAuditColumn {
  seq?: number;
  prev?: string;
  /** The keyed hash of the person's name (nameTag), when the record names one. */
  nameTag?: string;
  sealed: string;
}

/** The keyed hash a row's name is found by; derived from the fleet key, never the key itself. */
export function nameTag(fleetKey: Buffer, name: string): string {
  const key = Buffer.from(
    hkdfSync('sha256', fleetKey, Buffer.alloc(0), 'tobira-fleet/v1/audit-name-tag', 32),
  );
  return createHmac('sha256', key).update(name.normalize('NFC'), 'utf8').digest('hex');
}

/** Binds a sealed record to its row: it does not open under another id or door (a moved row). */
const aad = (id: string, door: string) => `tobira-fleet/v1/audit/${id}/${door}`;

export function sealAuditRecord(key: Buffer, door: string, record: AuditEntry): SealedAuditColumn {
  const chain = record as Partial<Record<'seq' | 'prev', unknown>>;
  const name = record.kind === 'admin' ? record.detail.name : record.personName;
  return {
    ...(typeof chain.seq === 'number' ? { seq: chain.seq } : {}),
    ...(typeof chain.prev === 'string' ? { prev: chain.prev } : {}),
    ...(typeof name === 'string' ? { nameTag: nameTag(key, name) } : {}),
    sealed: seal(key, Buffer.from(JSON.stringify(record), 'utf8'), aad(record.id, door)).toString('base64'),
  };
}

/**
 * The record of a row, opened. A row shipped before sealing holds the record itself, and is
 * returned as it is. A sealed record that does not open (another fleet's key, or a row altered or
 * moved in the database) is an error that names the row.
 */
export function openAuditRecord(key: Buffer, id: string, door: string, column: unknown): AuditEntry {
  const sealed = (column as Partial<SealedAuditColumn> | null)?.sealed;
  if (typeof sealed !== 'string') return column as AuditEntry;
  const plain = unseal(key, Buffer.from(sealed, 'base64'), aad(id, door));
  if (!plain)
    throw new FleetError(
      'wrong_key',
      `audit row ${id} (${door}) does not open with this fleet's key (altered row?)`,
    );
  return JSON.parse(plain.toString('utf8')) as AuditEntry;
}
