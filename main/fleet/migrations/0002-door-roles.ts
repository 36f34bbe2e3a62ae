// Migration 2: each door logs in with a role of its own, and may append audit rows only in its own
// name. Before, every door that joined with one token shared that token's login, and the audit
// table took any `door` value from any door (issue 11: door A could write rows naming door B).
//
// tobira_join_door registers a door and creates (or, on a re-join, re-keys) its login role. The
// door sends a SCRAM-SHA-256 verifier, not a password, so the password never reaches the server
// or its logs. The role's name is derived from the fleet and door names (roles are cluster-wide).
// Row-level security on audit then binds rows to the role that inserts them; the table's owner
// (the admin) is not subject to it. Doors that joined before this migration keep their token's
// login, bound to the doors that joined with it, until they join again.
export const sql = `
ALTER TABLE doors ADD COLUMN role_name text UNIQUE;
UPDATE doors d SET role_name = t.role_name FROM join_tokens t
  WHERE t.id = d.token_id
    AND (SELECT count(*) FROM doors o WHERE o.token_id = d.token_id) = 1;
-- A token shared by several doors cannot bind each: those doors must join again to append audit.

ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON audit FOR SELECT USING (true);
CREATE POLICY audit_append_own ON audit FOR INSERT
  WITH CHECK (door = (SELECT d.name FROM doors d WHERE d.role_name = current_user));

CREATE FUNCTION tobira_join_door(p_token uuid, p_secret bytea, p_door text, p_verifier text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  t join_tokens%ROWTYPE;
  f fleet%ROWTYPE;
  r text;
BEGIN
  SELECT * INTO t FROM join_tokens WHERE id = p_token;
  IF NOT FOUND OR t.secret_sha256 <> sha256(p_secret) THEN
    RAISE EXCEPTION 'join token % is not valid for this fleet', p_token USING ERRCODE = '28P01';
  END IF;
  IF t.revoked_at IS NOT NULL THEN
    RAISE EXCEPTION 'join token % was revoked', p_token USING ERRCODE = '28000';
  END IF;
  -- A SCRAM-SHA-256 verifier (RFC 5803 form, as PostgreSQL stores it), never a plain password.
  IF p_verifier !~ '^SCRAM-SHA-256\\$[0-9]+:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
    RAISE EXCEPTION 'the door login must be sent as a SCRAM-SHA-256 verifier' USING ERRCODE = '22023';
  END IF;
  SELECT * INTO f FROM fleet;
  r := 'tobira_d_' || left(md5(f.id::text || '/' || p_door), 20);
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', r, p_verifier);
  ELSE
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', r, p_verifier,
      'tobira_door_' || left(replace(f.id::text, '-', ''), 12));
  END IF;
  INSERT INTO doors (name, token_id, role_name) VALUES (p_door, p_token, r)
  ON CONFLICT (name) DO UPDATE SET token_id = EXCLUDED.token_id, role_name = EXCLUDED.role_name;
  RETURN r;
END $$;
REVOKE ALL ON FUNCTION tobira_join_door(uuid, bytea, text, text) FROM PUBLIC;
-- A fleet made before this migration: its doors' group role may call the new function.
DO $$
DECLARE g text;
BEGIN
  SELECT 'tobira_door_' || left(replace(id::text, '-', ''), 12) INTO g FROM fleet;
  IF g IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN
    EXECUTE format('GRANT EXECUTE ON FUNCTION tobira_join_door(uuid, bytea, text, text) TO %I', g);
  END IF;
END $$;
`;
