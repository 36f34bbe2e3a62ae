// Migration 3: templates are sealed in binary format 2 (entities.ts): a third smaller than the JSON
// of format 1 and opened without JSON or base64. Format-1 rows keep opening, so nothing is
// re-sealed; the version bump makes a door built before format 2 (which would fail on the new
// rows) refuse this schema and say to update.
//
// A format-2 template row is about 2.2 kB, just above the 2 kB at which PostgreSQL moves values
// out of line into the TOAST table, so every first sync fetched 50,000 values from there one by
// one. A tuple target of 4 kB keeps such rows in the table itself (the row is read with the page),
// and EXTERNAL storage skips trying to compress ciphertext, which never compresses. Measured on
// 50,000 rows of 2.1 kB: the COPY a first sync runs took 553 ms out of line and 207 ms in line.
// Rows written before this stay where they are until they are written again.
export const sql = `
COMMENT ON COLUMN entities.sealed IS
  'AES-256-GCM under the fleet data key; templates in format 1 (JSON) or 2 (binary), see entities.ts';
ALTER TABLE entities SET (toast_tuple_target = 4096);
ALTER TABLE entities ALTER COLUMN sealed SET STORAGE EXTERNAL;
`;
