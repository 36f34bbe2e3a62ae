// Migration 5: a join token joins one door, once, before it expires (issue 17). Before, a token
// was a reusable bearer secret that never expired: joining again under an existing door's name
// re-keyed that door's login (locking the real door out), and the token's own login was a member
// of the doors' group role, so it could read the tables and call tobira_put.
//
// Now a token names its door, its expiry and whether an admin made it to replace that door. Its
// login is in no group: it may EXECUTE tobira_redeem_join and nothing else, and only for itself
// (session_user must be the token's role). Redeeming registers the door with a login of its own
// and marks the token used, in the caller's transaction, so a door
// that finds the fleet key wrong rolls all of it back. The function returns what the join needs:
// the fleet id, its key check and the schema version. Errors carry SQLSTATEs of class TJ, which
// errors.ts turns into FleetError codes.
//
// Tokens made before this migration were unbound and reusable: they expire now, and their logins
// leave the doors' group (a token login that a pre-migration-2 door still uses is left as it was).
export const sql = `
ALTER TABLE join_tokens
  ADD COLUMN door text,
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN replace_door boolean NOT NULL DEFAULT false,
  ADD COLUMN created_by text,
  ADD COLUMN used_at timestamptz;
UPDATE join_tokens SET expires_at = least(now(), coalesce(revoked_at, now())) WHERE expires_at IS NULL;
ALTER TABLE join_tokens ALTER COLUMN expires_at SET NOT NULL;

DO $$
DECLARE
  g text;
  t record;
BEGIN
  SELECT 'tobira_door_' || left(replace(id::text, '-', ''), 12) INTO g FROM fleet;
  FOR t IN
    SELECT j.role_name FROM join_tokens j
    WHERE NOT EXISTS (SELECT 1 FROM doors d WHERE d.role_name = j.role_name)
      AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = j.role_name)
  LOOP
    EXECUTE format('ALTER ROLE %I NOLOGIN', t.role_name);
    IF g IS NOT NULL AND pg_has_role(t.role_name, g, 'MEMBER') THEN
      EXECUTE format('REVOKE %I FROM %I', g, t.role_name);
    END IF;
  END LOOP;
END $$;

-- The older join paths go: tobira_join_door re-keyed any door for any token holder.
DROP FUNCTION tobira_join_door(uuid, bytea, text, text);
DROP FUNCTION tobira_join(uuid, bytea, text);

CREATE FUNCTION tobira_redeem_join(p_token uuid, p_secret bytea, p_door text, p_verifier text)
RETURNS TABLE (fleet_id uuid, key_check bytea, schema_version integer, door_role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  t join_tokens%ROWTYPE;
  f fleet%ROWTYPE;
  r text;
BEGIN
  -- FOR UPDATE: two redemptions at once queue here, and the second finds the token used.
  SELECT * INTO t FROM join_tokens WHERE id = p_token FOR UPDATE;
  IF NOT FOUND OR t.secret_sha256 <> sha256(p_secret) OR t.role_name <> session_user THEN
    RAISE EXCEPTION 'join token % is not valid for this fleet', p_token USING ERRCODE = '28P01';
  END IF;
  IF t.revoked_at IS NOT NULL THEN
    RAISE EXCEPTION 'join token % was revoked', p_token USING ERRCODE = '28000';
  END IF;
  IF t.used_at IS NOT NULL THEN
    RAISE EXCEPTION 'join token % was already used, at %: a token joins one door once', p_token, t.used_at
      USING ERRCODE = 'TJ001';
  END IF;
  IF t.expires_at <= now() THEN
    RAISE EXCEPTION 'join token % expired at %', p_token, t.expires_at USING ERRCODE = 'TJ002';
  END IF;
  IF t.door IS DISTINCT FROM p_door THEN
    RAISE EXCEPTION 'join token % is for door ''%'', not ''%''', p_token, t.door, p_door
      USING ERRCODE = 'TJ003';
  END IF;
  IF NOT t.replace_door AND EXISTS (SELECT 1 FROM doors WHERE name = p_door) THEN
    RAISE EXCEPTION 'door ''%'' is already in this fleet: only a token an admin made with --replace may re-key it', p_door
      USING ERRCODE = 'TJ004';
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
  -- The token's login stays (until VALID UNTIL): all it can do is be told the token was used.
  UPDATE join_tokens SET used_at = now() WHERE id = p_token;
  RETURN QUERY SELECT f.id, f.key_check, (SELECT max(version) FROM tobira_schema)::integer, r;
END $$;
REVOKE ALL ON FUNCTION tobira_redeem_join(uuid, bytea, text, text) FROM PUBLIC;
`;
