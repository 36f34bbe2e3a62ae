// Migration 4 (issue 17): authority is separate from doors. Every change is signed by an admin key
// (fleet/admin-key.ts) and every door verifies it (fleet/verify.ts); the database stores the
// signature beside the row and cannot make one.
//
// - entities gains the signed envelope's parts the row does not already hold: the entity's
//   revision, the signer's key id and the Ed25519 signature; kind 'admin' holds the admin keys.
// - signed_changes is the append-only record of every signed change (who signed what, when):
//   the building audit's record of admin actions, CLI ones included. Nobody holds UPDATE or
//   DELETE on it but its owner.
// - tobira_put_signed is the only write path. It refuses a revision not above the one held, and is
//   callable only by the fleet's writer login (created by `fleet init`, its password only inside
//   admin key files). tobira_put, which every door could call, is dropped.
// - The writers' lock is a table lock on writer_lock: doors hold no privilege on that table, so,
//   unlike the advisory lock any login may take, no door can take it or hold writers up.
// A fleet made before this migration has unsigned rows and doors joined without an admin key,
// which refuse every change: such a fleet is made again with `fleet init` on an empty database
// (its doors get the record's SELECT grant from admin.ts's grantDoorRole).
export const sql = `
ALTER TABLE entities DROP CONSTRAINT entities_kind_check;
ALTER TABLE entities ADD CONSTRAINT entities_kind_check
  CHECK (kind IN ('person', 'template', 'group', 'admin'));
ALTER TABLE entities ADD COLUMN revision bigint NOT NULL DEFAULT 0;
ALTER TABLE entities ADD COLUMN signer uuid;
ALTER TABLE entities ADD COLUMN signature bytea;

CREATE TABLE signed_changes (
  version bigint PRIMARY KEY,
  kind text NOT NULL,
  id uuid NOT NULL,
  parent uuid,
  revision bigint NOT NULL,
  -- SHA-256 of the sealed bytes as signed; NULL for a deletion.
  digest bytea,
  signer uuid NOT NULL,
  signature bytea NOT NULL CHECK (length(signature) = 64),
  signed_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX signed_changes_entity ON signed_changes (kind, id, revision);

CREATE TABLE writer_lock (one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row));
INSERT INTO writer_lock VALUES (true);

DROP FUNCTION tobira_put(text, uuid, uuid, bytea, text);

CREATE FUNCTION tobira_put_signed(p_kind text, p_id uuid, p_parent uuid, p_sealed bytea,
  p_revision bigint, p_signer uuid, p_signature bytea, p_by text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v bigint;
  held bigint;
BEGIN
  -- One writer at a time: versions then commit in the order they were drawn.
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
        signer = EXCLUDED.signer, signature = EXCLUDED.signature;
  INSERT INTO signed_changes (version, kind, id, parent, revision, digest, signer, signature, signed_by)
  VALUES (v, p_kind, p_id, p_parent, p_revision, sha256(p_sealed), p_signer, p_signature, p_by);
  PERFORM pg_notify('tobira_changes', v::text);
  RETURN v;
END $$;
REVOKE ALL ON FUNCTION tobira_put_signed(text, uuid, uuid, bytea, bigint, uuid, bytea, text) FROM PUBLIC;

`;
