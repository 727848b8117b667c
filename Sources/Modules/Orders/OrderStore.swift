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
        let id = try db.query("""
            INSERT INTO orders (order_number, user_id, subtotal, tax, shipping, total, currency, shipping_address, billing_address)
            VALUES ('ORD-' || nextval('order_number_seq'), $1, $2::numeric, $3::numeric, $4::numeric, $5::numeric, $6, $7::jsonb, $8::jsonb)
            RETURNING id
            """, [order.userId, order.totals.subtotal.description, order.totals.tax.description, order.totals.shipping.description,
                  order.totals.total.description, order.currency, text(order.shippingAddress.json), text(order.billingAddress.json)])
            .first!.string("id")!
        let lines = order.lines
        try db.query("""
            INSERT INTO order_items (order_id, product_id, product_name, product_sku, unit_price, quantity, line_total, product_snapshot, position)
            SELECT $1, v.product_id, v.name, v.sku, v.unit_price, v.quantity, v.line_total, v.snapshot, v.position - 1
            FROM unnest($2::uuid[], $3::text[], $4::text[], $5::numeric[], $6::int[], $7::numeric[], $8::jsonb[])
                 WITH ORDINALITY AS v(product_id, name, sku, unit_price, quantity, line_total, snapshot, position)
            """, [id, SQLFragment.array(lines.map(\.productId)), SQLFragment.array(lines.map(\.name)), SQLFragment.array(lines.map(\.sku)),
                  SQLFragment.array(lines.map(\.unitPrice.description)), SQLFragment.array(lines.map { String($0.quantity) }),
                  SQLFragment.array(lines.map(\.lineTotal.description)), SQLFragment.array(lines.map { text(snapshot($0)) })])
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
            FROM unnest($1::uuid[], $2::int[]) AS v(id, quantity) WHERE p.id = v.id
            """, [SQLFragment.array(lines.map(\.productId)), SQLFragment.array(lines.map { String($0.quantity) })])
    }

    /// Puts an order's quantities back, locking its products in id order first.
    static func restoreStock(orderId: String, on db: PostgresClient) throws {
        try db.query("""
            SELECT p.id FROM products p WHERE p.id IN (SELECT product_id FROM order_items WHERE order_id = $1)
            ORDER BY p.id FOR UPDATE OF p
            """, [orderId])
        try db.query("""
            UPDATE products p SET stock_quantity = p.stock_quantity + v.quantity
            FROM (SELECT product_id, sum(quantity)::int AS quantity FROM order_items WHERE order_id = $1 GROUP BY product_id) v
            WHERE p.id = v.product_id
            """, [orderId])
    }

    /// One of the user's addresses as an order copies it; nil when it is not theirs.
    static func address(id: String, userId: String, on db: PostgresClient) throws -> PostalAddress? {
        try db.query("""
            SELECT first_name, last_name, address_line1, address_line2, city, state, postal_code, country, phone
            FROM addresses WHERE id = $1 AND user_id = $2
            """, [id, userId]).first.map { row in
            PostalAddress(firstName: row.string("first_name")!, lastName: row.string("last_name")!, addressLine1: row.string("address_line1")!,
                          addressLine2: row.string("address_line2"), city: row.string("city")!, state: row.string("state")!,
                          postalCode: row.string("postal_code")!, country: row.string("country")!, phone: row.string("phone")!)
        }
    }

    /// The order with its items; with `ownerId`, only when it is that user's.
    static func find(_ id: String, ownerId: String? = nil, on db: PostgresClient) throws -> OrderRecord? {
        guard let row = try db.query("SELECT \(OrderRecord.columns) FROM orders o WHERE o.id = $1 AND ($2::uuid IS NULL OR o.user_id = $2::uuid)",
                                     [id, ownerId], idempotent: true).first else { return nil }
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

    static let sortColumns = ["createdAt": "o.created_at", "total": "o.total"]

    static func list(_ query: ListQuery, on db: PostgresClient) throws -> (orders: [OrderRecord], total: Int) {
        let filter = "WHERE ($1::uuid IS NULL OR o.user_id = $1::uuid) AND ($2::text IS NULL OR o.status = $2)"
        let parameters: [any PostgresEncodable] = [query.userId, query.status?.rawValue]
        let total = try db.query("SELECT count(*) AS total FROM orders o \(filter)", parameters, idempotent: true).first!.int("total")!
        // The column comes from a fixed table, never from the request.
        let column = sortColumns[query.sort.field] ?? "o.created_at"
        let direction = query.sort.descending ? "DESC" : "ASC"
        var orders = try db.query("""
            SELECT \(OrderRecord.columns) FROM orders o \(filter) ORDER BY \(column) \(direction), o.id \(direction) LIMIT $3 OFFSET $4
            """, parameters + [query.limit, (query.page - 1) * query.limit], idempotent: true).rows.map(OrderRecord.init(row:))
        try attachItems(&orders, on: db)
        return (orders, total)
    }

    private static func attachItems(_ orders: inout [OrderRecord], on db: PostgresClient) throws {
        guard !orders.isEmpty else { return }
        let rows = try db.query("""
            SELECT \(OrderRecord.itemColumns) FROM order_items WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position
            """, [SQLFragment.array(orders.map(\.id))], idempotent: true)
        var byOrder: [String: [OrderRecord.Item]] = [:]
        for row in rows.rows { byOrder[row.string("order_id")!, default: []].append(try OrderRecord.item(row: row)) }
        for index in orders.indices { orders[index].items = byOrder[orders[index].id] ?? [] }
    }

    /// Moves the order to `target` only from one of `from`, locking it: of two concurrent moves
    /// only one finds the status it expects. The status it had; nil when no move happened.
    static func transition(_ id: String, ownerId: String?, from: [OrderStatus], to target: OrderStatus, on db: PostgresClient) throws -> OrderStatus? {
        let stamp = target == .cancelled ? ", cancelled_at = now()" : ""
        return try db.query("""
            WITH target AS (SELECT id, status AS previous FROM orders WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid) FOR UPDATE)
            UPDATE orders o SET status = $3, updated_at = now()\(stamp)
            FROM target WHERE o.id = target.id AND target.previous = ANY($4::text[])
            RETURNING target.previous
            """, [id, ownerId, target.rawValue, SQLFragment.array(from.map(\.rawValue))]).first.map { OrderStatus(rawValue: $0.string("previous")!)! }
    }

    /// The status an order has now; nil when it does not exist (or is not `ownerId`'s).
    static func status(_ id: String, ownerId: String?, on db: PostgresClient) throws -> OrderStatus? {
        try db.query("SELECT status FROM orders WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid)", [id, ownerId])
            .first.map { OrderStatus(rawValue: $0.string("status")!)! }
    }

    /// Orders still unpaid after `seconds`, oldest first. Several jobs processes may pick the
    /// same one: the guarded transition lets exactly one of them cancel it.
    static func overdue(olderThan seconds: Int, limit: Int, on db: PostgresClient) throws -> [String] {
        try db.query("""
            SELECT id FROM orders WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => $1)
            ORDER BY created_at LIMIT $2
            """, [seconds, limit]).rows.map { $0.string("id")! }
    }

    /// Who an order's emails go to.
    static func customer(of orderId: String, on db: PostgresClient) throws -> (email: String, firstName: String) {
        let row = try db.query("SELECT u.email, u.first_name FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = $1", [orderId]).first!
        return (row.string("email")!, row.string("first_name")!)
    }

    static func text(_ json: JSONValue) -> String { String(decoding: JSONWriter.encode(json), as: UTF8.self) }
}
