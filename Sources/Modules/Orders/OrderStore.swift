import Cart
import Coupons
import HTTP
import Inventory
import Postgres
import Users

/// All SQL on `orders` and `order_items`. Lock order, everywhere: cart, then order, then
/// products by id, so checkouts, cancels and expiry never wait on each other in a circle.
public enum OrderStore {
    struct NewOrder {
        let userId: String
        let totals: OrderTotals
        let currency: String
        let shippingAddress: PostalAddress
        let billingAddress: PostalAddress
        let lines: [CartLine]
        /// The coupon redeemed for it (the redemption counted already) and its terms.
        let coupon: (id: String, terms: CouponTerms)?
        var couponCode: String? { coupon?.terms.code }
    }

    /// What placing an order wrote that its caller did not already know.
    struct Placed {
        let id: String
        let orderNumber: String
        let status: OrderStatus
        let paymentStatus: PaymentStatus
        let createdAt: String
        let updatedAt: String
        /// The items' ids, in the lines' order.
        let itemIds: [String]
        let stock: [StockLevel]
    }

    /// Checkout's writes in one statement: the order, its item snapshots, the stock taken, the
    /// cart emptied. The products must be locked already (`CartStore.lockForCheckout`).
    static func place(_ order: NewOrder, cartId: String, on db: PostgresClient) throws -> Placed {
        let totals = order.totals
        let lines = order.lines
        let row = try db.query(
            """
            WITH new_order AS (
                INSERT INTO orders (order_number, user_id, subtotal, discount, coupon_code, tax, shipping, total, currency, shipping_address, billing_address)
                VALUES ('ORD-' || nextval('order_number_seq'), \(bind: order.userId), \(bind: totals.subtotal)::numeric,
                        \(bind: totals.discount)::numeric, \(bind: order.couponCode), \(bind: totals.tax)::numeric,
                        \(bind: totals.shipping)::numeric, \(bind: totals.total)::numeric, \(bind: order.currency),
                        \(bind: text(order.shippingAddress.json))::jsonb, \(bind: text(order.billingAddress.json))::jsonb)
                RETURNING id, order_number, status, payment_status, created_at, updated_at
            ), items AS (
                INSERT INTO order_items (order_id, product_id, product_name, product_sku, unit_price, quantity, line_total, product_snapshot, position)
                SELECT (SELECT id FROM new_order), v.product_id, v.name, v.sku, v.unit_price, v.quantity, v.line_total, v.snapshot, v.position - 1
                FROM unnest(\(bind: SQLFragment.array(lines.map(\.productId)))::uuid[], \(bind: SQLFragment.array(lines.map(\.name)))::text[],
                            \(bind: SQLFragment.array(lines.map(\.sku)))::text[], \(bind: SQLFragment.array(lines.map(\.unitPrice.description)))::numeric[],
                            \(bind: SQLFragment.array(lines.map { String($0.quantity) }))::int[],
                            \(bind: SQLFragment.array(lines.map(\.lineTotal.description)))::numeric[],
                            \(bind: SQLFragment.array(lines.map { text(snapshot($0)) }))::jsonb[])
                     WITH ORDINALITY AS v(product_id, name, sku, unit_price, quantity, line_total, snapshot, position)
                RETURNING id, position
            ), stock AS (
                \(StockStore.taking(lines.map { ($0.productId, $0.quantity) }))
            ), emptied AS (
                \(CartStore.emptying(cartId: cartId))
            ), touched AS (
                \(CartStore.checkedOut(cartId: cartId))
            )\(redemption(order))
            SELECT o.id, o.order_number, o.status, o.payment_status,
                   \(SQLFragment.isoTimestamp("o.created_at")) AS created_at, \(SQLFragment.isoTimestamp("o.updated_at")) AS updated_at,
                   (SELECT string_agg(id::text, ',' ORDER BY position) FROM items) AS item_ids,
                   (SELECT \(StockStore.aggregate) FROM stock) AS stock
            FROM new_order o
            """
        ).single()
        let itemIds = (try row.decode("item_ids", as: String?.self) ?? "").split(separator: ",").map(String.init)
        guard itemIds.count == lines.count else {
            throw PostgresDecodingError(column: "item_ids", type: "[String]", problem: .rowCount(itemIds.count))
        }
        return Placed(
            id: try row.decode("id"), orderNumber: try row.decode("order_number"), status: try row.decode("status"),
            paymentStatus: try row.decode("payment_status"), createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
            itemIds: itemIds, stock: try StockStore.levels(aggregated: try row.decode("stock"), column: "stock"))
    }

