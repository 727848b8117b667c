import HTTP
import Postgres

/// All SQL of `refunds`, and the `refunded_total` and `payment_status` columns of `orders` they
/// move. Lock order, as everywhere: the order, then its refunds. Every amount is reserved
/// under the order's row lock before Stripe is asked, so concurrent refunds of one order take
/// turns and the last one that would pass the total is refused (the table's CHECK agrees).
public enum RefundStore {
    /// An order as a refund needs it, locked for the transaction.
    public struct RefundableOrder: Sendable {
        public let id: String
        public let status: OrderStatus
        public let paymentStatus: PaymentStatus
        public let total: Cents
        public let refundedTotal: Cents
        public let paymentIntentId: String?

        public var remaining: Cents { Cents(total.value - refundedTotal.value) }
    }

    public static func lockOrder(_ id: String, on db: PostgresClient) throws -> RefundableOrder? {
        try db.query(
            """
            SELECT id, status, payment_status, total::text AS total, refunded_total::text AS refunded_total, payment_intent_id
            FROM orders WHERE id = \(bind: id) FOR UPDATE
            """
        ).first.map {
            RefundableOrder(
                id: try $0.decode("id"), status: try $0.decode("status"), paymentStatus: try $0.decode("payment_status"),
                total: try $0.decode("total"), refundedTotal: try $0.decode("refunded_total"), paymentIntentId: try $0.decode("payment_intent_id"))
        }
    }

    /// A pending refund of `amount` and its reservation on the locked order, in one statement;
    /// nil when the amount no longer fits (nothing written).
    public static func reserve(
        id: String? = nil, orderId: String, amount: Cents, reason: String?, idempotencyKey: String, on db: PostgresClient
    ) throws -> RefundRecord? {
        try db.query(
            """
            WITH reserved AS (
                UPDATE orders SET refunded_total = refunded_total + \(bind: amount)::numeric, updated_at = now()
                WHERE id = \(bind: orderId) AND refunded_total + \(bind: amount)::numeric <= total RETURNING id
            ), r AS (
                INSERT INTO refunds (id, order_id, amount, reason, stripe_idempotency_key)
                SELECT coalesce(\(bind: id)::uuid, gen_random_uuid()), id, \(bind: amount)::numeric, \(bind: reason), \(bind: idempotencyKey)
                FROM reserved
                RETURNING *
            )
            SELECT \(RefundRecord.columns) FROM r
            """
        ).first.map(RefundRecord.init(row:))
    }

    public static func find(idempotencyKey: String, on db: PostgresClient) throws -> RefundRecord? {
        try db.query("SELECT \(RefundRecord.columns) FROM refunds r WHERE r.stripe_idempotency_key = \(bind: idempotencyKey)").first
            .map(RefundRecord.init(row:))
    }

    public static func find(_ id: String, on db: PostgresClient) throws -> RefundRecord? {
        try db.query("SELECT \(RefundRecord.columns) FROM refunds r WHERE r.id = \(bind: id)", idempotent: true).first.map(RefundRecord.init(row:))
    }

    /// The orders' refunds, oldest first, by order.
    static func refunds(ofOrders ids: [String], on db: PostgresClient) throws -> [String: [RefundRecord]] {
        guard !ids.isEmpty else { return [:] }
        var byOrder: [String: [RefundRecord]] = [:]
        let rows = try db.query(
            """
            SELECT \(RefundRecord.columns) FROM refunds r WHERE r.order_id = ANY(\(bind: SQLFragment.array(ids))::uuid[])
            ORDER BY r.order_id, r.created_at, r.id
            """, idempotent: true)
        for row in rows.rows {
            let refund = try RefundRecord(row: row)
            byOrder[refund.orderId, default: []].append(refund)
        }
        return byOrder
    }

