-- Security hygiene: login throttles that cannot be aimed, forgot-password answered the same
-- for every email, mail anyone can trigger held to a few per recipient an hour.

-- Backoff throttles count from the last failure (`FailureThrottle`).
ALTER TABLE auth_failures ADD COLUMN last_failure_at timestamptz NOT NULL DEFAULT now();
UPDATE auth_failures SET last_failure_at = window_started_at;
DROP INDEX auth_failures_window_idx;
CREATE INDEX auth_failures_last_failure_idx ON auth_failures (last_failure_at);

-- forgot-password writes one row here whatever the email; the jobs process turns requests for
-- active accounts into reset mails and deletes every row it takes.
CREATE TABLE password_reset_requests (
    id          bigserial PRIMARY KEY,
    email       varchar(254) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Mails to one address within the hour, counted before each registration or reset mail.
CREATE INDEX email_outbox_recipient_idx ON email_outbox (lower(to_address), created_at);
