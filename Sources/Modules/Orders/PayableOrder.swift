import HTTP
import Postgres

/// An order as payments see it: the stored order (without its items) and how many times a
/// PaymentIntent was asked for it, which names the Idempotency-Key of the next try.
public struct PayableOrder: Sendable {
    public let order: OrderRecord
    public let paymentAttempts: Int

    public var id: String { order.id }
    public var orderNumber: String { order.orderNumber }
    public var userId: String { order.userId }
    public var status: OrderStatus { order.status }
    public var paymentStatus: PaymentStatus { order.paymentStatus }
    public var total: Cents { order.totals.total }
    public var currency: String { order.currency }
    public var paymentIntentId: String? { order.paymentIntentId }
    public var clientSecret: String? { order.clientSecret }

    /// An order checkout just placed: PENDING, unpaid, no intent yet, first attempt.
    public init(placed order: OrderRecord) {
        self.order = order
        paymentAttempts = 0
    }

    init(row: PostgresRow) throws {
        order = try OrderRecord(row: row)
        paymentAttempts = try row.decode("payment_attempts", as: Int.self)
    }

    static let columns: PostgresQuery = "\(OrderRecord.columns), o.payment_attempts"
}
