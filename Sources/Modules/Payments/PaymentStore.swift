import HTTP
import Orders
import Postgres

/// All SQL of `payments` (one row per PaymentIntent) and `stripe_events`; the payment columns
/// of `orders` are written through `OrderStore`. Lock order, as in Orders: the order, then its payment.
enum PaymentStore {
    /// Stores a new intent on a PENDING order that has none, and its payments row, in one
    /// statement; false when the order has one already or is no longer PENDING (nothing is
    /// written then).
    static func attachIntent(_ intent: PaymentIntent, to order: PayableOrder, idempotencyKey: String, on db: PostgresClient) throws -> Bool {
        try db.query(
            """
            WITH attached AS (\(OrderStore.attachingIntent(intent.id, clientSecret: intent.clientSecret, to: order.id)))
            \(upserting(orderId: "(SELECT id FROM attached)", from: "attached", intentId: intent.id, amount: intent.amount, currency: intent.currency,
                        status: intent.status, idempotencyKey: idempotencyKey))
            RETURNING 1
            """
        ).rowCount == 1
    }

    static func upsertPayment(
        orderId: String, intentId: String, amount: Int64, currency: String, status: String, idempotencyKey: String,
        lastError: String? = nil, on db: PostgresClient
    ) throws {
        try db.query(
            upserting(
                orderId: "\(bind: orderId)::uuid", intentId: intentId, amount: amount, currency: currency, status: status,
                idempotencyKey: idempotencyKey, lastError: lastError))
    }

    /// The payments row of an intent, written or brought up to date; `from` names the rows it
    /// is written for (none: one row, always).
    private static func upserting(
        orderId: PostgresQuery, from source: PostgresQuery? = nil, intentId: String, amount: Int64, currency: String,
        status: String, idempotencyKey: String, lastError: String? = nil
    ) -> PostgresQuery {
        let rows: PostgresQuery = source.map { "FROM \($0)" } ?? ""
        return """
            INSERT INTO payments (order_id, payment_intent_id, amount_cents, currency, status, idempotency_key, last_error)
            SELECT \(orderId), \(bind: intentId)::text, \(bind: amount)::bigint, \(bind: currency)::text, \(bind: status)::text,
                   \(bind: idempotencyKey)::text, \(bind: lastError.map { String($0.unicodeScalars.prefix(500)) })::text \(rows)
            ON CONFLICT (payment_intent_id) DO UPDATE SET status = EXCLUDED.status, last_error = EXCLUDED.last_error, updated_at = now()
            """
    }

    static func setPaymentStatus(intentId: String, _ status: String, lastError: String? = nil, on db: PostgresClient) throws {
        try db.query(
            """
            UPDATE payments SET status = \(bind: status), last_error = \(bind: lastError.map { String($0.unicodeScalars.prefix(500)) }), updated_at = now()
            WHERE payment_intent_id = \(bind: intentId)
            """)
    }

    // MARK: Events

    /// Records the event id; false when it was recorded before (a repeat, which must do nothing).
    static func recordEvent(_ event: StripeEvent, payload: [UInt8], on db: PostgresClient) throws -> Bool {
        // The payload is kept as the bytes Stripe signed (text, not jsonb: an event may hold "\u0000").
        try db.query(
            """
            INSERT INTO stripe_events (id, type, payment_intent_id, payload, processed_at)
            VALUES (\(bind: event.id), \(bind: event.type), \(bind: event.paymentIntentId), \(bind: String(decoding: payload, as: UTF8.self)), now())
            ON CONFLICT (id) DO NOTHING
            """
        ).affectedRows == 1
    }

    // MARK: Refunds

    struct RefundDue {
        let orderId: String
        let intentId: String
    }

    /// Payments that succeeded on orders now cancelled and have no refund yet, oldest first;
    /// only those untouched for `idleSeconds`, so a worker's own attempt goes first.
    static func refundsDue(idleSeconds: Int, limit: Int, on db: PostgresClient) throws -> [RefundDue] {
        try db.query(
            """
            SELECT p.order_id, p.payment_intent_id FROM payments p JOIN orders o ON o.id = p.order_id
            WHERE p.status = 'succeeded' AND p.refund_id IS NULL AND o.status = 'CANCELLED'
              AND p.updated_at < now() - make_interval(secs => \(bind: idleSeconds))
            ORDER BY p.updated_at LIMIT \(bind: limit)
            """
        ).map { RefundDue(orderId: try $0.decode("order_id"), intentId: try $0.decode("payment_intent_id")) }
    }

    /// Whether the payment of `intentId` is owed back: it succeeded, its order is cancelled,
    /// and no refund was made yet.
    static func refundIsDue(intentId: String, on db: PostgresClient) throws -> Bool {
        try db.query(
            """
            SELECT 1 FROM payments p JOIN orders o ON o.id = p.order_id
            WHERE p.payment_intent_id = \(bind: intentId) AND p.status = 'succeeded' AND p.refund_id IS NULL AND o.status = 'CANCELLED'
            """, idempotent: true
        ).rowCount == 1
    }

    static func recordRefund(intentId: String, refundId: String, on db: PostgresClient) throws {
        try db.query(
            """
            UPDATE payments SET refund_id = \(bind: refundId), status = CASE WHEN status = 'succeeded' THEN 'refund_pending' ELSE status END,
                last_error = NULL, updated_at = now()
            WHERE payment_intent_id = \(bind: intentId)
            """, idempotent: true)
    }

    /// Keeps the refund due; touching `updated_at` spaces the jobs process's retries.
    static func recordRefundFailure(intentId: String, error: String, on db: PostgresClient) throws {
        try db.query(
            """
            UPDATE payments SET last_error = \(bind: String(error.unicodeScalars.prefix(500))), updated_at = now() WHERE payment_intent_id = \(bind: intentId)
            """, idempotent: true)
    }
}
