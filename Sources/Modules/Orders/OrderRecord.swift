import HTTP
import Postgres
import Users

/// An order as stored, with its items (API.md §6).
public struct OrderRecord: Sendable {
    public struct Item: Sendable {
        public let id: String
        public let productId: String
        public let name: String
        public let sku: String
        public let unitPrice: Cents
        public let quantity: Int
        public let lineTotal: Cents

        var json: JSONValue {
            .object([
                "id": .string(id), "productId": .string(productId), "name": .string(name), "sku": .string(sku),
                "unitPrice": .string(unitPrice.description), "quantity": .int(quantity), "lineTotal": .string(lineTotal.description),
            ])
        }
    }

    public let id: String
    public let orderNumber: String
    public let userId: String
    public let status: OrderStatus
    public let paymentStatus: PaymentStatus
    public let totals: OrderTotals
    public let couponCode: String?
    public let currency: String
    public let shippingAddress: PostalAddress
    public let billingAddress: PostalAddress
    public private(set) var paymentIntentId: String?
    public private(set) var clientSecret: String?
    public let paidAt: String?
    public let cancelledAt: String?
    public let createdAt: String
    public let updatedAt: String
    public internal(set) var items: [Item] = []
    /// What the refunds hold, pending or succeeded (API.md §12.4).
    public let refundedTotal: Cents
    public internal(set) var refunds: [RefundRecord] = []

    static let columns: PostgresQuery = """
        o.id, o.order_number, o.user_id, o.status, o.payment_status, o.subtotal::text AS subtotal, o.discount::text AS discount, o.coupon_code, o.tax::text AS tax,
        o.shipping::text AS shipping, o.refunded_total::text AS refunded_total, o.currency, o.shipping_address::text AS shipping_address,
        o.billing_address::text AS billing_address, o.payment_intent_id, o.client_secret,
        \(SQLFragment.isoTimestamp("o.paid_at")) AS paid_at, \(SQLFragment.isoTimestamp("o.cancelled_at")) AS cancelled_at,
        \(SQLFragment.isoTimestamp("o.created_at")) AS created_at, \(SQLFragment.isoTimestamp("o.updated_at")) AS updated_at
        """

    static let itemColumns: PostgresQuery = "id, order_id, product_id, product_name, product_sku, unit_price::text AS unit_price, quantity, line_total::text AS line_total"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        orderNumber = try row.decode("order_number")
        userId = try row.decode("user_id")
        status = try row.decode("status")
        paymentStatus = try row.decode("payment_status")
        totals = OrderTotals(
            subtotal: try row.decode("subtotal"), discount: try row.decode("discount"), tax: try row.decode("tax"), shipping: try row.decode("shipping"))
        couponCode = try row.decode("coupon_code")
        refundedTotal = try row.decode("refunded_total")
        currency = try row.decode("currency")
        shippingAddress = try Self.address(row, "shipping_address")
        billingAddress = try Self.address(row, "billing_address")
        paymentIntentId = try row.decode("payment_intent_id")
        clientSecret = try row.decode("client_secret")
        paidAt = try row.decode("paid_at")
        cancelledAt = try row.decode("cancelled_at")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }

    /// The order checkout just placed, from what it wrote: nothing is read back.
    init(_ placed: OrderStore.Placed, _ order: OrderStore.NewOrder) {
        id = placed.id
        orderNumber = placed.orderNumber
        userId = order.userId
        status = placed.status
        paymentStatus = placed.paymentStatus
        totals = order.totals
        couponCode = order.couponCode
        refundedTotal = .zero
        currency = order.currency
        shippingAddress = order.shippingAddress
        billingAddress = order.billingAddress
        paidAt = nil
        cancelledAt = nil
        createdAt = placed.createdAt
        updatedAt = placed.updatedAt
        items = zip(placed.itemIds, order.lines).map { id, line in
            Item(
                id: id, productId: line.productId, name: line.name, sku: line.sku, unitPrice: line.unitPrice, quantity: line.quantity,
                lineTotal: line.lineTotal)
        }
    }

    static func item(row: PostgresRow) throws -> Item {
        Item(
            id: try row.decode("id"), productId: try row.decode("product_id"), name: try row.decode("product_name"),
            sku: try row.decode("product_sku"), unitPrice: try row.decode("unit_price"), quantity: try row.decode("quantity"),
            lineTotal: try row.decode("line_total"))
    }

    /// jsonb comes back with its keys reordered; the copy is rebuilt in the contract's order.
    private static func address(_ row: PostgresRow, _ column: String) throws -> PostalAddress {
        guard let address = PostalAddress(json: try row.decode(column, as: JSONValue.self)) else {
            throw PostgresDecodingError(column: column, type: "PostalAddress", problem: .invalidText)
        }
        return address
    }

    /// The order as it is once `payment` is stored on it.
    func with(_ payment: OrderPayment) -> OrderRecord {
        var order = self
        order.paymentIntentId = payment.paymentIntentId
        order.clientSecret = payment.clientSecret
        return order
    }

    /// An order stays payable until it is paid or cancelled.
    public var isUnpaid: Bool { status == .pending && paymentStatus != .succeeded }
}

/// An order as one viewer sees it: the client secret is the owner's, and only while the
/// order is unpaid.
public struct OrderView: JSONRepresentable {
    public let order: OrderRecord
    public let viewerId: String

    public init(_ order: OrderRecord, viewerId: String) {
        self.order = order
        self.viewerId = viewerId
    }

    public var json: JSONValue {
        let payment: JSONValue =
            order.paymentIntentId.map { intent in
                let secret = order.userId == viewerId && order.isUnpaid ? order.clientSecret : nil
                return .object(["paymentIntentId": .string(intent), "clientSecret": secret.map(JSONValue.string) ?? .null])
            } ?? .null
        return .object([
            "id": .string(order.id), "orderNumber": .string(order.orderNumber), "status": .string(order.status.rawValue),
            "paymentStatus": .string(order.paymentStatus.rawValue), "items": .array(order.items.map(\.json)),
            "subtotal": .string(order.totals.subtotal.description), "couponCode": order.couponCode.map(JSONValue.string) ?? .null,
            "discount": .string(order.totals.discount.description), "tax": .string(order.totals.tax.description),
            "shipping": .string(order.totals.shipping.description), "total": .string(order.totals.total.description),
            "currency": .string(order.currency), "shippingAddress": order.shippingAddress.json, "billingAddress": order.billingAddress.json,
            "paidAt": order.paidAt.map(JSONValue.string) ?? .null, "cancelledAt": order.cancelledAt.map(JSONValue.string) ?? .null,
            "createdAt": .string(order.createdAt), "updatedAt": .string(order.updatedAt), "payment": payment,
            "refunds": .array(order.refunds.map(\.json)), "refundedTotal": .string(order.refundedTotal.description),
        ])
    }
}
