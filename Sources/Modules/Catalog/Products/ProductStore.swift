import HTTP
import Postgres

/// All SQL on `products` (and the images a product answer shows).
public enum ProductStore {
    static let from: PostgresQuery = "products p LEFT JOIN categories c ON c.id = p.category_id"

    /// The WHERE clause of a listing, assembled from fixed fragments; every value is a bind.
    struct Filter {
        let whereClause: PostgresQuery
        /// A category, a price range or a search picks the plan (how many rows each matches
        /// decides between walking an order's index and collecting the matches first), so such
        /// listings are planned for their values; one without them keeps one plan, made once.
        let planning: PostgresClient.Planning
        /// `ts_rank_cd` normalised into [0, 1), plus 1 for an exact match, so a match found
        /// only through a typo correction ranks below every exact one; 0 without a search.
        let rank: PostgresQuery
        /// The filters one by one, for the facets (API.md §12.3), which count each over the
        /// others: nil where the request has none.
        let category: PostgresQuery?
        let price: PostgresQuery?
        let inStock: PostgresQuery?
        /// What every row must pass whatever the facet: active (products only; the category's
        /// activity is checked by the facets in the worker) and the search.
        let facetBase: PostgresQuery

        init(_ query: ProductListQuery, categoryId: String?, corrections: [String: [String]] = [:]) {
            var base: [PostgresQuery] = []
            var conditions: [PostgresQuery] = []
            if !query.includeInactive {
                conditions.append("p.is_active AND (c.id IS NULL OR c.is_active)")
                base.append("p.is_active")
            }
            category = categoryId.map { "p.category_id IN (\(CategoryStore.subtree(of: $0)))" }
            var prices: [PostgresQuery] = []
            if let minPrice = query.minPrice { prices.append("p.price >= \(bind: minPrice)::numeric") }
            if let maxPrice = query.maxPrice { prices.append("p.price <= \(bind: maxPrice)::numeric") }
            price = prices.isEmpty ? nil : prices.joined(separator: " AND ")
            inStock = query.inStock ? "p.in_stock" : nil
            conditions += [category, price, inStock].compactMap { $0 }
            var rank: PostgresQuery = "0"
            if let search = query.search {
                let exact = ProductSearch.tsquery(search)
                let matches: PostgresQuery
                if let tolerant = ProductSearch.correctedQuery(search, corrections: corrections) {
                    let fuzzy: PostgresQuery = "to_tsquery('simple', \(bind: tolerant))"
                    matches = "(p.search @@ \(exact) OR p.search @@ \(fuzzy))"
                    rank = """
                        CASE WHEN p.search @@ \(exact) THEN 1 + ts_rank_cd(p.search, \(exact), 32) ELSE ts_rank_cd(p.search, \(fuzzy), 32) END
                        """
                } else {
                    matches = "p.search @@ \(exact)"
                    rank = "1 + ts_rank_cd(p.search, \(exact), 32)"
                }
                conditions.append(matches)
                base.append(matches)
            }
            whereClause = conditions.isEmpty ? "" : "WHERE \(conditions.joined(separator: " AND "))"
            facetBase = base.isEmpty ? "true" : base.joined(separator: " AND ")
            self.rank = rank
            planning = category != nil || price != nil || query.search != nil ? .perExecution : .cached
        }
    }

    /// How many products match: the pagination total.
    static func count(_ filter: Filter, on db: PostgresClient) throws -> Int {
        try db.query("SELECT count(*) AS total FROM \(from) \(filter.whereClause)", idempotent: true, planning: filter.planning).single().decode("total", as: Int.self)
    }

