-- API.md §12.5 and §12.7: scoped API keys for scripts, and an append-only audit log of every
-- admin write.

CREATE TABLE api_keys (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name          varchar(100) NOT NULL,
    -- The public part of `ck_<prefix>_<secret>`: how a key is found (and shown in lists).
    prefix        char(8) NOT NULL UNIQUE CHECK (prefix ~ '^[a-z0-9]{8}$'),
    -- SHA-256 of the whole key; the key itself is shown once and never stored.
    secret_hash   bytea NOT NULL,
    scopes        text[] NOT NULL CHECK (cardinality(scopes) > 0),
    created_by    uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    -- Written in batches by the workers (at most every few seconds a key), never per request.
    last_used_at  timestamptz,
    revoked_at    timestamptz
);

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    actor_type   text NOT NULL CHECK (actor_type IN ('user', 'apiKey', 'system')),
    actor_id     uuid,
    action       varchar(64) NOT NULL,
    entity_type  varchar(64) NOT NULL,
    entity_id    text,
    changes      jsonb NOT NULL DEFAULT '{}',
    request_id   varchar(64),
    ip           varchar(64),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, created_at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, created_at DESC);

-- Append-only, said by the database: UPDATE and DELETE fail, whoever runs them, except the
-- retention purge of `jobs`, which sets commerce.audit_purge for its own transaction.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('commerce.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
