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

    /// One row of the facet scan: how many products sit directly in a category, in a price
    /// bucket, in stock or not, and whether they pass the request's category and price filters.
    struct FacetCell {
        let categoryId: String?
        let bucket: Int
        let inStock: Bool
        let inCategory: Bool
        let inPrice: Bool
        let count: Int
    }

    /// Every facet from one scan (`products_facets_idx` covers it when no search narrows the
    /// rows first): rows grouped by category, price bucket and stock state, each group marked
    /// with whether it passes the category and price filters, so the caller can count every
    /// facet over the other filters. A few hundred rows at most.
    static func facetCells(_ filter: Filter, on db: PostgresClient) throws -> [FacetCell] {
        let bounds = ProductFacets.priceBounds.dropFirst()
        var bucket: PostgresQuery = "CASE"
        for (index, bound) in bounds.enumerated() { bucket += " WHEN p.price < \(bind: bound)::numeric THEN \(bind: index)::int" }
        bucket += " ELSE \(bind: bounds.count)::int END"
        let rows = try db.query(
            """
            SELECT p.category_id, \(bucket) AS bucket, p.in_stock,
                   \(filter.category ?? "true") AS in_category, \(filter.price ?? "true") AS in_price, count(*) AS n
            FROM products p WHERE \(filter.facetBase) GROUP BY 1, 2, 3, 4, 5
            """, idempotent: true, planning: .perExecution)
        return try rows.map {
            FacetCell(
                categoryId: try $0.decode("category_id"), bucket: try $0.decode("bucket"), inStock: try $0.decode("in_stock"),
                inCategory: try $0.decode("in_category"), inPrice: try $0.decode("in_price"), count: try $0.decode("n"))
        }
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
