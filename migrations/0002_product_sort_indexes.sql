-- The product sort indexes of 0001 were partial (WHERE is_active), so the admin view
-- (includeInactive=true) sorted the whole table: ~100 ms a page on 100,000 products. Full
-- indexes serve both views; the public one filters is_active on the way, which costs little
-- while most products are active.
CREATE INDEX products_created_all_idx ON products (created_at DESC, id DESC);
CREATE INDEX products_price_all_idx ON products (price, id);
CREATE INDEX products_name_all_idx ON products (name, id);
DROP INDEX products_created_idx;
DROP INDEX products_price_idx;
DROP INDEX products_name_idx;
