-- Payments (API.md §7, §8).

-- Stripe keeps the first answer to an Idempotency-Key for 24 h, errors included. After Stripe
-- answered an error, the next try at creating the order's PaymentIntent needs a new key; after
-- a network failure it must reuse the old one, since Stripe may have made the intent.
ALTER TABLE orders ADD COLUMN payment_attempts integer NOT NULL DEFAULT 0 CHECK (payment_attempts >= 0);

-- Refunds still owed: the payment succeeded and its order is cancelled, but no refund exists yet.
CREATE INDEX payments_refund_due_idx ON payments (updated_at) WHERE status = 'succeeded' AND refund_id IS NULL;

-- Order emails carry an HTML part beside the text.
ALTER TABLE email_outbox ADD COLUMN body_html text;
