import HTTP
import Orders
import Postgres

/// An order as payments see it: who owns it, where it stands and what it costs.
struct PayableOrder: Sendable {
    let id: String
    let orderNumber: String
    let userId: String
    let status: OrderStatus
    let paymentStatus: PaymentStatus
    let total: Cents
    let currency: String
    let paymentIntentId: String?
    let clientSecret: String?
    let paymentAttempts: Int

    static let columns = """
        id, order_number, user_id, status, payment_status, total::text AS total, currency, payment_intent_id, client_secret, payment_attempts
        """

    init(row: PostgresRow) throws {
        id = row.string("id")!
        orderNumber = row.string("order_number")!
        userId = row.string("user_id")!
        status = OrderStatus(rawValue: row.string("status")!)!
        paymentStatus = PaymentStatus(rawValue: row.string("payment_status")!)!
        total = try Cents.parse(row.string("total")!)
        currency = row.string("currency")!
        paymentIntentId = row.string("payment_intent_id")
        clientSecret = row.string("client_secret")
        paymentAttempts = row.int("payment_attempts")!
    }
}

/// All SQL of payments: the payment columns of `orders`, `payments` (one row per
/// PaymentIntent) and `stripe_events`. Lock order, as in Orders: the order, then its payment.
enum PaymentStore {
    static func order(_ id: String, ownerId: String?, on db: PostgresClient) throws -> PayableOrder? {
        try db.query("SELECT \(PayableOrder.columns) FROM orders WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2::uuid)",
                     [id, ownerId], idempotent: true).first.map(PayableOrder.init(row:))
    }

    /// The order an event is about, locked: by the intent stored on it, else by the
    /// `metadata[order_id]` the intent was created with (an event can beat the intent's storing).
    static func lockOrder(paymentIntentId: String, orderIdHint: String?, on db: PostgresClient) throws -> PayableOrder? {
        if let row = try db.query("SELECT \(PayableOrder.columns) FROM orders WHERE payment_intent_id = $1 FOR UPDATE", [paymentIntentId]).first {
            return try PayableOrder(row: row)
        }
        // A payments row names the order of an intent that was replaced on it.
        if let row = try db.query("""
            SELECT \(PayableOrder.columns) FROM orders WHERE id = (SELECT order_id FROM payments WHERE payment_intent_id = $1) FOR UPDATE
            """, [paymentIntentId]).first {
            return try PayableOrder(row: row)
        }
        guard let hint = orderIdHint, UUIDText.isValid(hint) else { return nil }
        return try db.query("SELECT \(PayableOrder.columns) FROM orders WHERE id = $1 FOR UPDATE", [hint]).first.map(PayableOrder.init(row:))
    }

    /// Stores a new intent on a PENDING order that has none; false when the order has one
    /// already or is no longer PENDING (nothing is written then).
    static func attachIntent(_ intent: PaymentIntent, to order: PayableOrder, idempotencyKey: String, on db: PostgresClient) throws -> Bool {
        let attached = try db.query("""
            UPDATE orders SET payment_intent_id = $2, client_secret = $3, updated_at = now()
            WHERE id = $1 AND payment_intent_id IS NULL AND status = 'PENDING'
            """, [order.id, intent.id, intent.clientSecret]).affectedRows == 1
        guard attached else { return false }
        try upsertPayment(orderId: order.id, intentId: intent.id, amount: intent.amount, currency: intent.currency, status: intent.status,
                          idempotencyKey: idempotencyKey, on: db)
        return true
    }

    /// Stripe answered an error to the current key: the next try uses a new one.
    static func nextAttempt(orderId: String, on db: PostgresClient) throws {
        try db.query("UPDATE orders SET payment_attempts = payment_attempts + 1 WHERE id = $1", [orderId])
    }

    static func upsertPayment(orderId: String, intentId: String, amount: Int64, currency: String, status: String, idempotencyKey: String,
                              lastError: String? = nil, on db: PostgresClient) throws {
        try db.query("""
            INSERT INTO payments (order_id, payment_intent_id, amount_cents, currency, status, idempotency_key, last_error)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (payment_intent_id) DO UPDATE SET status = EXCLUDED.status, last_error = EXCLUDED.last_error, updated_at = now()
            """, [orderId, intentId, amount, currency, status, idempotencyKey, lastError.map { String($0.prefix(500)) }])
    }

