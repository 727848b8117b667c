import HTTP
import Postgres

/// The payment columns of `orders`, for Payments, which owns `payments` and `stripe_events`
/// but writes this table only through here. Lock order, as everywhere: the order, then its payment.
extension OrderStore {
    public static func payable(_ id: String, ownerId: String?, on db: PostgresClient) throws -> PayableOrder? {
        try db.query("SELECT \(PayableOrder.columns) FROM orders o WHERE o.id = \(bind: id) AND \(owned(by: ownerId))", idempotent: true)
            .first.map(PayableOrder.init(row:))
    }

    /// The order an event is about, locked: through the payments row of its intent (`payments`
    /// holds every intent an order ever had, unique on the intent; `orders.payment_intent_id`,
    /// the current one, has no index so that storing it is an update in place), else by the
    /// `metadata[order_id]` the intent was created with (an event can beat the intent's storing).
    public static func lockPayable(paymentIntentId: String, orderIdHint: String?, on db: PostgresClient) throws -> PayableOrder? {
        if let row = try db.query(
            """
            SELECT \(PayableOrder.columns) FROM orders o
            WHERE o.id = (SELECT order_id FROM payments WHERE payment_intent_id = \(bind: paymentIntentId)) FOR UPDATE
            """
        ).first {
            return try PayableOrder(row: row)
        }
        guard let hint = orderIdHint, UUIDText.isValid(hint) else { return nil }
        return try db.query("SELECT \(PayableOrder.columns) FROM orders o WHERE o.id = \(bind: hint) FOR UPDATE").first.map(PayableOrder.init(row:))
    }

    /// Stores a new intent on a PENDING order that has none, returning its `id` (no row when
    /// it has one already or is no longer PENDING): a fragment for a statement that writes the
    /// payments row in the same round trip.
    ///
    /// The conditions are one `IS TRUE` test so that only the key can choose the index. As
    /// plain conditions, `status = 'PENDING'` let PostgreSQL read the order through the partial
    /// index of unpaid orders: statistics taken at a quiet hour (almost no unpaid orders) make
    /// that index look empty, and during a sale every checkout then walked all the sale's
    /// unpaid orders to find its own (bench/README.md: 2 to 4 ms per order, and growing).
    /// `OrderPlans` in the end-to-end tests holds this to the plan.
    public static func attachingIntent(_ intentId: String, clientSecret: String?, to orderId: String) -> PostgresQuery {
        """
        UPDATE orders SET payment_intent_id = \(bind: intentId), client_secret = \(bind: clientSecret), updated_at = now()
        WHERE id = \(bind: orderId) AND (payment_intent_id IS NULL AND status = 'PENDING') IS TRUE
        RETURNING id
        """
    }

    /// Stripe answered an error to the current key: the next try uses a new one.
    public static func countPaymentAttempt(orderId: String, on db: PostgresClient) throws {
        try db.query("UPDATE orders SET payment_attempts = payment_attempts + 1 WHERE id = \(bind: orderId)")
    }

    /// PENDING → PAID with the payment's time; the caller holds the order's lock.
    public static func markPaid(orderId: String, intentId: String, on db: PostgresClient) throws {
        try db.query(
            """
            UPDATE orders SET status = 'PAID', payment_status = 'SUCCEEDED', paid_at = now(), updated_at = now(),
                payment_intent_id = COALESCE(payment_intent_id, \(bind: intentId))
            WHERE id = \(bind: orderId)
            """)
    }

    public static func setPaymentStatus(orderId: String, _ status: PaymentStatus, on db: PostgresClient) throws {
        try db.query("UPDATE orders SET payment_status = \(bind: status.rawValue), updated_at = now() WHERE id = \(bind: orderId)")
    }
}