    /// The coupon's redemption row, written with the order; nothing without a coupon.
    private static func redemption(_ order: NewOrder) -> PostgresQuery {
        guard let coupon = order.coupon else { return "" }
        return ", redeemed AS (\(CouponStore.recordingRedemption(couponId: coupon.id, userId: order.userId, orderFrom: "new_order")))"
    }

    /// The product as the customer saw it at checkout, kept beside the item's own columns.
    private static func snapshot(_ line: CartLine) -> JSONValue {
        .object([
            "productId": .string(line.productId), "name": .string(line.name), "slug": .string(line.slug), "sku": .string(line.sku),
            "unitPrice": .string(line.unitPrice.description), "image": line.imagePath.map { .string("/uploads/" + $0) } ?? .null,
        ])
    }

    /// One of the user's addresses as an order copies it; nil when it is not theirs.
    static func address(id: String, userId: String, on db: PostgresClient) throws -> PostalAddress? {
        try db.query(
            """
            SELECT first_name, last_name, address_line1, address_line2, city, state, postal_code, country, phone
            FROM addresses WHERE id = \(bind: id) AND user_id = \(bind: userId)
            """
        ).first.map { row in
            PostalAddress(
                firstName: try row.decode("first_name"), lastName: try row.decode("last_name"), addressLine1: try row.decode("address_line1"),
                addressLine2: try row.decode("address_line2"), city: try row.decode("city"), state: try row.decode("state"),
                postalCode: try row.decode("postal_code"), country: try row.decode("country"), phone: try row.decode("phone"))
        }
    }

    /// `o.user_id` is `ownerId`'s, or any when `ownerId` is nil (an admin).
    static func owned(by ownerId: String?) -> PostgresQuery {
        "(\(bind: ownerId)::uuid IS NULL OR o.user_id = \(bind: ownerId)::uuid)"
    }

    /// The order with its items; with `ownerId`, only when it is that user's.
    static func find(_ id: String, ownerId: String? = nil, on db: PostgresClient) throws -> OrderRecord? {
        guard
            let row = try db.query(
                "SELECT \(OrderRecord.columns) FROM orders o WHERE o.id = \(bind: id) AND \(owned(by: ownerId))",
                idempotent: true
            ).first
        else { return nil }
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
        // The owner and the status are optional: planned for the values at hand, so an owner's
        // list uses the owner's index.
        let total = try db.query("SELECT count(*) AS total FROM orders o \(filter)", idempotent: true, planning: .perExecution).single().decode("total", as: Int.self)
        let column = sortColumns[query.sort.field] ?? "o.created_at"
        let direction: PostgresQuery = query.sort.descending ? "DESC" : "ASC"
        var orders = try db.query(
            """
            SELECT \(OrderRecord.columns) FROM orders o \(filter) ORDER BY \(column) \(direction), o.id \(direction)
            LIMIT \(bind: query.limit) OFFSET \(bind: (query.page - 1) * query.limit)
            """, idempotent: true, planning: .perExecution
        ).map(OrderRecord.init(row:))
        try attachItems(&orders, on: db)
        return (orders, total)
    }