    /// Stripe took the refund: its id is kept (the refund stays pending until charge.refunded).
    public static func recordSent(_ id: String, stripeRefundId: String, on db: PostgresClient) throws {
        try db.query(
            """
            UPDATE refunds SET stripe_refund_id = \(bind: stripeRefundId), last_error = NULL, updated_at = now()
            WHERE id = \(bind: id) AND stripe_refund_id IS NULL
            """, idempotent: true)
    }

    /// Stripe has not answered: kept pending; touching `updated_at` spaces the jobs' retries.
    public static func recordUnsent(_ id: String, error: String, on db: PostgresClient) throws {
        try db.query(
            "UPDATE refunds SET last_error = \(bind: String(error.unicodeScalars.prefix(500))), updated_at = now() WHERE id = \(bind: id)",
            idempotent: true)
    }

    /// Stripe refused or failed the refund: its amount is given back to the order, once.
    public static func markFailed(_ id: String, error: String, on db: PostgresClient) throws {
        try db.query(
            """
            WITH failed AS (
                UPDATE refunds SET status = 'failed', last_error = \(bind: String(error.unicodeScalars.prefix(500))), updated_at = now()
                WHERE id = \(bind: id) AND status = 'pending' RETURNING order_id, amount
            )
            UPDATE orders o SET refunded_total = o.refunded_total - failed.amount, updated_at = now() FROM failed WHERE o.id = failed.order_id
            """)
    }

    /// Marks the order's pending refunds Stripe names as succeeded (by Stripe's id, or by the
    /// `refund_id` metadata they were created with, should the answer's id not be stored yet),
    /// then sets the order's payment status from what succeeded: REFUNDED once it covers the
    /// total, PARTIALLY_REFUNDED before. The refunds that moved now; the order must be locked.
    public static func confirm(
        orderId: String, stripeRefunds: [(stripeId: String, refundId: String?)], on db: PostgresClient
    ) throws -> (confirmed: [RefundRecord], paymentStatus: PaymentStatus?) {
        let confirmed = try db.query(
            """
            WITH r AS (
                UPDATE refunds SET status = 'succeeded', stripe_refund_id = coalesce(stripe_refund_id, s.stripe_id), updated_at = now()
                FROM unnest(\(bind: SQLFragment.array(stripeRefunds.map(\.stripeId)))::text[],
                            \(bind: SQLFragment.array(stripeRefunds.map { $0.refundId ?? "" }))::text[]) AS s(stripe_id, refund_id)
                WHERE refunds.order_id = \(bind: orderId) AND refunds.status = 'pending'
                  AND (refunds.stripe_refund_id = s.stripe_id OR (refunds.stripe_refund_id IS NULL AND refunds.id::text = s.refund_id))
                RETURNING refunds.*
            )
            SELECT \(RefundRecord.columns) FROM r ORDER BY r.created_at, r.id
            """
        ).map(RefundRecord.init(row:))
        guard !confirmed.isEmpty else { return ([], nil) }
        let status = try db.query(
            """
            UPDATE orders o SET payment_status = CASE WHEN s.succeeded >= o.total THEN 'REFUNDED' ELSE 'PARTIALLY_REFUNDED' END, updated_at = now()
            FROM (SELECT coalesce(sum(amount), 0) AS succeeded FROM refunds WHERE order_id = \(bind: orderId) AND status = 'succeeded') AS s
            WHERE o.id = \(bind: orderId) RETURNING o.payment_status
            """
        ).single().decode("payment_status", as: PaymentStatus.self)
        return (confirmed, status)
    }

    /// Pending refunds Stripe never answered, untouched for `idleSeconds`, oldest first.
    public static func unsent(idleSeconds: Int, limit: Int, on db: PostgresClient) throws -> [RefundRecord] {
        try db.query(
            """
            SELECT \(RefundRecord.columns) FROM refunds r
            WHERE r.status = 'pending' AND r.stripe_refund_id IS NULL AND r.updated_at < now() - make_interval(secs => \(bind: idleSeconds))
            ORDER BY r.updated_at LIMIT \(bind: limit)
            """
        ).map(RefundRecord.init(row:))
    }
}
