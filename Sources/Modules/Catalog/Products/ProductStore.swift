import HTTP
import Postgres

/// All SQL on `products` (and the images a product answer shows).
enum ProductStore {
    static let from = "products p LEFT JOIN categories c ON c.id = p.category_id"

    /// One page of the listing and the total. The WHERE clause is assembled from fixed
    /// fragments; every value is a parameter.
    static func list(_ query: ProductListQuery, categoryId: String?, currency: String, on db: PostgresClient) throws -> (products: [ProductRecord], total: Int) {
        var conditions: [String] = []
        var parameters: [any PostgresEncodable] = []
        func parameter(_ value: any PostgresEncodable) -> Int {
            parameters.append(value)
            return parameters.count
        }
        if !query.includeInactive { conditions.append("p.is_active AND (c.id IS NULL OR c.is_active)") }
        if let categoryId { conditions.append("p.category_id IN (\(CategoryStore.subtreeSQL(parameter: parameter(categoryId))))") }
        if let minPrice = query.minPrice { conditions.append("p.price >= $\(parameter(minPrice.description))::numeric") }
        if let maxPrice = query.maxPrice { conditions.append("p.price <= $\(parameter(maxPrice.description))::numeric") }
        if query.inStock { conditions.append("p.stock_quantity > 0") }
        var rank = "0"
        if let search = query.search {
            let text = parameter(search)
            let prefix = ProductSearch.prefixQuery(search).map { parameter($0) }
            let tsquery = ProductSearch.tsquery(text: text, prefix: prefix)
            conditions.append("p.search @@ \(tsquery)")
            rank = "ts_rank_cd(p.search, \(tsquery))"
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let total = try db.query("SELECT count(*) AS total FROM \(from) \(whereClause)", parameters, idempotent: true).first!.int("total")!

        let direction = query.sort.descending ? "DESC" : "ASC"
        let order: String
        switch query.sort.field {
        case "price": order = "p.price \(direction), p.id \(direction)"
        case "name": order = "p.name \(direction), p.id \(direction)"
        case "relevance": order = "rank \(direction), p.created_at DESC, p.id DESC"
        default: order = "p.created_at \(direction), p.id \(direction)"
        }
        let limit = parameter(query.limit)
        let offset = parameter((query.page - 1) * query.limit)
        let rows = try db.query("""
            SELECT \(ProductRecord.columns), \(rank) AS rank FROM \(from) \(whereClause)
            ORDER BY \(order) LIMIT $\(limit) OFFSET $\(offset)
            """, parameters, idempotent: true)
        var products = rows.rows.map { ProductRecord(row: $0, currency: currency) }
        try attachImages(&products, on: db)
        return (products, total)
    }

    static func find(_ key: CatalogKey, currency: String, on db: PostgresClient) throws -> ProductRecord? {
        let column = if case .id = key { "p.id" } else { "p.slug" }
        guard let row = try db.query("SELECT \(ProductRecord.columns) FROM \(from) WHERE \(column) = $1", [key.text], idempotent: true).first else { return nil }
        var products = [ProductRecord(row: row, currency: currency)]
        try attachImages(&products, on: db)
        return products[0]
    }

    private static func attachImages(_ products: inout [ProductRecord], on db: PostgresClient) throws {
        guard !products.isEmpty else { return }
        let ids = SQLFragment.array(products.map(\.id))
        let rows = try db.query("""
            SELECT id, product_id, path, alt_text, position FROM product_images
            WHERE product_id = ANY($1::uuid[]) ORDER BY position, created_at, id
            """, [ids], idempotent: true)
        var byProduct: [String: [ProductRecord.Image]] = [:]
        for row in rows.rows {
            byProduct[row.string("product_id")!, default: []].append(
                ProductRecord.Image(id: row.string("id")!, path: row.string("path")!, altText: row.string("alt_text"), position: row.int("position")!))
        }
        for index in products.indices { products[index].images = byProduct[products[index].id] ?? [] }
    }

    static func insert(_ input: ProductInput, slug: String, on db: PostgresClient) throws -> String {
        try db.query("""
            INSERT INTO products (name, slug, description, price, compare_at_price, sku, stock_quantity, category_id, is_active)
            VALUES ($1, $2, $3, $4::numeric, $5::numeric, $6, $7, $8, coalesce($9, true)) RETURNING id
            """, [input.name, slug, input.description, input.price?.description, (input.compareAtPrice ?? nil)?.description, input.sku,
                  input.stockQuantity, input.categoryId ?? nil, input.isActive]).first!.string("id")!
    }

    static func slugExists(_ slug: String, on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM products WHERE slug = $1", [slug]).rowCount == 1
    }

    static func update(_ id: String, _ input: ProductInput, on db: PostgresClient) throws -> Bool {
        try db.query("""
            UPDATE products SET name = coalesce($2, name), slug = coalesce($3, slug), description = coalesce($4, description),
                price = coalesce($5::numeric, price),
                compare_at_price = CASE WHEN $6 THEN $7::numeric ELSE compare_at_price END,
                sku = coalesce($8, sku), stock_quantity = coalesce($9, stock_quantity),
                category_id = CASE WHEN $10 THEN $11::uuid ELSE category_id END,
                is_active = coalesce($12, is_active), updated_at = now()
            WHERE id = $1
            """, [id, input.name, input.slug, input.description, input.price?.description, input.compareAtPrice != nil,
                  (input.compareAtPrice ?? nil)?.description, input.sku, input.stockQuantity, input.categoryId != nil,
                  input.categoryId ?? nil, input.isActive]).affectedRows == 1
    }

    static func deactivate(_ id: String, on db: PostgresClient) throws -> Bool {
        try db.query("UPDATE products SET is_active = false, updated_at = now() WHERE id = $1", [id]).affectedRows == 1
    }
}
