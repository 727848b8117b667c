import Cart
import HTTP
import Postgres
import Users

/// All SQL on `orders` and `order_items`. Lock order, everywhere: cart, then order, then
/// products by id, so checkouts, cancels and expiry never wait on each other in a circle.
enum OrderStore {
    struct NewOrder {
        let userId: String
        let totals: OrderTotals
        let currency: String
        let shippingAddress: PostalAddress
        let billingAddress: PostalAddress
        let lines: [CartLine]
    }

    /// Writes the order and its item snapshots; the new order's id.
    static func insert(_ order: NewOrder, on db: PostgresClient) throws -> String {
        let totals = order.totals
        let id = try db.query("""
            INSERT INTO orders (order_number, user_id, subtotal, tax, shipping, total, currency, shipping_address, billing_address)
            VALUES ('ORD-' || nextval('order_number_seq'), \(bind: order.userId), \(bind: totals.subtotal)::numeric, \(bind: totals.tax)::numeric,
                    \(bind: totals.shipping)::numeric, \(bind: totals.total)::numeric, \(bind: order.currency),
                    \(bind: text(order.shippingAddress.json))::jsonb, \(bind: text(order.billingAddress.json))::jsonb)
            RETURNING id
            """).single().decode("id", as: String.self)
        let lines = order.lines
        try db.query("""
            INSERT INTO order_items (order_id, product_id, product_name, product_sku, unit_price, quantity, line_total, product_snapshot, position)
            SELECT \(bind: id), v.product_id, v.name, v.sku, v.unit_price, v.quantity, v.line_total, v.snapshot, v.position - 1
            FROM unnest(\(bind: SQLFragment.array(lines.map(\.productId)))::uuid[], \(bind: SQLFragment.array(lines.map(\.name)))::text[],
                        \(bind: SQLFragment.array(lines.map(\.sku)))::text[], \(bind: SQLFragment.array(lines.map(\.unitPrice.description)))::numeric[],
                        \(bind: SQLFragment.array(lines.map { String($0.quantity) }))::int[],
                        \(bind: SQLFragment.array(lines.map(\.lineTotal.description)))::numeric[],
                        \(bind: SQLFragment.array(lines.map { text(snapshot($0)) }))::jsonb[])
                 WITH ORDINALITY AS v(product_id, name, sku, unit_price, quantity, line_total, snapshot, position)
            """)
        return id
    }

    /// The product as the customer saw it at checkout, kept beside the item's own columns.
    private static func snapshot(_ line: CartLine) -> JSONValue {
        .object([
            "productId": .string(line.productId), "name": .string(line.name), "slug": .string(line.slug), "sku": .string(line.sku),
            "unitPrice": .string(line.unitPrice.description), "image": line.imagePath.map { .string("/uploads/" + $0) } ?? .null,
        ])
    }

    /// Takes the lines' quantities out of stock; the products are already locked in id order.
    static func reserveStock(_ lines: [CartLine], on db: PostgresClient) throws {
        try db.query("""
            UPDATE products p SET stock_quantity = p.stock_quantity - v.quantity
            FROM unnest(\(bind: SQLFragment.array(lines.map(\.productId)))::uuid[], \(bind: SQLFragment.array(lines.map { String($0.quantity) }))::int[])
                 AS v(id, quantity)
            WHERE p.id = v.id
            """)
    }

    /// Puts an order's quantities back, locking its products in id order first.
    static func restoreStock(orderId: String, on db: PostgresClient) throws {
        try db.query("""
            SELECT p.id FROM products p WHERE p.id IN (SELECT product_id FROM order_items WHERE order_id = \(bind: orderId))
            ORDER BY p.id FOR UPDATE OF p
            """)
        try db.query("""
            UPDATE products p SET stock_quantity = p.stock_quantity + v.quantity
            FROM (SELECT product_id, sum(quantity)::int AS quantity FROM order_items WHERE order_id = \(bind: orderId) GROUP BY product_id) v
            WHERE p.id = v.product_id
            """)
    }

    /// One of the user's addresses as an order copies it; nil when it is not theirs.
    static func address(id: String, userId: String, on db: PostgresClient) throws -> PostalAddress? {
        try db.query("""
            SELECT first_name, last_name, address_line1, address_line2, city, state, postal_code, country, phone
            FROM addresses WHERE id = \(bind: id) AND user_id = \(bind: userId)
            """).first.map { row in
            PostalAddress(firstName: try row.decode("first_name"), lastName: try row.decode("last_name"), addressLine1: try row.decode("address_line1"),
                          addressLine2: try row.decode("address_line2"), city: try row.decode("city"), state: try row.decode("state"),
                          postalCode: try row.decode("postal_code"), country: try row.decode("country"), phone: try row.decode("phone"))
        }
    }

    /// `o.user_id` is `ownerId`'s, or any when `ownerId` is nil (an admin).
    private static func owned(by ownerId: String?) -> PostgresQuery {
        "(\(bind: ownerId)::uuid IS NULL OR o.user_id = \(bind: ownerId)::uuid)"
    }