    private static func attachItems(_ orders: inout [OrderRecord], on db: PostgresClient) throws {
        guard !orders.isEmpty else { return }
        let rows = try db.query(
            """
            SELECT \(OrderRecord.itemColumns) FROM order_items WHERE order_id = ANY(\(bind: SQLFragment.array(orders.map(\.id)))::uuid[])
            ORDER BY order_id, position
            """, idempotent: true)
        var byOrder: [String: [OrderRecord.Item]] = [:]
        for row in rows.rows { byOrder[try row.decode("order_id"), default: []].append(try OrderRecord.item(row: row)) }
        let refunds = try RefundStore.refunds(ofOrders: orders.map(\.id), on: db)
        for index in orders.indices {
            orders[index].items = byOrder[orders[index].id] ?? []
            orders[index].refunds = refunds[orders[index].id] ?? []
        }
    }

    /// Moves the order to `target` only from one of `from`, locking it: of two concurrent moves
    /// only one finds the status it expects. The status it had; nil when no move happened.
    static func transition(_ id: String, ownerId: String?, from: [OrderStatus], to target: OrderStatus, on db: PostgresClient) throws -> OrderStatus? {
        let stamp: PostgresQuery = target == .cancelled ? ", cancelled_at = now()" : ""
        return try db.query(
            """
            WITH target AS (SELECT id, status AS previous FROM orders o WHERE o.id = \(bind: id) AND \(owned(by: ownerId)) FOR UPDATE)
            UPDATE orders o SET status = \(bind: target.rawValue), updated_at = now()\(stamp)
            FROM target WHERE o.id = target.id AND target.previous = ANY(\(bind: SQLFragment.array(from.map(\.rawValue)))::text[])
            RETURNING target.previous
            """
        ).first?.decode("previous", as: OrderStatus.self)
    }

    /// The status an order has now; nil when it does not exist (or is not `ownerId`'s).
    static func status(_ id: String, ownerId: String?, on db: PostgresClient) throws -> OrderStatus? {
        try db.query("SELECT status FROM orders o WHERE o.id = \(bind: id) AND \(owned(by: ownerId))").first?.decode("status", as: OrderStatus.self)
    }

    /// How many of the user's orders wait for payment, counted up to `limit` (a scalar, for
    /// the statement that reads the cart at checkout): a partial index holds only those, and
    /// the count never walks further than the limit needs.
    static func pendingOrders(userId: String, upTo limit: Int) -> PostgresQuery {
        "SELECT count(*) FROM (SELECT 1 FROM orders WHERE user_id = \(bind: userId) AND status = 'PENDING' LIMIT \(bind: limit)) AS unpaid"
    }

    /// Orders still unpaid after `seconds`, oldest first. Several jobs processes may pick the
    /// same one: the guarded transition lets exactly one of them cancel it.
    static func overdue(olderThan seconds: Int, limit: Int, on db: PostgresClient) throws -> [String] {
        try db.query(overdueOrders(olderThan: seconds, limit: limit)).map { try $0.decode("id", as: String.self) }
    }

    /// `overdue`'s statement, found through an index: the PENDING range of `orders_status_idx`,
    /// or `orders_created_idx` in order when most orders are unpaid (`OrderPlans` in the
    /// end-to-end tests holds it to one).
    public static func overdueOrders(olderThan seconds: Int, limit: Int) -> PostgresQuery {
        """
        SELECT id FROM orders WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => \(bind: seconds))
        ORDER BY created_at LIMIT \(bind: limit)
        """
    }

    /// Who an order's emails go to.
    static func customer(of orderId: String, on db: PostgresClient) throws -> (email: String, firstName: String) {
        let row = try db.query("SELECT u.email, u.first_name FROM orders o JOIN users u ON u.id = o.user_id WHERE o.id = \(bind: orderId)").single()
        return (try row.decode("email"), try row.decode("first_name"))
    }

    static func text(_ json: JSONValue) -> String { String(decoding: JSONWriter.encode(json), as: UTF8.self) }
}
