import HTTP
import Orders
import Postgres

/// The Stripe calls of an order's life: its PaymentIntent, cancelling it, refunding it. None
/// runs inside a database transaction: a slow Stripe holds no locks. Every call carries an
/// Idempotency-Key derived from the order, so a retry, a second worker or the jobs process
/// asking again gets the same intent or refund, never a second one.
struct PaymentService<Context: PaymentsContext> {
    let context: Context
    var db: PostgresClient { context.database }

    struct Intent: JSONRepresentable {
        let paymentIntentId: String
        let clientSecret: String
        let amount: Int64
        let currency: String

        var json: JSONValue {
            .object([
                "paymentIntentId": .string(paymentIntentId), "clientSecret": .string(clientSecret), "amount": .number(String(amount)),
                "currency": .string(currency),
            ])
        }
    }

    /// The order's intent: the stored one, or a new one at Stripe stored on the order.
    /// 409 unless the order is PENDING and unpaid; 503 when Stripe cannot make one now.
    func intent(for order: PayableOrder) throws -> Intent {
        guard order.status == .pending, order.paymentStatus == .pending || order.paymentStatus == .failed else {
            throw APIError.conflict("An order that is \(order.status.rawValue) with payment \(order.paymentStatus.rawValue) cannot be paid")
        }
        if let id = order.paymentIntentId, let secret = order.clientSecret {
            return Intent(paymentIntentId: id, clientSecret: secret, amount: order.total.value, currency: order.currency)
        }
        let stripe = try requireStripe()
        let key = "order-\(order.id)-intent-\(order.paymentAttempts)"
        let created: PaymentIntent
        do {
            created = try stripe.createPaymentIntent(
                amount: order.total.value, currency: order.currency,
                metadata: [("order_id", order.id), ("order_number", order.orderNumber)], idempotencyKey: key)
        } catch {
            if error.stripeAnswered { try? OrderStore.countPaymentAttempt(orderId: order.id, on: db) }
            context.logger.error("payment intent not created", ["orderId": .string(order.id), "error": .string(error.description)])
            throw APIError.unavailable("The payment provider could not create a payment now; try again shortly")
        }
        guard let secret = created.clientSecret else { throw APIError.unavailable("The payment provider answered without a client secret") }
        let attached = try PaymentStore.attachIntent(created, to: order, idempotencyKey: key, on: db)
        if attached {
            context.paymentRecorded(.created)
            return Intent(paymentIntentId: created.id, clientSecret: secret, amount: created.amount, currency: created.currency)
        }
        // Someone stored an intent first, or the order left PENDING while Stripe answered.
        guard let now = try OrderStore.payable(order.id, ownerId: nil, on: db) else { throw APIError.notFound("Order not found") }
        if now.paymentIntentId != created.id { cancelIntent(orderId: order.id, intentId: created.id) }
        return try intent(for: now)
    }

    /// Cancels the intent of an order cancelled while unpaid. Failure only logs: if the customer
    /// pays anyway, `payment_intent.succeeded` finds the order cancelled and refunds it.
    func cancelIntent(orderId: String, intentId: String) {
        guard let stripe = context.stripe else { return }
        do {
            _ = try stripe.cancelPaymentIntent(intentId, idempotencyKey: "order-\(orderId)-cancel-\(intentId)")
            try PaymentStore.setPaymentStatus(intentId: intentId, "canceled", on: db)
            context.paymentRecorded(.canceled)
        } catch {
            context.logger.warn(
                "payment intent not cancelled",
                [
                    "orderId": .string(orderId), "paymentIntentId": .string(intentId),
                    "error": .string(String(describing: error)),
                ])
        }
    }

    /// Refunds a payment owed back. The key is the intent's, so the worker that cancelled and
    /// the jobs process retrying make one refund between them. False when it must be retried.
    @discardableResult
    func refund(orderId: String, intentId: String) -> Bool {
        guard let stripe = context.stripe else { return false }
        do {
            guard try PaymentStore.refundIsDue(intentId: intentId, on: db) else { return true }
            let refund = try stripe.createRefund(
                paymentIntent: intentId, metadata: [("order_id", orderId)],
                idempotencyKey: "order-\(orderId)-refund-\(intentId)")
            try PaymentStore.recordRefund(intentId: intentId, refundId: refund.id, on: db)
            context.paymentRecorded(.refundRequested)
            context.logger.info("refund created", ["orderId": .string(orderId), "paymentIntentId": .string(intentId), "refundId": .string(refund.id)])
            return true
        } catch {
            try? PaymentStore.recordRefundFailure(intentId: intentId, error: String(describing: error), on: db)
            context.logger.warn(
                "refund not created; the jobs process retries",
                [
                    "orderId": .string(orderId), "paymentIntentId": .string(intentId), "error": .string(String(describing: error)),
                ])
            return false
        }
    }

    private func requireStripe() throws -> StripeClient {
        guard let stripe = context.stripe else { throw APIError.unavailable("Payments are not configured on this server") }
        return stripe
    }
}
