// Migration 6 (issue 20): signed batches. An admin writing many rows at once (a photo import, a
// bulk enroll, a person with 5 templates) signs one manifest, the list of the rows' envelope
// digests (admin-key.ts's manifestText), instead of one Ed25519 signature per row: a first sync
// of 600,000 rows verified one signature per row, 60–120 µs each (36–70 s of door CPU).
//
// - manifests holds each manifest as signed: its signer, the digests (32 bytes a row, in
//   position order) and the signature. Append only, like signed_changes.
// - entities gains manifest and manifest_pos: a manifest-signed row carries no signature of its
//   own (signature NULL) and names its manifest and position instead. Doors check both (verify.ts).
// - signed_changes records manifest rows the same way (signature NULL, manifest and position).
// - tobira_put_manifest writes a manifest and all its rows in one call, under the writers' lock,
//   with tobira_put_signed's rules (each revision above the one held); callable only by the
//   writer login. tobira_put_signed is redefined only to clear the manifest columns of a row it
//   replaces.
// The grants for fleets made before this migration: doors and the writer read manifests, the
// writer may call tobira_put_manifest (admin.ts's grantDoorRole and grantWriterRole for new fleets).
export const sql = `
CREATE TABLE manifests (
  id uuid PRIMARY KEY,
  signer uuid NOT NULL,
  digests bytea NOT NULL CHECK (length(digests) > 0 AND length(digests) % 32 = 0),
  signature bytea NOT NULL CHECK (length(signature) = 64),
  signed_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE entities ADD COLUMN manifest uuid, ADD COLUMN manifest_pos integer;
ALTER TABLE signed_changes ALTER COLUMN signature DROP NOT NULL;
ALTER TABLE signed_changes ADD COLUMN manifest uuid, ADD COLUMN manifest_pos integer;
ALTER TABLE signed_changes ADD CONSTRAINT signed_changes_signed
  CHECK (signature IS NOT NULL OR (manifest IS NOT NULL AND manifest_pos IS NOT NULL));

CREATE OR REPLACE FUNCTION tobira_put_signed(p_kind text, p_id uuid, p_parent uuid, p_sealed bytea,
  p_revision bigint, p_signer uuid, p_signature bytea, p_by text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v bigint;
  held bigint;
BEGIN
  LOCK TABLE writer_lock IN EXCLUSIVE MODE;
  IF p_signer IS NULL OR p_signature IS NULL OR length(p_signature) <> 64 THEN
    RAISE EXCEPTION 'a change must carry an admin signature' USING ERRCODE = '42501';
  END IF;
  SELECT revision INTO held FROM entities WHERE kind = p_kind AND id = p_id;
  IF held IS NOT NULL AND p_revision <= held THEN
    RAISE EXCEPTION '% %: revision % is not above revision % held', p_kind, p_id, p_revision, held
      USING ERRCODE = '40001';
  END IF;
  v := nextval('change_version');
  INSERT INTO entities (kind, id, parent, version, sealed, changed_by, revision, signer, signature)
  VALUES (p_kind, p_id, p_parent, v, p_sealed, p_by, p_revision, p_signer, p_signature)
  ON CONFLICT (kind, id) DO UPDATE
    SET parent = EXCLUDED.parent, version = EXCLUDED.version, sealed = EXCLUDED.sealed,
        changed_at = now(), changed_by = EXCLUDED.changed_by, revision = EXCLUDED.revision,
        signer = EXCLUDED.signer, signature = EXCLUDED.signature, manifest = NULL, manifest_pos = NULL;
  INSERT INTO signed_changes (version, kind, id, parent, revision, digest, signer, signature, signed_by)
  VALUES (v, p_kind, p_id, p_parent, p_revision, sha256(p_sealed), p_signer, p_signature, p_by);
  PERFORM pg_notify('tobira_changes', v::text);
  RETURN v;
END $$;

-- Row i (from 1) of the arrays is the manifest's entry at position i - 1. Returns the rows' versions, in order.
CREATE FUNCTION tobira_put_manifest(p_manifest uuid, p_signer uuid, p_digests bytea, p_signature bytea,
  p_by text, p_kinds text[], p_ids uuid[], p_parents uuid[], p_sealed bytea[], p_revisions bigint[])
RETURNS bigint[] LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n integer := coalesce(array_length(p_kinds, 1), 0);
  bad record;
  versions bigint[];
BEGIN
  LOCK TABLE writer_lock IN EXCLUSIVE MODE;
  IF p_signer IS NULL OR p_signature IS NULL OR length(p_signature) <> 64 THEN
    RAISE EXCEPTION 'a manifest must carry an admin signature' USING ERRCODE = '42501';
  END IF;
  IF n = 0 OR coalesce(array_length(p_ids, 1), 0) <> n OR coalesce(array_length(p_parents, 1), 0) <> n
     OR coalesce(array_length(p_sealed, 1), 0) <> n OR coalesce(array_length(p_revisions, 1), 0) <> n
     OR length(p_digests) <> 32 * n THEN
    RAISE EXCEPTION 'a manifest of % rows needs % digest bytes and one value per row in every array', n, 32 * n
      USING ERRCODE = '22023';
  END IF;
  SELECT u.k, u.i INTO bad FROM unnest(p_kinds, p_ids) AS u(k, i) GROUP BY u.k, u.i HAVING count(*) > 1 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'manifest %: % % appears twice', p_manifest, bad.k, bad.i USING ERRCODE = '22023';
  END IF;
  SELECT u.k, u.i, u.r, e.revision AS held INTO bad
  FROM unnest(p_kinds, p_ids, p_revisions) AS u(k, i, r)
  JOIN entities e ON e.kind = u.k AND e.id = u.i
  WHERE u.r <= e.revision LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '% %: revision % is not above revision % held', bad.k, bad.i, bad.r, bad.held
      USING ERRCODE = '40001';
  END IF;
  INSERT INTO manifests (id, signer, digests, signature, signed_by)
  VALUES (p_manifest, p_signer, p_digests, p_signature, p_by);
  WITH rows AS (
    SELECT u.k, u.i, u.p, u.s, u.r, (u.pos - 1)::integer AS pos, nextval('change_version') AS v
    FROM (SELECT * FROM unnest(p_kinds, p_ids, p_parents, p_sealed, p_revisions) WITH ORDINALITY
            AS t(k, i, p, s, r, pos) ORDER BY pos) u
  ), put AS (
    INSERT INTO entities AS e (kind, id, parent, version, sealed, changed_by, revision, signer,
      signature, manifest, manifest_pos)
    SELECT k, i, p, v, s, p_by, r, p_signer, NULL, p_manifest, pos FROM rows
    ON CONFLICT (kind, id) DO UPDATE
      SET parent = EXCLUDED.parent, version = EXCLUDED.version, sealed = EXCLUDED.sealed,
          changed_at = now(), changed_by = EXCLUDED.changed_by, revision = EXCLUDED.revision,
          signer = EXCLUDED.signer, signature = NULL, manifest = EXCLUDED.manifest,
          manifest_pos = EXCLUDED.manifest_pos
    RETURNING e.version
  ), recorded AS (
    INSERT INTO signed_changes (version, kind, id, parent, revision, digest, signer, signature,
      signed_by, manifest, manifest_pos)
    SELECT v, k, i, p, r, sha256(s), p_signer, NULL, p_by, p_manifest, pos FROM rows
    RETURNING version
  )
  -- put and recorded run to completion whether or not the SELECT reads them (PostgreSQL's rule for
  -- data-modifying WITH); reading them here keeps that visible.
  SELECT array_agg(v ORDER BY pos) INTO versions FROM rows
  WHERE (SELECT count(*) FROM put) >= 0 AND (SELECT count(*) FROM recorded) >= 0;
  PERFORM pg_notify('tobira_changes', versions[n]::text);
  RETURN versions;
END $$;
REVOKE ALL ON FUNCTION tobira_put_manifest(uuid, uuid, bytea, bytea, text, text[], uuid[], uuid[], bytea[], bigint[]) FROM PUBLIC;

DO $$
DECLARE
  f text;
BEGIN
  SELECT left(replace(id::text, '-', ''), 12) INTO f FROM fleet;
  IF f IS NULL THEN RETURN; END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tobira_door_' || f) THEN
    EXECUTE format('GRANT SELECT ON manifests TO %I', 'tobira_door_' || f);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tobira_w_' || f) THEN
    EXECUTE format('GRANT SELECT ON manifests TO %I', 'tobira_w_' || f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION tobira_put_manifest(uuid, uuid, bytea, bytea, text, text[], uuid[], uuid[], bytea[], bigint[]) TO %I', 'tobira_w_' || f);
  END IF;
END $$;
`;
