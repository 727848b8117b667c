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
WHERE p.is_active AND (c.id IS NULL OR c.is_active) AND p.in_stock
ORDER BY p.name ASC, p.id ASC LIMIT 20 OFFSET 0;

\echo '== 6. a product page by slug'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.id FROM products p LEFT JOIN categories c ON c.id = p.category_id WHERE p.slug = 'tidal-walnut-turtleneck-5';

-- API.md §12.3. Facets: one scan counts every facet (category, price bucket, stock state), each
-- group marked with whether it passes the request's category and price filters, so the worker
-- sums each facet over the other filters. `products_facets_idx` covers it: an index-only scan.
\echo '== 7a. facets of the unfiltered catalog (public view: active products)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.category_id,
  CASE WHEN p.price < 25 THEN 0 WHEN p.price < 50 THEN 1 WHEN p.price < 100 THEN 2 WHEN p.price < 250 THEN 3 WHEN p.price < 500 THEN 4 ELSE 5 END AS bucket,
  p.in_stock AS in_stock, true AS in_category, true AS in_price, count(*)
FROM products p WHERE p.is_active GROUP BY 1, 2, 3, 4, 5;
\echo '== 7b. facets within a category and a price range (each facet leaves its own filter out)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.category_id,
  CASE WHEN p.price < 25 THEN 0 WHEN p.price < 50 THEN 1 WHEN p.price < 100 THEN 2 WHEN p.price < 250 THEN 3 WHEN p.price < 500 THEN 4 ELSE 5 END AS bucket,
  p.in_stock AS in_stock,
  p.category_id IN (WITH RECURSIVE subtree AS (SELECT id FROM categories WHERE id = :'category'
    UNION ALL SELECT c.id FROM categories c JOIN subtree s ON c.parent_id = s.id) SELECT id FROM subtree) AS in_category,
  (p.price >= 50::numeric AND p.price <= 400::numeric) AS in_price, count(*)
FROM products p WHERE p.is_active GROUP BY 1, 2, 3, 4, 5;
\echo '== 7c. facets of a search'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.category_id,
  CASE WHEN p.price < 25 THEN 0 WHEN p.price < 50 THEN 1 WHEN p.price < 100 THEN 2 WHEN p.price < 250 THEN 3 WHEN p.price < 500 THEN 4 ELSE 5 END AS bucket,
  p.in_stock AS in_stock, true AS in_category, true AS in_price, count(*)
FROM products p WHERE p.is_active AND p.search @@ (websearch_to_tsquery('english', :'search') || websearch_to_tsquery('simple', :'search'))
GROUP BY 1, 2, 3, 4, 5;

\echo '== 8a. typo candidates from the name vocabulary (product_words, trigram index)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT q.word, w.word FROM unnest('{jnuiper,parak}'::text[]) AS q(word)
JOIN LATERAL (SELECT word FROM product_words WHERE word % q.word ORDER BY word <-> q.word LIMIT 8) AS w ON true;
\echo '== 8b. a search with a corrected word, exact matches ranked first'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT p.id, CASE WHEN p.search @@ e.q THEN 1 + ts_rank_cd(p.search, e.q, 32) ELSE ts_rank_cd(p.search, f.q, 32) END AS rank
FROM products p LEFT JOIN categories c ON c.id = p.category_id,
     (SELECT websearch_to_tsquery('english', 'jnuiper parka') || websearch_to_tsquery('simple', 'jnuiper parka') || to_tsquery('simple', 'jnuiper:* & parka:*') AS q) e,
     (SELECT to_tsquery('simple', '(jnuiper:* | juniper) & parka:*') AS q) f
WHERE p.is_active AND (c.id IS NULL OR c.is_active) AND (p.search @@ e.q OR p.search @@ f.q)
ORDER BY rank DESC, p.created_at DESC, p.id DESC LIMIT 20 OFFSET 0;

\echo '== 9. suggestions for "jun": names starting with it (index range), then words starting with it'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON)
(SELECT p.name, p.slug, 0 AS tier FROM products p WHERE lower(p.name) LIKE 'jun%' AND p.is_active
   AND NOT EXISTS (SELECT 1 FROM categories oc WHERE oc.id = p.category_id AND NOT oc.is_active) ORDER BY lower(p.name), p.id LIMIT 10)
UNION ALL
(SELECT p.name, p.slug, 1 AS tier FROM products p WHERE p.search @@ to_tsquery('simple', 'jun:*') AND NOT lower(p.name) LIKE 'jun%' AND p.is_active
   AND NOT EXISTS (SELECT 1 FROM categories oc WHERE oc.id = p.category_id AND NOT oc.is_active) ORDER BY lower(p.name), p.id LIMIT 10)
ORDER BY tier, 1 LIMIT 10;
