-- API.md §12.4: refunds of part of an order, several per order, never more than was paid.

ALTER TABLE orders DROP CONSTRAINT orders_payment_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_payment_status_check
    CHECK (payment_status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED'));

-- What the order's refunds hold, pending or succeeded: taken under the order's row lock by
-- each refund before Stripe is asked, given back when one fails. The CHECK is the last word on
-- "never more than was paid", whatever the code does.
ALTER TABLE orders ADD COLUMN refunded_total numeric(10,2) NOT NULL DEFAULT 0;
ALTER TABLE orders ADD CONSTRAINT orders_refunds_within_total CHECK (refunded_total >= 0 AND refunded_total <= total);

CREATE TABLE refunds (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id                uuid NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
    amount                  numeric(10,2) NOT NULL CHECK (amount > 0),
    reason                  varchar(500),
    -- pending until Stripe confirms (charge.refunded); failed gives its amount back.
    status                  text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    stripe_refund_id        text UNIQUE,
    -- The one key every try of this refund sends Stripe, so retries make one refund.
    stripe_idempotency_key  text NOT NULL UNIQUE,
    last_error              text,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refunds_order_idx ON refunds (order_id, created_at, id);
-- Refunds Stripe has not answered yet, for the jobs process to send again.
CREATE INDEX refunds_unsent_idx ON refunds (updated_at) WHERE status = 'pending' AND stripe_refund_id IS NULL;

-- Refunds made before this migration (whole orders, on cancel) become rows of their own.
INSERT INTO refunds (order_id, amount, reason, status, stripe_refund_id, stripe_idempotency_key, created_at, updated_at)
SELECT p.order_id, o.total, 'order cancelled', CASE WHEN o.payment_status = 'REFUNDED' THEN 'succeeded' ELSE 'pending' END,
       p.refund_id, 'order-' || p.order_id || '-refund-' || p.payment_intent_id, p.updated_at, p.updated_at
FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.refund_id IS NOT NULL;
UPDATE orders o SET refunded_total = o.total WHERE EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id);
