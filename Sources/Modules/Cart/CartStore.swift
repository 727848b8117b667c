import Inventory
import Postgres

/// All SQL of the cart. Every statement that touches a line is scoped by the cart's owner,
/// so another user's line is simply not found.
public enum CartStore {
    static let headerColumns: PostgresQuery = "c.id AS cart_id, \(SQLFragment.isoTimestamp("c.updated_at")) AS cart_updated_at"

    /// The whole cart in one round trip; nil when the owner has none (yet, for a user).
    /// `committing`: the last statement of a transaction that changed the cart, sent with its
    /// COMMIT in one round trip.
    static func view(_ owner: CartOwner, currency: String, on db: PostgresClient, committing: Bool = false) throws -> CartView? {
        let statement: PostgresQuery = """
            SELECT \(headerColumns), \(CartCoupon.columns), \(CartLine.columns)
            FROM carts c LEFT JOIN coupons cp ON cp.id = c.coupon_id
                 LEFT JOIN cart_items ci ON ci.cart_id = c.id LEFT JOIN products p ON p.id = ci.product_id
            WHERE \(owner.condition) ORDER BY ci.created_at, ci.id
            """
        let result = try committing ? db.queryCommitting(statement) : db.query(statement, idempotent: true)
        guard let first = result.first else { return nil }
        let lines = try result.rows.filter { !$0.isNull("line_id") }.map(CartLine.init(row:))
        return CartView(
            id: try first.decode("cart_id"), lines: lines, updatedAt: try first.decode("cart_updated_at"), currency: currency,
            coupon: try CartCoupon(row: first))
    }

    /// The owner's cart, locked for the rest of the transaction so that one owner's cart
    /// changes (and checkouts) happen one at a time, and touched (every caller changes it; a
    /// caller that fails rolls the touch back with the rest): one statement. A user's is made
    /// on first use; a guest's must exist (nil: unknown, expired or merged token).
    public static func lockCart(_ owner: CartOwner, on db: PostgresClient) throws -> String? {
        try db.query(locking(owner)).first?.decode("id", as: String.self)
    }

    private static func locking(_ owner: CartOwner) -> PostgresQuery {
        switch owner {
        case .user(let userId):
            "INSERT INTO carts (user_id) VALUES (\(bind: userId)) ON CONFLICT (user_id) DO UPDATE SET updated_at = now() RETURNING id"
        case .guest:
            "UPDATE carts c SET updated_at = now() WHERE \(owner.condition) RETURNING id"
        }
    }

    /// `lockCart`, then `quantity` of a product added to its line, in one round trip (the add
    /// finds the cart through its owner, once the lock is held): only if the product is on sale
    /// and the line's new quantity is within both its stock and `maxLine`. The cart's id and
    /// whether the add was made (false: refused, nothing written); nil: no such cart.
    static func lockCart(_ owner: CartOwner, adding quantity: Int, of productId: String, maxLine: Int, on db: PostgresClient) throws -> (
        cartId: String, added: Bool
    )? {
        let results = try db.queries([
            locking(owner),
            """
            INSERT INTO cart_items (cart_id, product_id, quantity)
            SELECT c.id, p.id, \(bind: quantity) FROM carts c JOIN products p ON p.id = \(bind: productId)
            WHERE \(owner.condition) AND \(StockStore.onSale)
              AND coalesce((SELECT ci.quantity FROM cart_items ci WHERE ci.cart_id = c.id AND ci.product_id = p.id), 0) + \(bind: quantity)
                  <= least(p.stock_quantity, \(bind: maxLine))
            ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = cart_items.quantity + EXCLUDED.quantity, updated_at = now()
            """,
        ])
        guard let cartId = try results[0].first?.decode("id", as: String.self) else { return nil }
        return (cartId, results[1].affectedRows == 1)
    }

    /// A new, empty guest cart for the token's hash.
    static func insertGuest(tokenHash: [UInt8], on db: PostgresClient) throws {
        try db.query("INSERT INTO carts (guest_token_hash) VALUES (\(bind: SQLFragment.bytea(tokenHash)))")
    }

    static func setCoupon(_ couponId: String?, cartId: String, on db: PostgresClient) throws {
        try db.query("UPDATE carts SET coupon_id = \(bind: couponId)::uuid WHERE id = \(bind: cartId)")
    }

