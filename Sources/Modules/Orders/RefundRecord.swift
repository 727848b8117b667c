import HTTP
import Postgres

/// One refund of an order (API.md §12.4).
public struct RefundRecord: JSONRepresentable, Sendable {
    public enum Status: String, Sendable {
        case pending
        case succeeded
        case failed
    }

    public let id: String
    public let orderId: String
    public let amount: Cents
    public let reason: String?
    public let status: Status
    public let stripeRefundId: String?
    /// What every try of this refund sends Stripe as its Idempotency-Key.
    public let stripeIdempotencyKey: String
    public let createdAt: String

    static let columns: PostgresQuery = """
        r.id, r.order_id, r.amount::text AS amount, r.reason, r.status, r.stripe_refund_id, r.stripe_idempotency_key,
        \(SQLFragment.isoTimestamp("r.created_at")) AS created_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        orderId = try row.decode("order_id")
        amount = try row.decode("amount")
        reason = try row.decode("reason")
        let status = try row.decode("status", as: String.self)
        guard let known = Status(rawValue: status) else { throw PostgresDecodingError(column: "status", type: "RefundRecord.Status", problem: .invalidText) }
        self.status = known
        stripeRefundId = try row.decode("stripe_refund_id")
        stripeIdempotencyKey = try row.decode("stripe_idempotency_key")
        createdAt = try row.decode("created_at")
    }

    public var json: JSONValue {
        .object([
            "id": .string(id), "amount": .string(amount.description), "reason": reason.map(JSONValue.string) ?? .null,
            "status": .string(status.rawValue), "stripeRefundId": stripeRefundId.map(JSONValue.string) ?? .null, "createdAt": .string(createdAt),
        ])
    }
}
