// Migration 1: the fleet's tables. Plain SQL, applied once inside a transaction by migrate.ts.
//
// entities is the change feed and the current state at once: each row is one person, template
// or access group, sealed under the fleet data key (bytea the database cannot read), with the
// version of its last change. A deletion keeps the row as a tombstone (sealed NULL), so a door
// catching up from version V learns about it. Versions come from one sequence and are handed
// out under one advisory lock (tobira_put), so they commit in order and a reader that has seen
// version V has seen every change before it.
export const sql = `
CREATE TABLE fleet (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The fleet data key sealed over a constant: a join proves its key is this fleet's.
  key_check bytea NOT NULL,
  one_row boolean NOT NULL DEFAULT true UNIQUE CHECK (one_row)
);

CREATE TABLE join_tokens (
  id uuid PRIMARY KEY,
  role_name text NOT NULL UNIQUE,
  secret_sha256 bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

CREATE TABLE doors (
  name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),
  token_id uuid NOT NULL REFERENCES join_tokens (id),
  joined_at timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE change_version;

CREATE TABLE entities (
  kind text NOT NULL CHECK (kind IN ('person', 'template', 'group')),
  id uuid NOT NULL,
  -- A template's person, so deleting a person can tombstone its templates.
  parent uuid,
  version bigint NOT NULL UNIQUE,
  sealed bytea,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by text NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE INDEX entities_parent ON entities (parent) WHERE parent IS NOT NULL;

CREATE TABLE audit (
  id uuid PRIMARY KEY,
  door text NOT NULL,
  time timestamptz NOT NULL,
  outcome text NOT NULL,
  reason text NOT NULL,
  person_id text,
  person_name text,
  record jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_time ON audit (time);
CREATE INDEX audit_door_time ON audit (door, time);
CREATE INDEX audit_person_time ON audit (person_id, time);

-- The one way to change an entity. SECURITY DEFINER so doors can write people and groups
-- without any UPDATE/DELETE grant on the tables themselves.
CREATE FUNCTION tobira_put(p_kind text, p_id uuid, p_parent uuid, p_sealed bytea, p_by text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v bigint;
BEGIN
  -- One writer at a time: versions then commit in the order they were drawn.
  PERFORM pg_advisory_xact_lock(7283011);
  v := nextval('change_version');
  INSERT INTO entities (kind, id, parent, version, sealed, changed_by)
  VALUES (p_kind, p_id, p_parent, v, p_sealed, p_by)
  ON CONFLICT (kind, id) DO UPDATE
    SET parent = EXCLUDED.parent, version = EXCLUDED.version, sealed = EXCLUDED.sealed,
        changed_at = now(), changed_by = EXCLUDED.changed_by;
  PERFORM pg_notify('tobira_changes', v::text);
  RETURN v;
END $$;

-- Registers a door with a join token; refuses unknown, wrong or revoked tokens.
CREATE FUNCTION tobira_join(p_token uuid, p_secret bytea, p_door text)
RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE t join_tokens%ROWTYPE;
BEGIN
  SELECT * INTO t FROM join_tokens WHERE id = p_token;
  IF NOT FOUND OR t.secret_sha256 <> sha256(p_secret) THEN
    RAISE EXCEPTION 'join token % is not valid for this fleet', p_token USING ERRCODE = '28P01';
  END IF;
  IF t.revoked_at IS NOT NULL THEN
    RAISE EXCEPTION 'join token % was revoked', p_token USING ERRCODE = '28000';
  END IF;
  INSERT INTO doors (name, token_id) VALUES (p_door, p_token)
  ON CONFLICT (name) DO UPDATE SET token_id = EXCLUDED.token_id;
  RETURN (SELECT id FROM fleet);
END $$;
`;
