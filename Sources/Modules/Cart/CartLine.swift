import Coupons
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

/// The cart as API.md §5 and §12.2 show it. `itemCount` counts units; `subtotal` covers every
/// line at today's prices, available or not, so it matches the lines the client shows.
/// `discount` is what checkout would take off now: zero while the coupon does not apply
/// (inactive, outside its window, used up, or the subtotal below its minimum), and checkout
/// then refuses it with a 409 on `code`.
public struct CartView: JSONRepresentable, Sendable {
    public let id: String
    public let lines: [CartLine]
    public let updatedAt: String
    public let currency: String
    public let coupon: CartCoupon?

    public var itemCount: Int { lines.reduce(0) { $0 + $1.quantity } }
    public var subtotal: Cents { lines.reduce(Cents.zero) { $0 + $1.lineTotal } }
    public var discount: Cents { coupon?.discount(on: subtotal) ?? .zero }

    public var json: JSONValue {
        .object([
            "id": .string(id), "items": .array(lines.map(\.json)), "itemCount": .int(itemCount),
            "subtotal": .string(subtotal.description), "coupon": coupon?.terms.json ?? .null, "discount": .string(discount.description),
            "currency": .string(currency), "updatedAt": .string(updatedAt),
        ])
    }
}

/// The coupon on a cart and whether it applies today, read with the cart.
public struct CartCoupon: Sendable {
    public let id: String
    public let terms: CouponTerms
    let minSubtotal: Cents?
    let applies: Bool

    /// Columns of `carts c LEFT JOIN coupons cp ON cp.id = c.coupon_id`.
    static let columns: PostgresQuery = """
        cp.id AS coupon_id, cp.code AS coupon_code, cp.type AS coupon_type, cp.value::text AS coupon_value,
        cp.min_subtotal::text AS coupon_min_subtotal,
        \(CouponRules.open("cp")) AS coupon_applies
        """

    init?(row: PostgresRow) throws {
        guard !row.isNull("coupon_id") else { return nil }
        id = try row.decode("coupon_id")
        terms = try CouponTerms(row: row, prefix: "coupon_")
        minSubtotal = try row.decode("coupon_min_subtotal")
        applies = try row.decode("coupon_applies")
    }

    func discount(on subtotal: Cents) -> Cents {
        guard applies, minSubtotal.map({ subtotal >= $0 }) ?? true else { return .zero }
        return terms.discount(on: subtotal)
    }
}
