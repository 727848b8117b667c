import HTTP
import Inventory
import Postgres

/// A cart line with its product as it is now (API.md §5): the price is the current one, and
/// `available` says whether checkout could sell it.
public struct CartLine: JSONRepresentable, Sendable {
    public let id: String
    public let productId: String
    public let name: String
    public let slug: String
    public let sku: String
    public let imagePath: String?
    public let unitPrice: Cents
    public let quantity: Int
    public let stockQuantity: Int
    public let isActive: Bool

    public var lineTotal: Cents { unitPrice * Int64(quantity) }
    public var available: Bool { isActive && stockQuantity >= quantity }

    /// Columns of `cart_items ci JOIN products p`; the image is the product's first.
    static let columns: PostgresQuery = """
        ci.id AS line_id, ci.product_id, ci.quantity, p.name, p.slug, p.sku, p.price::text AS price, p.stock_quantity, \(StockStore.onSale) AS is_active,
        (SELECT pi.path FROM product_images pi WHERE pi.product_id = p.id ORDER BY pi.position, pi.created_at, pi.id LIMIT 1) AS image_path
        """

    init(row: PostgresRow) throws {
        id = try row.decode("line_id", as: String.self)
        productId = try row.decode("product_id", as: String.self)
        quantity = try row.decode("quantity", as: Int.self)
        name = try row.decode("name", as: String.self)
        slug = try row.decode("slug", as: String.self)
        sku = try row.decode("sku", as: String.self)
        unitPrice = try row.decode("price", as: Cents.self)
        stockQuantity = try row.decode("stock_quantity", as: Int.self)
        isActive = try row.decode("is_active", as: Bool.self)
        imagePath = try row.decode("image_path", as: String?.self)
    }

    public var json: JSONValue {
        .object([
            "id": .string(id), "productId": .string(productId), "name": .string(name), "slug": .string(slug), "sku": .string(sku),
            "image": imagePath.map { .string("/uploads/" + $0) } ?? .null,
            "unitPrice": .string(unitPrice.description), "quantity": .int(quantity), "lineTotal": .string(lineTotal.description),
            "available": .bool(available),
        ])
    }
}

/// The cart as API.md §5 shows it. `itemCount` counts units; `subtotal` covers every line at
/// today's prices, available or not, so it matches the lines the client shows.
public struct CartView: JSONRepresentable, Sendable {
    public let id: String
    public let lines: [CartLine]
    public let updatedAt: String
    public let currency: String

    public var itemCount: Int { lines.reduce(0) { $0 + $1.quantity } }
    public var subtotal: Cents { lines.reduce(Cents.zero) { $0 + $1.lineTotal } }

    public var json: JSONValue {
        .object([
            "id": .string(id), "items": .array(lines.map(\.json)), "itemCount": .int(itemCount),
            "subtotal": .string(subtotal.description), "currency": .string(currency), "updatedAt": .string(updatedAt),
        ])
    }
}
