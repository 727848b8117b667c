import HTTP
import Postgres

/// The SQL of typo tolerance, facets and suggestions (API.md §12.3), on `products` and the
/// `product_words` vocabulary the triggers of migration 0009 keep.
extension ProductStore {
    /// For each typed word, the other known name words one edit away (trigram candidates from
    /// the vocabulary, checked exactly here): "hedphones" also finds "headphones" even where
    /// some product is called "hedphones".
    static func corrections(for words: [String], on db: PostgresClient) throws -> [String: [String]] {
        guard !words.isEmpty else { return [:] }
        let rows = try db.query(
            """
            SELECT q.word AS typed, w.word AS known
            FROM unnest(\(bind: SQLFragment.array(words))::text[]) AS q(word)
            JOIN LATERAL (SELECT word FROM product_words WHERE word % q.word ORDER BY word <-> q.word LIMIT 8) AS w ON true
            """, idempotent: true)
        var found: [String: [String]] = [:]
        for row in rows.rows {
            let typed = try row.decode("typed", as: String.self)
            let known = try row.decode("known", as: String.self)
            found[typed, default: []].append(known)
        }
        var corrections: [String: [String]] = [:]
        for (typed, candidates) in found {
            let near = candidates.filter { $0 != typed && ProductSearch.withinOneEdit(typed, $0) }
            if !near.isEmpty { corrections[typed] = near }
        }
        return corrections
    }

    /// Products per category they sit in directly, over the filter (which leaves the category
    /// out); rolled up the tree by the caller.
    static func countsByCategory(_ filter: Filter, on db: PostgresClient) throws -> [String: Int] {
        let rows = try db.query(
            """
            SELECT p.category_id, count(*) AS n FROM \(from) \(filter.whereClause)\(filter.whereClause == "" ? "WHERE" : " AND") p.category_id IS NOT NULL
            GROUP BY p.category_id
            """, idempotent: true, planning: .perExecution)
        var counts: [String: Int] = [:]
        for row in rows.rows { counts[try row.decode("category_id")] = try row.decode("n") }
        return counts
    }

    /// Products per price bucket (`ProductFacets.priceBounds`), over the filter (which leaves
    /// the price range out): one count per bucket, zeros included.
    static func countsByPrice(_ filter: Filter, on db: PostgresClient) throws -> [Int] {
        let bounds = ProductFacets.priceBounds.dropFirst()
        let rows = try db.query(
            """
            SELECT width_bucket(p.price, \(bind: SQLFragment.array(bounds.map(\.description)))::numeric[]) AS bucket, count(*) AS n
            FROM \(from) \(filter.whereClause) GROUP BY 1
            """, idempotent: true, planning: .perExecution)
        var counts = Array(repeating: 0, count: ProductFacets.priceBounds.count)
        for row in rows.rows {
            let bucket = try row.decode("bucket", as: Int.self)
            if counts.indices.contains(bucket) { counts[bucket] = try row.decode("n") }
        }
        return counts
    }

    /// Products in stock and out of it, over the filter (which leaves `inStock` out).
    static func countsByStock(_ filter: Filter, on db: PostgresClient) throws -> (inStock: Int, outOfStock: Int) {
        let row = try db.query(
            """
            SELECT count(*) FILTER (WHERE p.stock_quantity > 0) AS yes, count(*) FILTER (WHERE p.stock_quantity <= 0) AS no
            FROM \(from) \(filter.whereClause)
            """, idempotent: true, planning: .perExecution
        ).single()
        return (try row.decode("yes"), try row.decode("no"))
    }

    /// Up to `limit` products on sale for autocomplete: names starting with `prefix` first (an
    /// index range scan), then names with a word starting with each typed word, by name.
    static func suggestions(_ prefix: String, limit: Int, on db: PostgresClient) throws -> [(name: String, slug: String)] {
        let pattern = SQLFragment.likePrefix(prefix.lowercased())
        let onSale: PostgresQuery = "p.is_active AND NOT EXISTS (SELECT 1 FROM categories oc WHERE oc.id = p.category_id AND NOT oc.is_active)"
        let words: PostgresQuery = ProductSearch.prefixQuery(prefix).map { "p.search @@ to_tsquery('simple', \(bind: $0))" } ?? "false"
        return try db.query(
            """
            (SELECT p.name, p.slug, 0 AS tier FROM products p WHERE lower(p.name) LIKE \(bind: pattern) AND \(onSale)
             ORDER BY lower(p.name), p.id LIMIT \(bind: limit))
            UNION ALL
            (SELECT p.name, p.slug, 1 AS tier FROM products p WHERE \(words) AND NOT lower(p.name) LIKE \(bind: pattern) AND \(onSale)
             ORDER BY lower(p.name), p.id LIMIT \(bind: limit))
            ORDER BY tier, 1 LIMIT \(bind: limit)
            """, idempotent: true, planning: .perExecution
        ).map { (try $0.decode("name", as: String.self), try $0.decode("slug", as: String.self)) }
    }
}