    /// The order with its items; with `ownerId`, only when it is that user's.
    static func find(_ id: String, ownerId: String? = nil, on db: PostgresClient) throws -> OrderRecord? {
        guard let row = try db.query("SELECT \(OrderRecord.columns) FROM orders o WHERE o.id = \(bind: id) AND \(owned(by: ownerId))",
                                     idempotent: true).first else { return nil }
        var orders = [try OrderRecord(row: row)]
        try attachItems(&orders, on: db)
        return orders[0]
    }

    struct ListQuery {
        var userId: String?
        var status: OrderStatus?
        var sort: SortOrder
        var page: Int
        var limit: Int
    }

    /// Sort fields and their columns: a fixed table, so no request text becomes SQL.
    static let sortColumns: [String: PostgresQuery] = ["createdAt": "o.created_at", "total": "o.total"]

    static func list(_ query: ListQuery, on db: PostgresClient) throws -> (orders: [OrderRecord], total: Int) {
        let filter: PostgresQuery = """
            WHERE \(owned(by: query.userId)) AND (\(bind: query.status?.rawValue)::text IS NULL OR o.status = \(bind: query.status?.rawValue))
            """
        let total = try db.query("SELECT count(*) AS total FROM orders o \(filter)", idempotent: true).single().decode("total", as: Int.self)
        let column = sortColumns[query.sort.field] ?? "o.created_at"
        let direction: PostgresQuery = query.sort.descending ? "DESC" : "ASC"
        var orders = try db.query("""
            SELECT \(OrderRecord.columns) FROM orders o \(filter) ORDER BY \(column) \(direction), o.id \(direction)
            LIMIT \(bind: query.limit) OFFSET \(bind: (query.page - 1) * query.limit)
            """, idempotent: true).map(OrderRecord.init(row:))
        try attachItems(&orders, on: db)
        return (orders, total)
    }

    private static func attachItems(_ orders: inout [OrderRecord], on db: PostgresClient) throws {
        guard !orders.isEmpty else { return }
        let rows = try db.query("""
            SELECT \(OrderRecord.itemColumns) FROM order_items WHERE order_id = ANY(\(bind: SQLFragment.array(orders.map(\.id)))::uuid[])
            ORDER BY order_id, position
            """, idempotent: true)
        var byOrder: [String: [OrderRecord.Item]] = [:]
        for row in rows.rows { byOrder[try row.decode("order_id"), default: []].append(try OrderRecord.item(row: row)) }
        for index in orders.indices { orders[index].items = byOrder[orders[index].id] ?? [] }
    }

    /// Moves the order to `target` only from one of `from`, locking it: of two concurrent moves
    /// only one finds the status it expects. The status it had; nil when no move happened.
    static func transition(_ id: String, ownerId: String?, from: [OrderStatus], to target: OrderStatus, on db: PostgresClient) throws -> OrderStatus? {
        let stamp: PostgresQuery = target == .cancelled ? ", cancelled_at = now()" : ""
        return try db.query("""
            WITH target AS (SELECT id, status AS previous FROM orders o WHERE o.id = \(bind: id) AND \(owned(by: ownerId)) FOR UPDATE)
            UPDATE orders o SET status = \(bind: target.rawValue), updated_at = now()\(stamp)
            FROM target WHERE o.id = target.id AND target.previous = ANY(\(bind: SQLFragment.array(from.map(\.rawValue)))::text[])
            RETURNING target.previous
            """).first?.decode("previous", as: OrderStatus.self)
    }

    /// The status an order has now; nil when it does not exist (or is not `ownerId`'s).
    static func status(_ id: String, ownerId: String?, on db: PostgresClient) throws -> OrderStatus? {
        try db.query("SELECT status FROM orders o WHERE o.id = \(bind: id) AND \(owned(by: ownerId))").first?.decode("status", as: OrderStatus.self)
    }

    /// The user's orders still waiting for payment.
    static func pendingCount(userId: String, on db: PostgresClient) throws -> Int {
        try db.query("SELECT count(*) AS n FROM orders WHERE user_id = \(bind: userId) AND status = 'PENDING'").single().decode("n", as: Int.self)
    }

    /// Orders still unpaid after `seconds`, oldest first. Several jobs processes may pick the
    /// same one: the guarded transition lets exactly one of them cancel it.
    static func overdue(olderThan seconds: Int, limit: Int, on db: PostgresClient) throws -> [String] {
        try db.query("""
            SELECT id FROM orders WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => \(bind: seconds))
            ORDER BY created_at LIMIT \(bind: limit)
            """).map { try $0.decode("id", as: String.self) }
    }

    /// Who an order's emails go to.
    static func customer(of orderId: String, on db: PostgresClient) throws -> (email: String, firstName: String) {
        let row = try db.query("SELECT u.email, u.first_name FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = \(bind: orderId)").single()
        return (try row.decode("email"), try row.decode("first_name"))
    }

    static func text(_ json: JSONValue) -> String { String(decoding: JSONWriter.encode(json), as: UTF8.self) }
}
