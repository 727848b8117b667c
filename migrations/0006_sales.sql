-- Selling without slowing down (issue 9).

-- Payload columns no query filters or sorts on: ANALYZE skips them. Sampling and sorting
-- 30,000 addresses and product snapshots (jsonb comparisons) each time a busy shop's orders
-- grew by a tenth was a fifth of PostgreSQL's CPU during sales.
ALTER TABLE orders ALTER COLUMN shipping_address SET STATISTICS 0;
ALTER TABLE orders ALTER COLUMN billing_address SET STATISTICS 0;
ALTER TABLE orders ALTER COLUMN client_secret SET STATISTICS 0;
ALTER TABLE order_items ALTER COLUMN product_snapshot SET STATISTICS 0;
ALTER TABLE order_items ALTER COLUMN product_name SET STATISTICS 0;
ALTER TABLE email_outbox ALTER COLUMN body_text SET STATISTICS 0;
ALTER TABLE idempotency_keys ALTER COLUMN response_body SET STATISTICS 0;
ALTER TABLE stripe_events ALTER COLUMN payload SET STATISTICS 0;

-- A sale updates products.stock_quantity. A partial index whose predicate names that column
-- made every such update a non-HOT one: a new row version indexed anew in all nine indexes of
-- products, the full-text GIN index among them. Without it (listings filtered on inStock are
-- cached, their totals too, and scan the created_at index), a sale rewrites the row in place
-- on its page, and fillfactor leaves that page room to do so.
DROP INDEX products_in_stock_idx;
ALTER TABLE products SET (fillfactor = 90);
