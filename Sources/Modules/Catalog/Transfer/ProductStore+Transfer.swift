import HTTP
import Postgres

/// The SQL of catalog export and import (API.md §12.8).
extension ProductStore {
    /// Up to `limit` products after `sku` in SKU order (the unique index walks it), as the file
    /// has them.
    static func exportBatch(after sku: String?, limit: Int, on db: PostgresClient) throws -> [[String]] {
        try db.query(
            """
            SELECT p.sku, p.name, p.slug, p.description, p.price::text AS price, coalesce(p.compare_at_price::text, '') AS compare_at_price,
                   p.stock_quantity::text AS stock_quantity, CASE WHEN p.is_active THEN 'true' ELSE 'false' END AS is_active,
                   coalesce(c.slug, '') AS category_slug,
                   coalesce((SELECT string_agg('/uploads/' || pi.path, ' ' ORDER BY pi.position, pi.created_at, pi.id)
                             FROM product_images pi WHERE pi.product_id = p.id), '') AS image_urls
            FROM products p LEFT JOIN categories c ON c.id = p.category_id
            WHERE \(bind: sku)::text IS NULL OR p.sku > \(bind: sku) ORDER BY p.sku LIMIT \(bind: limit)
            """, idempotent: true
        ).map { row in
            try ["sku", "name", "slug", "description", "price", "compare_at_price", "stock_quantity", "is_active", "category_slug", "image_urls"].map {
                try row.decode($0, as: String.self)
            }
        }
    }

    /// Which of `skus` exist, with their slugs.
    static func existing(skus: [String], on db: PostgresClient) throws -> [String: String] {
        var found: [String: String] = [:]
        for row in try db.query("SELECT sku, slug FROM products WHERE sku = ANY(\(bind: SQLFragment.array(skus))::text[])").rows {
            found[try row.decode("sku")] = try row.decode("slug")
        }
        return found
    }

    /// Who holds each of `slugs` now: slug → SKU.
    static func slugOwners(_ slugs: [String], on db: PostgresClient) throws -> [String: String] {
        var owners: [String: String] = [:]
        for row in try db.query("SELECT slug, sku FROM products WHERE slug = ANY(\(bind: SQLFragment.array(slugs))::text[])").rows {
            owners[try row.decode("slug")] = try row.decode("sku")
        }
        return owners
    }

    /// Category slug → id, for every category.
    static func categoryIds(on db: PostgresClient) throws -> [String: String] {
        var ids: [String: String] = [:]
        for row in try db.query("SELECT slug, id FROM categories").rows { ids[try row.decode("slug")] = try row.decode("id") }
        return ids
    }

    /// The rows as arrays, one per column, for `unnest`.
    private static func columns(_ rows: [CatalogRow], categoryIds: [String: String], slugs: [String: String]) -> PostgresQuery {
        func text(_ values: [String?]) -> String { SQLFragment.array(values) }
        return """
            unnest(\(bind: text(rows.map(\.sku)))::text[], \(bind: text(rows.map(\.name)))::text[], \(bind: text(rows.map { slugs[$0.sku] ?? $0.slug }))::text[],
                   \(bind: text(rows.map(\.description)))::text[], \(bind: text(rows.map { $0.price?.description }))::numeric[],
                   \(bind: text(rows.map { ($0.compareAtPrice ?? nil)?.description }))::numeric[],
                   \(bind: text(rows.map { $0.stockQuantity.map(String.init) }))::int[], \(bind: text(rows.map { $0.isActive.map { $0 ? "true" : "false" } }))::boolean[],
                   \(bind: text(rows.map { ($0.categorySlug ?? nil).flatMap { categoryIds[$0] } }))::uuid[])
                AS v(sku, name, slug, description, price, compare_at_price, stock_quantity, is_active, category_id)
            """
    }

    /// Updates the existing products of `rows`: only the columns the file has.
    static func importUpdates(_ rows: [CatalogRow], has: (String) -> Bool, categoryIds: [String: String], on db: PostgresClient) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        func set(_ column: PostgresQuery, _ field: String) -> PostgresQuery {
            has(field) ? "\(column) = v.\(column)" : "\(column) = p.\(column)"
        }
        // An empty slug cell keeps the product's slug.
        let slug: PostgresQuery = has("slug") ? "slug = coalesce(v.slug, p.slug)" : "slug = p.slug"
        let active: PostgresQuery = has("isActive") ? "is_active = coalesce(v.is_active, p.is_active)" : "is_active = p.is_active"
        return try db.query(
            """
            UPDATE products p SET \(set("name", "name")), \(slug), \(set("description", "description")), \(set("price", "price")),
                \(set("compare_at_price", "compareAtPrice")), \(set("stock_quantity", "stockQuantity")), \(active),
                \(set("category_id", "categorySlug")), updated_at = now()
            FROM \(columns(rows, categoryIds: categoryIds, slugs: [:])) WHERE p.sku = v.sku
            """
        ).affectedRows
    }

    /// Inserts the new products of `rows`, each with its slug (given or made).
    static func importInserts(_ rows: [CatalogRow], slugs: [String: String], categoryIds: [String: String], on db: PostgresClient) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        return try db.query(
            """
            INSERT INTO products (sku, name, slug, description, price, compare_at_price, stock_quantity, is_active, category_id)
            SELECT v.sku, v.name, v.slug, v.description, v.price, v.compare_at_price, v.stock_quantity, coalesce(v.is_active, true), v.category_id
            FROM \(columns(rows, categoryIds: categoryIds, slugs: slugs))
            """
        ).affectedRows
    }
}
