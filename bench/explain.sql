-- The main listing queries of GET /api/products, as ProductStore builds them, for
-- `EXPLAIN (ANALYZE, BUFFERS)` on the bench catalog (bench/run.sh loads 100,000 products).
-- psql variables: :'category' (a root category id), :'search'.
\set listing_from 'products p LEFT JOIN categories c ON c.id = p.category_id'

\echo '== 1. first page, newest first (the default listing)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.id, p.name, p.price FROM products p LEFT JOIN categories c ON c.id = p.category_id
WHERE p.is_active AND (c.id IS NULL OR c.is_active) ORDER BY p.created_at DESC, p.id DESC LIMIT 20 OFFSET 0;
\echo '== 1b. its total'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT count(*) FROM products p LEFT JOIN categories c ON c.id = p.category_id
WHERE p.is_active AND (c.id IS NULL OR c.is_active);

\echo '== 2. a category with its descendants'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.id, p.name FROM products p LEFT JOIN categories c ON c.id = p.category_id
WHERE p.is_active AND (c.id IS NULL OR c.is_active) AND p.category_id IN (
  WITH RECURSIVE subtree AS (SELECT id FROM categories WHERE id = :'category'
    UNION ALL SELECT c.id FROM categories c JOIN subtree s ON c.parent_id = s.id) SELECT id FROM subtree)
ORDER BY p.created_at DESC, p.id DESC LIMIT 20 OFFSET 0;

\echo '== 3. a price range, cheapest first'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.id, p.name FROM products p LEFT JOIN categories c ON c.id = p.category_id
WHERE p.is_active AND (c.id IS NULL OR c.is_active) AND p.price >= 100::numeric AND p.price <= 120::numeric
ORDER BY p.price ASC, p.id ASC LIMIT 20 OFFSET 0;

\echo '== 4. full-text search, by relevance (websearch + prefix query)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.id, p.name, ts_rank_cd(p.search, q) AS rank
FROM products p LEFT JOIN categories c ON c.id = p.category_id,
     (SELECT websearch_to_tsquery('english', :'search') || websearch_to_tsquery('simple', :'search') || to_tsquery('simple', 'juniper:* & parka:*') AS q) query
WHERE p.is_active AND (c.id IS NULL OR c.is_active) AND p.search @@ q
ORDER BY rank DESC, p.created_at DESC, p.id DESC LIMIT 20 OFFSET 0;

\echo '== 5. in stock, by name'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.id, p.name FROM products p LEFT JOIN categories c ON c.id = p.category_id
WHERE p.is_active AND (c.id IS NULL OR c.is_active) AND p.stock_quantity > 0
ORDER BY p.name ASC, p.id ASC LIMIT 20 OFFSET 0;

\echo '== 6. a product page by slug'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.id FROM products p LEFT JOIN categories c ON c.id = p.category_id WHERE p.slug = 'tidal-walnut-turtleneck-5';
