import Postgres

/// All SQL of the cart. Every statement that touches a line is scoped by the cart's owner,
/// so another user's line is simply not found.
public enum CartStore {
    static let headerColumns: PostgresQuery = "c.id AS cart_id, \(SQLFragment.isoTimestamp("c.updated_at")) AS cart_updated_at"

    /// The whole cart in one round trip; nil when the user has none yet.
    static func view(userId: String, currency: String, on db: PostgresClient) throws -> CartView? {
        let result = try db.query("""
            SELECT \(headerColumns), \(CartLine.columns)
            FROM carts c LEFT JOIN cart_items ci ON ci.cart_id = c.id LEFT JOIN products p ON p.id = ci.product_id
            WHERE c.user_id = \(bind: userId) ORDER BY ci.created_at, ci.id
            """, idempotent: true)
        guard let first = result.first else { return nil }
        let lines = try result.rows.filter { !$0.isNull("line_id") }.map(CartLine.init(row:))
        return CartView(id: try first.decode("cart_id"), lines: lines, updatedAt: try first.decode("cart_updated_at"), currency: currency)
    }

    /// The user's cart, made on first use, and locked for the rest of the transaction so that
    /// one user's cart changes (and checkouts) happen one at a time.
    public static func lockCart(userId: String, on db: PostgresClient) throws -> String {
        try db.query("INSERT INTO carts (user_id) VALUES (\(bind: userId)) ON CONFLICT (user_id) DO NOTHING")
        return try db.query("SELECT id FROM carts WHERE user_id = \(bind: userId) FOR UPDATE").single().decode("id", as: String.self)
    }

    /// The cart's lines with their products, locked products first in id order (the order
    /// every stock writer takes them in, so concurrent checkouts cannot deadlock).
    public static func lines(cartId: String, lockingProducts: Bool, on db: PostgresClient) throws -> [CartLine] {
        if lockingProducts {
            try db.query("""
                SELECT p.id FROM products p WHERE p.id IN (SELECT product_id FROM cart_items WHERE cart_id = \(bind: cartId))
                ORDER BY p.id FOR UPDATE OF p
                """)
        }
        return try db.query("""
            SELECT \(CartLine.columns) FROM cart_items ci JOIN products p ON p.id = ci.product_id
            WHERE ci.cart_id = \(bind: cartId) ORDER BY ci.created_at, ci.id
            """).map(CartLine.init(row:))
    }

    struct ProductState {
        let stockQuantity: Int
        let isActive: Bool
    }

    static func product(_ id: String, on db: PostgresClient) throws -> ProductState? {
        try db.query("SELECT stock_quantity, is_active FROM products WHERE id = \(bind: id)").first.map {
            ProductState(stockQuantity: try $0.decode("stock_quantity"), isActive: try $0.decode("is_active"))
        }
    }

    static func quantity(cartId: String, productId: String, on db: PostgresClient) throws -> Int {
        try db.query("SELECT quantity FROM cart_items WHERE cart_id = \(bind: cartId) AND product_id = \(bind: productId)").first?.decode("quantity", as: Int.self) ?? 0
    }

    /// A line of the user's cart and its product's state; nil when the line is not theirs.
    static func line(_ id: String, cartId: String, on db: PostgresClient) throws -> (productId: String, product: ProductState)? {
        guard let row = try db.query("""
            SELECT ci.product_id, p.stock_quantity, p.is_active FROM cart_items ci JOIN products p ON p.id = ci.product_id
            WHERE ci.id = \(bind: id) AND ci.cart_id = \(bind: cartId)
            """).first else { return nil }
        return (try row.decode("product_id"), ProductState(stockQuantity: try row.decode("stock_quantity"), isActive: try row.decode("is_active")))
    }

    static func setQuantity(cartId: String, productId: String, quantity: Int, on db: PostgresClient) throws {
        try db.query("""
            INSERT INTO cart_items (cart_id, product_id, quantity) VALUES (\(bind: cartId), \(bind: productId), \(bind: quantity))
            ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now()
            """)
    }

    static func deleteLine(_ id: String, cartId: String, on db: PostgresClient) throws -> Bool {
        try db.query("DELETE FROM cart_items WHERE id = \(bind: id) AND cart_id = \(bind: cartId)").affectedRows == 1
    }

    /// Empties the cart (checkout calls it inside the order's transaction).
    public static func empty(cartId: String, on db: PostgresClient) throws {
        try db.query("DELETE FROM cart_items WHERE cart_id = \(bind: cartId)")
        try touch(cartId: cartId, on: db)
    }

    static func touch(cartId: String, on db: PostgresClient) throws {
        try db.query("UPDATE carts SET updated_at = now() WHERE id = \(bind: cartId)")
    }
}
