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
VACUUM ANALYZE orders, order_items, payments, carts, cart_items, products, users, sessions, refresh_tokens;
