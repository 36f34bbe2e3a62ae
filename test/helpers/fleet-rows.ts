// Sealed fleet rows as the change feed delivers them, for replica and view tests without a database.
import { sealDoc, type PersonDoc } from '../../main/fleet/entities.js';
import type { EntityRow } from '../../main/fleet/replica.js';

/** A person row sealed with `key`: enabled, in no group, unless `doc` says otherwise. */
export function personRow(
  key: Buffer,
  id: string,
  version: number,
  doc: Partial<PersonDoc> & { name: string },
): EntityRow {
  const sealed = sealDoc(key, 'person', id, {
    createdAt: '2026-01-01T00:00:00Z',
    disabled: false,
    groups: [],
    ...doc,
  });
  return { kind: 'person', id, parent: null, version, sealed };
}