    static func setPaymentStatus(intentId: String, _ status: String, lastError: String? = nil, on db: PostgresClient) throws {
        try db.query("UPDATE payments SET status = $2, last_error = $3, updated_at = now() WHERE payment_intent_id = $1",
                     [intentId, status, lastError.map { String($0.prefix(500)) }])
    }

    // MARK: Orders

    /// PENDING → PAID with the payment's time; the caller holds the order's lock.
    static func markPaid(orderId: String, intentId: String, on db: PostgresClient) throws {
        try db.query("""
            UPDATE orders SET status = 'PAID', payment_status = 'SUCCEEDED', paid_at = now(), updated_at = now(),
                payment_intent_id = COALESCE(payment_intent_id, $2)
            WHERE id = $1
            """, [orderId, intentId])
    }

    static func setOrderPaymentStatus(orderId: String, _ status: PaymentStatus, on db: PostgresClient) throws {
        try db.query("UPDATE orders SET payment_status = $2, updated_at = now() WHERE id = $1", [orderId, status.rawValue])
    }

    // MARK: Events

    /// Records the event id; false when it was recorded before (a repeat, which must do nothing).
    static func recordEvent(_ event: StripeEvent, payload: [UInt8], on db: PostgresClient) throws -> Bool {
        try db.query("""
            INSERT INTO stripe_events (id, type, payment_intent_id, payload, processed_at) VALUES ($1, $2, $3, $4::jsonb, now())
            ON CONFLICT (id) DO NOTHING
            """, [event.id, event.type, event.paymentIntentId, String(decoding: payload, as: UTF8.self)]).affectedRows == 1
    }

    // MARK: Refunds

    struct RefundDue {
        let orderId: String
        let intentId: String
    }

    /// Payments that succeeded on orders now cancelled and have no refund yet, oldest first;
    /// only those untouched for `idleSeconds`, so a worker's own attempt goes first.
    static func refundsDue(idleSeconds: Int, limit: Int, on db: PostgresClient) throws -> [RefundDue] {
        try db.query("""
            SELECT p.order_id, p.payment_intent_id FROM payments p JOIN orders o ON o.id = p.order_id
            WHERE p.status = 'succeeded' AND p.refund_id IS NULL AND o.status = 'CANCELLED'
              AND p.updated_at < now() - make_interval(secs => $1)
            ORDER BY p.updated_at LIMIT $2
            """, [idleSeconds, limit]).rows.map { RefundDue(orderId: $0.string("order_id")!, intentId: $0.string("payment_intent_id")!) }
    }

    /// Whether the payment of `intentId` is owed back: it succeeded, its order is cancelled,
    /// and no refund was made yet.
    static func refundIsDue(intentId: String, on db: PostgresClient) throws -> Bool {
        try db.query("""
            SELECT 1 FROM payments p JOIN orders o ON o.id = p.order_id
            WHERE p.payment_intent_id = $1 AND p.status = 'succeeded' AND p.refund_id IS NULL AND o.status = 'CANCELLED'
            """, [intentId], idempotent: true).rowCount == 1
    }

    static func recordRefund(intentId: String, refundId: String, on db: PostgresClient) throws {
        try db.query("""
            UPDATE payments SET refund_id = $2, status = CASE WHEN status = 'succeeded' THEN 'refund_pending' ELSE status END,
                last_error = NULL, updated_at = now()
            WHERE payment_intent_id = $1
            """, [intentId, refundId], idempotent: true)
    }

    /// Keeps the refund due; touching `updated_at` spaces the jobs process's retries.
    static func recordRefundFailure(intentId: String, error: String, on db: PostgresClient) throws {
        try db.query("UPDATE payments SET last_error = $2, updated_at = now() WHERE payment_intent_id = $1",
                     [intentId, String(error.prefix(500))], idempotent: true)
    }
}
