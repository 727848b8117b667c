-- API.md §12.6: signed outbound webhooks, delivered by the jobs process from an outbox that
-- is written in the same transaction as the change it reports.

CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    url             varchar(2048) NOT NULL,
    description     varchar(500),
    events          text[] NOT NULL CHECK (cardinality(events) > 0),
    -- The signing secret, sealed with AES-256-GCM under a key derived from JWT_SECRET: the
    -- service must sign with it again, so it cannot be a hash, and it is never stored in clear.
    secret_sealed   bytea NOT NULL,
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Commit order within one entity: its events are delivered in this order.
    seq         bigserial NOT NULL UNIQUE,
    type        varchar(64) NOT NULL,
    entity      varchar(100) NOT NULL,
    -- json, not jsonb: the body keeps the key order of the API's own answer.
    data        json NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id          uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    endpoint_id       uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts          integer NOT NULL DEFAULT 0,
    last_status_code  integer,
    last_error        text,
    -- When the jobs process may try next; a try in flight holds it a minute ahead (a lease), so
    -- several jobs processes never send one delivery twice at once.
    next_attempt_at   timestamptz DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_deliveries_once UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC);