    /// One page of the listing, in the query's order.
    static func page(_ query: ProductListQuery, _ filter: Filter, currency: String, on db: PostgresClient) throws -> [ProductRecord] {
        let direction: PostgresQuery = query.sort.descending ? "DESC" : "ASC"
        let order: PostgresQuery =
            switch query.sort.field {
            case "price": "p.price \(direction), p.id \(direction)"
            case "name": "p.name \(direction), p.id \(direction)"
            case "relevance": "rank \(direction), p.created_at DESC, p.id DESC"
            default: "p.created_at \(direction), p.id \(direction)"
            }
        var products = try db.query(
            """
            SELECT \(ProductRecord.columns), \(filter.rank) AS rank FROM \(from) \(filter.whereClause)
            ORDER BY \(order) LIMIT \(bind: query.limit) OFFSET \(bind: (query.page - 1) * query.limit)
            """, idempotent: true, planning: filter.planning
        ).map { try ProductRecord(row: $0, currency: currency) }
        try attachImages(&products, on: db)
        return products
    }

    static func find(_ key: CatalogKey, currency: String, on db: PostgresClient) throws -> ProductRecord? {
        let condition: PostgresQuery =
            switch key {
            case .id(let id): "p.id = \(bind: id)"
            case .slug(let slug): "p.slug = \(bind: slug)"
            }
        guard let row = try db.query("SELECT \(ProductRecord.columns) FROM \(from) WHERE \(condition)", idempotent: true).first else { return nil }
        var products = [try ProductRecord(row: row, currency: currency)]
        try attachImages(&products, on: db)
        return products[0]
    }

    private static func attachImages(_ products: inout [ProductRecord], on db: PostgresClient) throws {
        guard !products.isEmpty else { return }
        let rows = try db.query(
            """
            SELECT id, product_id, path, alt_text, position FROM product_images
            WHERE product_id = ANY(\(bind: SQLFragment.array(products.map(\.id)))::uuid[]) ORDER BY position, created_at, id
            """, idempotent: true)
        var byProduct: [String: [ProductRecord.Image]] = [:]
        for row in rows.rows {
            byProduct[try row.decode("product_id"), default: []].append(
                ProductRecord.Image(
                    id: try row.decode("id"), path: try row.decode("path"), altText: try row.decode("alt_text"), position: try row.decode("position")))
        }
        for index in products.indices { products[index].images = byProduct[products[index].id] ?? [] }
    }

    static func insert(_ input: ProductInput, slug: String, on db: PostgresClient) throws -> String {
        try db.query(
            """
            INSERT INTO products (name, slug, description, price, compare_at_price, sku, stock_quantity, category_id, is_active)
            VALUES (\(bind: input.name), \(bind: slug), \(bind: input.description), \(bind: input.price)::numeric,
                    \(bind: input.compareAtPrice ?? nil)::numeric, \(bind: input.sku), \(bind: input.stockQuantity), \(bind: input.categoryId ?? nil),
                    coalesce(\(bind: input.isActive), true))
            RETURNING id
            """
        ).single().decode("id", as: String.self)
    }

    static func slugExists(_ slug: String, on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM products WHERE slug = \(bind: slug)").rowCount == 1
    }

    static func update(_ id: String, _ input: ProductInput, on db: PostgresClient) throws -> Bool {
        try db.query(
            """
            UPDATE products SET name = coalesce(\(bind: input.name), name), slug = coalesce(\(bind: input.slug), slug),
                description = coalesce(\(bind: input.description), description), price = coalesce(\(bind: input.price)::numeric, price),
                compare_at_price = CASE WHEN \(bind: input.compareAtPrice != nil) THEN \(bind: input.compareAtPrice ?? nil)::numeric ELSE compare_at_price END,
                sku = coalesce(\(bind: input.sku), sku), stock_quantity = coalesce(\(bind: input.stockQuantity), stock_quantity),
                category_id = CASE WHEN \(bind: input.categoryId != nil) THEN \(bind: input.categoryId ?? nil)::uuid ELSE category_id END,
                is_active = coalesce(\(bind: input.isActive), is_active), updated_at = now()
            WHERE id = \(bind: id)
            """
        ).affectedRows == 1
    }

    static func deactivate(_ id: String, on db: PostgresClient) throws -> Bool {
        try db.query("UPDATE products SET is_active = false, updated_at = now() WHERE id = \(bind: id)").affectedRows == 1
    }
}
