-- Every bench run starts from the same shop: the 100,000 demo products and nothing a previous
-- run left. Hundreds of thousands of unpaid bench orders would otherwise expire during a later
-- run, and the jobs process cancelling them (stock back, Stripe cancels) would load the
-- machine under whatever that run measures.
BEGIN;
TRUNCATE orders, order_items, payments, refunds, coupon_redemptions, carts, cart_items, idempotency_keys, email_outbox, password_reset_tokens, stripe_events, auth_failures;
DELETE FROM product_images WHERE product_id IN (SELECT id FROM products WHERE sku LIKE 'BENCH-%');
DELETE FROM products WHERE sku LIKE 'BENCH-%';
DELETE FROM categories WHERE slug LIKE 'bench-sale-%';
DELETE FROM users WHERE email LIKE 'shopper-%@example.com' OR email LIKE 'bench-%@example.com';
COMMIT;
-- A shop that has sold before: 20,000 delivered and paid orders of one past customer, as
-- history. Without it every run would measure a shop opened a minute ago, whose tables
-- PostgreSQL knows as empty: statements planned while `orders` holds a few hundred rows scan
-- it whole until autovacuum analyzes it again (a minute or more later). Measured before this
-- history: 3 sequential scans of `orders` per order in the first checkout rows, PostgreSQL
-- spending twice the CPU per order it spends later in the same run.
BEGIN;
INSERT INTO users (email, password_hash, first_name, last_name)
VALUES ('bench-history@example.com', 'no login', 'Past', 'Customer');
INSERT INTO orders (order_number, user_id, status, payment_status, subtotal, tax, shipping, total, currency,
                    shipping_address, billing_address, payment_intent_id, paid_at, created_at, updated_at)
SELECT 'HIST-' || n, u.id, 'DELIVERED', 'SUCCEEDED', 25.00, 0, 0, 25.00, 'usd', a.address, a.address,
       'pi_history_' || n, t, t, t
FROM users u, generate_series(1, 20000) AS n,
     LATERAL (SELECT now() - make_interval(mins => n * 4) AS t) AS at,
     LATERAL (SELECT jsonb_build_object('firstName', 'Past', 'lastName', 'Customer', 'addressLine1', '1 Main St',
                     'city', 'Springfield', 'postalCode', '62701', 'country', 'US') AS address) AS a
WHERE u.email = 'bench-history@example.com';
INSERT INTO order_items (order_id, product_id, product_name, product_sku, unit_price, quantity, line_total, product_snapshot, position)
SELECT o.id, p.id, p.name, p.sku, 25.00, 1, 25.00, '{}', 0
FROM orders o, (SELECT id, name, sku FROM products WHERE sku NOT LIKE 'BENCH-%' ORDER BY id LIMIT 1) AS p
WHERE o.order_number LIKE 'HIST-%';
INSERT INTO payments (order_id, payment_intent_id, amount_cents, currency, status, idempotency_key)
SELECT id, payment_intent_id, 2500, currency, 'succeeded', 'history-' || order_number FROM orders WHERE order_number LIKE 'HIST-%';
COMMIT;
VACUUM ANALYZE orders, order_items, payments, products, users, sessions, refresh_tokens;