    /// What checkout sells, locked, in one round trip: the user's cart and its coupon (nil when
    /// they never had a cart), then its lines in the cart's order with their products locked in
    /// id order (the order every stock writer takes them in, so concurrent checkouts cannot
    /// deadlock). The lines' statement finds the cart through its owner and runs once the cart's
    /// lock is held, so a checkout that waited for another of the same cart reads it as that one
    /// left it (empty), and the products as they are once locked. `counting` is a scalar query
    /// read in that statement too (checkout's unpaid orders): its value, or 0 for an empty cart.
    public static func lockForCheckout(
        userId: String, counting: PostgresQuery = "SELECT 0", on db: PostgresClient
    ) throws -> (cart: (id: String, couponId: String?)?, lines: [CartLine], count: Int) {
        let results = try db.queries([
            "SELECT id, coupon_id FROM carts WHERE user_id = \(bind: userId) FOR UPDATE",
            StockStore.lockingProducts(
                "\(CartLine.columns), (extract(epoch FROM ci.created_at) * 1000000)::bigint AS added_at, (\(counting)) AS counted",
                from: """
                    cart_items ci JOIN products p ON p.id = ci.product_id
                    WHERE ci.cart_id = (SELECT c.id FROM carts c WHERE c.user_id = \(bind: userId))
                    """),
        ])
        guard let cartRow = results[0].first else { return (nil, [], 0) }
        let cart = (id: try cartRow.decode("id", as: String.self), couponId: try cartRow.decode("coupon_id", as: String?.self))
        let rows = try results[1].map { (line: try CartLine(row: $0), addedAt: try $0.decode("added_at", as: Int64.self)) }
        let lines = rows.sorted { ($0.addedAt, $0.line.id) < ($1.addedAt, $1.line.id) }.map(\.line)
        return (cart, lines, try results[1].first?.decode("counted", as: Int.self) ?? 0)
    }

    struct ProductState {
        let stockQuantity: Int
        let isActive: Bool
    }

    /// A product's state and how many of it the cart holds already; nil when there is no such product.
    static func product(_ id: String, inCart cartId: String, on db: PostgresClient) throws -> (product: ProductState, inCart: Int)? {
        try db.query(
            """
            SELECT p.stock_quantity, \(StockStore.onSale) AS is_active,
                   coalesce((SELECT ci.quantity FROM cart_items ci WHERE ci.cart_id = \(bind: cartId) AND ci.product_id = p.id), 0) AS in_cart
            FROM products p WHERE p.id = \(bind: id)
            """
        ).first.map {
            (ProductState(stockQuantity: try $0.decode("stock_quantity"), isActive: try $0.decode("is_active")), try $0.decode("in_cart"))
        }
    }

    /// A line of the user's cart and its product's state; nil when the line is not theirs.
    static func line(_ id: String, cartId: String, on db: PostgresClient) throws -> (productId: String, product: ProductState)? {
        guard
            let row = try db.query(
                """
                SELECT ci.product_id, p.stock_quantity, \(StockStore.onSale) AS is_active FROM cart_items ci JOIN products p ON p.id = ci.product_id
                WHERE ci.id = \(bind: id) AND ci.cart_id = \(bind: cartId)
                """
            ).first
        else { return nil }
        return (try row.decode("product_id"), ProductState(stockQuantity: try row.decode("stock_quantity"), isActive: try row.decode("is_active")))
    }

    static func setQuantity(cartId: String, productId: String, quantity: Int, on db: PostgresClient) throws {
        try db.query(
            """
            INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (\(bind: cartId), \(bind: productId), \(bind: quantity))
            ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now()
            """)
    }

    static func deleteLine(_ id: String, cartId: String, on db: PostgresClient) throws -> Bool {
        try db.query("DELETE FROM cart_items WHERE id = \(bind: id) AND cart_id = \(bind: cartId)").affectedRows == 1
    }

    static func empty(cartId: String, on db: PostgresClient) throws {
        try db.query(emptying(cartId: cartId))
    }

    /// The statements emptying a cart, for checkout's `WITH` (which empties it in the order's
    /// own statement). The coupon goes with the lines: it was redeemed by the order.
    public static func emptying(cartId: String) -> PostgresQuery { "DELETE FROM cart_items WHERE cart_id = \(bind: cartId)" }
    public static func checkedOut(cartId: String) -> PostgresQuery {
        "UPDATE carts SET updated_at = now(), coupon_id = NULL WHERE id = \(bind: cartId)"
    }
}
