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
    let price: Cents
    let compareAtPrice: Cents?
    let sku: String
    let stockQuantity: Int
    let isActive: Bool
    let category: (id: String, name: String, slug: String)?
    var images: [Image] = []
    let createdAt: String
    let updatedAt: String
    let currency: String

    /// Columns of `products p LEFT JOIN categories c`.
    static let columns: PostgresQuery = """
        p.id, p.name, p.slug, p.description, p.price::text AS price, p.compare_at_price::text AS compare_at_price, p.sku,
        p.stock_quantity, p.is_active, c.id AS category_id, c.name AS category_name, c.slug AS category_slug,
        \(SQLFragment.isoTimestamp("p.created_at")) AS created_at, \(SQLFragment.isoTimestamp("p.updated_at")) AS updated_at
        """

    init(row: PostgresRow, currency: String) throws {
        id = try row.decode("id", as: String.self)
        name = try row.decode("name", as: String.self)
        slug = try row.decode("slug", as: String.self)
        description = try row.decode("description", as: String.self)
        price = try row.decode("price", as: Cents.self)
        compareAtPrice = try row.decode("compare_at_price", as: Cents?.self)
        sku = try row.decode("sku", as: String.self)
        stockQuantity = try row.decode("stock_quantity", as: Int.self)
        isActive = try row.decode("is_active", as: Bool.self)
        if let categoryId = try row.decode("category_id", as: String?.self) {
            category = (categoryId, try row.decode("category_name"), try row.decode("category_slug"))
        } else {
            category = nil
        }
        createdAt = try row.decode("created_at", as: String.self)
        updatedAt = try row.decode("updated_at", as: String.self)
        self.currency = currency
    }

    /// Written for the cache: the stock is a hole (`PageTemplate`), filled as the page is served.
    var stockAsHole = false

    var json: JSONValue {
        var object: JSONObject = [
            "id": .string(id), "name": .string(name), "slug": .string(slug), "description": .string(description),
            "price": .string(price.description), "compareAtPrice": compareAtPrice.map { .string($0.description) } ?? .null, "currency": .string(currency),
            "sku": .string(sku),
        ]
        if stockAsHole {
            // The hole stands for both `stockQuantity` and `inStock`, in that order.
            object["stockQuantity"] = .number(PageTemplate.hole(id))
        } else {
            object["stockQuantity"] = .int(stockQuantity)
            object["inStock"] = .bool(stockQuantity > 0)
        }
        object["isActive"] = .bool(isActive)
        object["category"] = category.map { JSONValue.object(["id": .string($0.id), "name": .string($0.name), "slug": .string($0.slug)]) } ?? .null
        object["images"] = .array(
            images.map {
                .object([
                    "id": .string($0.id), "url": .string("/uploads/" + $0.path), "altText": $0.altText.map(JSONValue.string) ?? .null,
                    "position": .int($0.position),
                ])
            })
        object["createdAt"] = .string(createdAt)
        object["updatedAt"] = .string(updatedAt)
        return .object(object)
    }

    /// The same product, written for the cache.
    var withStockHole: ProductRecord {
        var record = self
        record.stockAsHole = true
        return record
    }
}
