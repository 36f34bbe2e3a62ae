// Migration 3: templates are sealed in binary format 2 (entities.ts): a third smaller than the JSON
// of format 1 and opened without JSON or base64. The table does not change and format-1 rows keep
// opening, so nothing is re-sealed; the version bump is what matters: a door built before format 2
// would fail on the new rows, so it refuses this schema and says to update instead.
export const sql = `
COMMENT ON COLUMN entities.sealed IS
  'AES-256-GCM under the fleet data key; templates in format 1 (JSON) or 2 (binary), see entities.ts';
`;
