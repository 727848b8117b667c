import HTTP
import Postgres

/// A product as API.md §4 shows it, with its category and images.
struct ProductRecord: JSONRepresentable {
    struct Image {
        let id: String
        let path: String
        let altText: String?
        let position: Int
    }

    let id: String
    let name: String
    let slug: String
    let description: String
    let price: String
    let compareAtPrice: String?
    let sku: String
    let stockQuantity: Int
    let isActive: Bool
    let category: (id: String, name: String, slug: String)?
    var images: [Image] = []
    let createdAt: String
    let updatedAt: String
    let currency: String

    /// Columns of `products p LEFT JOIN categories c`.
    static let columns = """
        p.id, p.name, p.slug, p.description, p.price::text AS price, p.compare_at_price::text AS compare_at_price, p.sku,
        p.stock_quantity, p.is_active, c.id AS category_id, c.name AS category_name, c.slug AS category_slug,
        \(SQLFragment.isoTimestamp("p.created_at")) AS created_at, \(SQLFragment.isoTimestamp("p.updated_at")) AS updated_at
        """

    init(row: PostgresRow, currency: String) {
        id = row.string("id")!
        name = row.string("name")!
        slug = row.string("slug")!
        description = row.string("description")!
        price = row.string("price")!
        compareAtPrice = row.string("compare_at_price")
        sku = row.string("sku")!
        stockQuantity = row.int("stock_quantity")!
        isActive = row.bool("is_active")!
        if let categoryId = row.string("category_id") {
            category = (categoryId, row.string("category_name")!, row.string("category_slug")!)
        } else {
            category = nil
        }
        createdAt = row.string("created_at")!
        updatedAt = row.string("updated_at")!
        self.currency = currency
    }

    var json: JSONValue {
        .object([
            "id": .string(id), "name": .string(name), "slug": .string(slug), "description": .string(description),
            "price": .string(price), "compareAtPrice": compareAtPrice.map(JSONValue.string) ?? .null, "currency": .string(currency),
            "sku": .string(sku), "stockQuantity": .int(stockQuantity), "inStock": .bool(stockQuantity > 0), "isActive": .bool(isActive),
            "category": category.map { JSONValue.object(["id": .string($0.id), "name": .string($0.name), "slug": .string($0.slug)]) } ?? .null,
            "images": .array(images.map { .object(["id": .string($0.id), "url": .string("/uploads/" + $0.path), "altText": $0.altText.map(JSONValue.string) ?? .null, "position": .int($0.position)]) }),
            "createdAt": .string(createdAt), "updatedAt": .string(updatedAt),
        ])
    }
}
