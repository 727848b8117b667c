-- What hostile clients taught (issue 7).

-- An Idempotency-Key whose work has committed but whose request is still running (checkout
-- creating its PaymentIntent after the commit): a duplicate gets 409, not a half answer.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_state_check;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_state_check CHECK (state IN ('running', 'committed', 'done'));

-- Stripe's events are kept as the exact bytes Stripe signed. jsonb cannot hold "\u0000",
-- which a valid event may contain, and turned such an event into a 500 that Stripe retried
-- for days.
ALTER TABLE stripe_events ALTER COLUMN payload TYPE text USING payload::text;

-- A reset link is issued by the jobs process as it sends the mail: the outbox row holds a
-- marker, never the token, and the token row holds only the hash of what was sent.
ALTER TABLE password_reset_tokens ADD COLUMN outbox_id uuid UNIQUE REFERENCES email_outbox (id) ON DELETE SET NULL;

-- Failed logins and wrong current passwords, counted where cache eviction cannot forget them.
-- `key` is a SHA-256 (of the email, or of the user id), never the identifier itself.
CREATE TABLE auth_failures (
    scope               varchar(32) NOT NULL,
    key                 bytea NOT NULL,
    failures            integer NOT NULL CHECK (failures > 0),
    window_started_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX auth_failures_window_idx ON auth_failures (window_started_at);

-- MAX_PENDING_ORDERS counts a user's unpaid orders at every checkout.
CREATE INDEX orders_user_pending_idx ON orders (user_id) WHERE status = 'PENDING';

-- An outbox message that no longer needs sending when its turn comes (a reset link for a
-- request already spent through another mail) is cancelled, not sent.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_status_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'cancelled'));
