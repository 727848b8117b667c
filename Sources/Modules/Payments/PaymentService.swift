import Audit
import Crypto
import HTTP
import Idempotency
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

    /// Refunds what remains of a payment owed back (a cancelled paid order), less what partial
    /// refunds took already. The key is the intent's, so the worker that cancelled and the jobs
    /// process retrying make one refund between them. False when it must be retried.
    @discardableResult
    func refund(orderId: String, intentId: String) -> Bool {
        guard context.stripe != nil else { return false }
        do {
            guard try PaymentStore.refundIsDue(intentId: intentId, on: db) else { return true }
            let key = "order-\(orderId)-refund-\(intentId)"
            let reserved: RefundRecord? = try db.withTransaction { db in
                guard let order = try RefundStore.lockOrder(orderId, on: db) else { return nil }
                if let earlier = try RefundStore.find(idempotencyKey: key, on: db) { return earlier }
                guard order.remaining > .zero else { return nil }
                return try RefundStore.reserve(orderId: orderId, amount: order.remaining, reason: "order cancelled", idempotencyKey: key, on: db)
            }
            guard let refund = reserved else {
                // Partial refunds gave everything back already.
                try PaymentStore.setPaymentStatus(intentId: intentId, "refunded", on: db)
                return true
            }
            if let stripeId = refund.stripeRefundId ?? send(refund, intentId: intentId) {
                try PaymentStore.recordRefund(intentId: intentId, refundId: stripeId, on: db)
                return true
            }
            // Refused for good (refunded by hand in Stripe's dashboard, say): no more retries;
            // the log and the payments row say so.
            guard try RefundStore.find(refund.id, on: db)?.status == .failed else {
                // Not answered: still due; touching the payment spaces the jobs' retries.
                try PaymentStore.recordRefundFailure(intentId: intentId, error: "Stripe did not answer the refund", on: db)
                return false
            }
            try PaymentStore.setPaymentStatus(intentId: intentId, "refund_failed", lastError: "Stripe refused the refund", on: db)
            context.logger.error("refund refused for good", ["orderId": .string(orderId), "refundId": .string(refund.id)])
            return true
        } catch {
            try? PaymentStore.recordRefundFailure(intentId: intentId, error: String(describing: error), on: db)
            context.logger.warn(
                "refund not created; the jobs process retries",
                ["orderId": .string(orderId), "paymentIntentId": .string(intentId), "error": .string(String(describing: error))])
            return false
        }
    }

    /// `POST /api/orders/:id/refunds` (API.md §12.4): reserves `amount` on the locked order
    /// (so concurrent refunds never pass what was paid), then asks Stripe outside the
    /// transaction. The refund as it stands: pending until Stripe confirms it, failed (and its
    /// amount given back) when Stripe refuses it; pending without a Stripe id when Stripe could
    /// not be reached (the jobs process sends it again under the same key).
    func refund(_ input: RefundInput, orderId: String, idempotencyKey: IdempotencyKey?, by actor: AuditActor) throws -> Response {
        let (refund, intentId): (RefundRecord, String) = try db.withTransaction { db in
            guard let order = try RefundStore.lockOrder(orderId, on: db) else { throw APIError.notFound("Order not found") }
            guard OrderStatus.refundable.contains(order.status), order.paymentStatus == .succeeded || order.paymentStatus == .partiallyRefunded,
                let intentId = order.paymentIntentId
            else {
                throw APIError.conflict("An order that is \(order.status.rawValue) with payment \(order.paymentStatus.rawValue) cannot be refunded")
            }
            // The refund's own id names its Stripe key, so each try of it is the same refund.
            let id = try UUIDGenerator.random()
            guard input.amount <= order.remaining,
                let refund = try RefundStore.reserve(
                    id: id, orderId: orderId, amount: input.amount, reason: input.reason, idempotencyKey: "order-\(orderId)-refund-\(id)", on: db)
            else {
                throw APIError.conflict(
                    "The refund is more than remains refundable",
                    details: [FieldError(field: "amount", message: "at most \(order.remaining) remains refundable")])
            }
            try AuditLog.record(
                actor, action: "order.refund", entityType: "order", entityId: orderId,
                changes: .object([
                    "refundedTotal": .array([.string(order.refundedTotal.description), .string((order.refundedTotal + refund.amount).description)]),
                    "refundId": .array([.null, .string(refund.id)]),
                ]), on: db)
            // Committed with the reservation, not final: a duplicate meanwhile gets 409.
            if let idempotencyKey { try IdempotencyStore.commit(idempotencyKey, response: Envelope.success(refund, status: .created), on: db) }
            return (refund, intentId)
        }
        context.logger.info("refund reserved", ["orderId": .string(orderId), "refundId": .string(refund.id), "amount": .string(refund.amount.description)])
        _ = send(refund, intentId: intentId)
        let now = try RefundStore.find(refund.id, on: db) ?? refund
        let response = Envelope.success(now, status: .created)
        if let idempotencyKey { try? IdempotencyStore.complete(idempotencyKey, response: response, on: db) }
        return response
    }

    /// Asks Stripe for a reserved refund under its own key. Stripe's refund id; nil when it was
    /// refused for good (the refund is then failed and its amount back on the order) or not
    /// answered (kept pending for the jobs process).
    @discardableResult
    func send(_ refund: RefundRecord, intentId: String) -> String? {
        guard let stripe = context.stripe else { return nil }
        do {
            let created = try stripe.createRefund(
                paymentIntent: intentId, amount: refund.amount.value, metadata: [("order_id", refund.orderId), ("refund_id", refund.id)],
                idempotencyKey: refund.stripeIdempotencyKey)
            if created.status == "failed" || created.status == "canceled" {
                try RefundStore.markFailed(refund.id, error: "Stripe answered the refund \(created.status)", on: db)
                return nil
            }
            try RefundStore.recordSent(refund.id, stripeRefundId: created.id, on: db)
            context.paymentRecorded(.refundRequested)
            context.logger.info("refund created", ["orderId": .string(refund.orderId), "refundId": .string(refund.id), "stripeRefundId": .string(created.id)])
            return created.id
        } catch let error as StripeError where error.isFinalRefusal {
            try? RefundStore.markFailed(refund.id, error: error.description, on: db)
            context.logger.warn("refund refused by Stripe", ["orderId": .string(refund.orderId), "refundId": .string(refund.id), "error": .string(error.description)])
            return nil
        } catch {
            try? RefundStore.recordUnsent(refund.id, error: String(describing: error), on: db)
            context.logger.warn(
                "refund not sent; the jobs process retries",
                ["orderId": .string(refund.orderId), "refundId": .string(refund.id), "error": .string(String(describing: error))])
            return nil
        }
    }

    private func requireStripe() throws -> StripeClient {
        guard let stripe = context.stripe else { throw APIError.unavailable("Payments are not configured on this server") }
        return stripe
    }
}
