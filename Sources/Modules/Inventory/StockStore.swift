import Postgres

/// All SQL on `products.stock_quantity`: how much there is, and every change of it, each
/// returning the quantities around the change so writers can publish them (`StockWrite`).
public enum StockStore {
    static func quantities(_ ids: [String], on db: PostgresClient) throws -> [String: Int] {
        guard !ids.isEmpty else { return [:] }
        var out: [String: Int] = [:]
        for row in try db.query(
            """
            SELECT id, stock_quantity FROM products WHERE id = ANY(\(bind: SQLFragment.array(ids))::uuid[])
            """, idempotent: true
        ).rows {
            out[try row.decode("id")] = try row.decode("stock_quantity")
        }
        return out
    }

    /// Whether product `p` may be sold: it is active and so is its category (the catalog's
    /// own rule for what it shows). A product in an inactive category is neither shown, nor
    /// added to a cart, nor bought.
    public static let onSale: PostgresQuery = """
        (p.is_active AND NOT EXISTS (SELECT 1 FROM categories oc WHERE oc.id = p.category_id AND NOT oc.is_active))
        """

    /// Reads `columns` from `source` (a FROM clause that names the products `p`, with its
    /// WHERE) locking those products in id order: the one order every stock writer takes
    /// product locks in, so concurrent checkouts, cancels and expiries cannot deadlock. The rows
    /// are read as they are once locked, which is what makes a stock check exact.
    /// `FOR NO KEY UPDATE`, the lock an UPDATE of the stock takes anyway: two stock writers still
    /// queue on it, but a cart add or an order line naming the product (their foreign keys take
    /// `KEY SHARE` on it) does not wait for a checkout holding it, nor a checkout for them.
    public static func lockingProducts(_ columns: PostgresQuery, from source: PostgresQuery) -> PostgresQuery {
        "SELECT \(columns) FROM \(source) ORDER BY p.id FOR NO KEY UPDATE OF p"
    }

    /// An UPDATE taking quantities out of stock, for a statement that locked the products
    /// already (checkout's `WITH`): it returns `id`, `before`, `after` per product. One
    /// quantity per product.
    public static func taking(_ quantities: [(productId: String, quantity: Int)]) -> PostgresQuery {
        """
        UPDATE products p SET stock_quantity = p.stock_quantity - v.quantity
        FROM unnest(\(bind: SQLFragment.array(quantities.map(\.productId)))::uuid[],
                    \(bind: SQLFragment.array(quantities.map { String($0.quantity) }))::int[]) AS v(id, quantity)
        WHERE p.id = v.id
        RETURNING p.id, p.stock_quantity + v.quantity AS before, p.stock_quantity AS after
        """
    }

    /// `id:before:after,…`: the rows of `taking` in one column, as a `WITH` hands them back.
    public static let aggregate: PostgresQuery = "string_agg(id::text || ':' || before || ':' || after, ',')"

    /// The levels in an `aggregate` column (nil: no rows).
    public static func levels(aggregated text: String?, column: String) throws -> [StockLevel] {
        guard let text, !text.isEmpty else { return [] }
        return try text.split(separator: ",").map { item in
            let parts = item.split(separator: ":")
            guard parts.count == 3, let before = Int(parts[1]), let after = Int(parts[2]) else {
                throw PostgresDecodingError(column: column, type: "StockLevel", problem: .invalidText)
            }
            return StockLevel(productId: String(parts[0]), before: before, after: after)
        }
    }

    /// Puts quantities back (a cancelled order's), locking the products in id order first, as
    /// every stock writer does, so concurrent writers cannot deadlock.
    public static func restore(_ quantities: [(productId: String, quantity: Int)], on db: PostgresClient) throws -> [StockLevel] {
        guard !quantities.isEmpty else { return [] }
        var total: [String: Int] = [:]
        for item in quantities { total[item.productId, default: 0] += item.quantity }
        let ids = total.keys.sorted()
        try db.query(lockingProducts("p.id", from: "products p WHERE p.id = ANY(\(bind: SQLFragment.array(ids))::uuid[])"))
        return try db.query(
            """
            UPDATE products p SET stock_quantity = p.stock_quantity + v.quantity
            FROM unnest(\(bind: SQLFragment.array(ids))::uuid[], \(bind: SQLFragment.array(ids.map { String(total[$0] ?? 0) }))::int[]) AS v(id, quantity)
            WHERE p.id = v.id
            RETURNING p.id, p.stock_quantity - v.quantity AS before, p.stock_quantity AS after
            """
        ).map { StockLevel(productId: try $0.decode("id"), before: try $0.decode("before"), after: try $0.decode("after")) }
    }
}
