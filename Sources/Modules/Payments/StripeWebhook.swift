import Webhooks
import HTTP
import Mail
import Orders
import Postgres

/// `POST /api/stripe/webhook` (API.md §7). The event id is recorded in the same transaction as
/// the event's effect, so each event acts once however often Stripe delivers it. Payment
/// status only moves forward (PENDING → FAILED → SUCCEEDED → PARTIALLY_REFUNDED → REFUNDED,
/// FAILED may repeat), so
/// events arriving out of order never undo a later one.
struct StripeWebhook<Context: PaymentsContext> {
    let context: Context

    enum Outcome: Equatable {
        case applied
        case repeated
        case ignored
    }

    /// What to do once the transaction has committed.
    private enum FollowUp {
        case none
        case metric(PaymentMetric)
        case refund(orderId: String, intentId: String)
    }

    func receive(_ request: Request) throws -> Outcome {
        guard let signature = context.webhookSignature else { throw APIError.unavailable("Stripe webhooks are not configured on this server") }
        guard let header = request.headers["stripe-signature"] else { throw APIError.badRequest("Missing Stripe-Signature header") }
        do {
            try signature.verify(header: header, body: request.body, now: context.clock.epochMilliseconds() / 1000)
        } catch {
            context.logger.warn("webhook signature rejected", ["reason": .string(String(describing: error))])
            throw APIError.badRequest("Invalid Stripe signature")
        }
        let event: StripeEvent
        let kind: StripeEvent.Kind
        do {
            event = try StripeEvent(body: request.body)
            kind = try event.kind()
        } catch {
            throw APIError.badRequest("Malformed Stripe event: \(error.reason)")
        }
        let (outcome, followUp): (Outcome, FollowUp) = try context.database.withTransaction { db in
            guard try PaymentStore.recordEvent(event, payload: request.body, on: db) else { return (.repeated, .none) }
            switch kind {
            case .paymentSucceeded(let intent): return try succeeded(intent, event: event, on: db)
            case .paymentFailed(let intent): return try failed(intent, on: db)
            case .chargeRefunded(let charge): return try refunded(charge, on: db)
            case .ignored: return (.ignored, .none)
            }
        }
        switch followUp {
        case .none: break
        case .metric(let metric): context.paymentRecorded(metric)
        case .refund(let orderId, let intentId):
            context.paymentRecorded(.succeeded)
            PaymentService(context: context).refund(orderId: orderId, intentId: intentId)
        }
        context.logger.info("stripe event", ["eventId": .string(event.id), "type": .string(event.type), "outcome": .string("\(outcome)")])
        return outcome
    }

    private func succeeded(_ intent: StripeEvent.IntentFields, event: StripeEvent, on db: PostgresClient) throws -> (Outcome, FollowUp) {
        guard let order = try OrderStore.lockPayable(paymentIntentId: intent.id, orderIdHint: intent.orderIdHint, on: db) else {
            return ignore(event, "no order for this payment intent")
        }
        guard intent.amount == order.total.value, intent.currency == order.currency else {
            // Money arrived that does not match the order: never mark it paid; an operator decides.
            let detail = "paid \(intent.amount) \(intent.currency), order total \(order.total.value) \(order.currency)"
            try PaymentStore.upsertPayment(
                orderId: order.id, intentId: intent.id, amount: intent.amount, currency: intent.currency,
                status: "amount_mismatch", idempotencyKey: "event-" + event.id, lastError: detail, on: db)
            context.logger.error(
                "payment amount does not match its order",
                [
                    "orderId": .string(order.id), "paymentIntentId": .string(intent.id),
                    "detail": .string(detail),
                ])
            return (.applied, .metric(.amountMismatch))
        }
        guard order.paymentStatus == .pending || order.paymentStatus == .failed else { return (.ignored, .none) }
        try PaymentStore.upsertPayment(
            orderId: order.id, intentId: intent.id, amount: intent.amount, currency: intent.currency,
            status: "succeeded", idempotencyKey: "event-" + event.id, on: db)
        switch order.status {
        case .pending:
            try OrderStore.markPaid(orderId: order.id, intentId: intent.id, on: db)
            if let paid = try OrderLookup.find(order.id, on: db) {
                let customer = try OrderLookup.customer(of: order.id, on: db)
                try Outbox.enqueue(OrderMail.confirmation(paid, to: customer.email, firstName: customer.firstName), on: db)
                try WebhookOutbox.emit(.orderPaid, entity: "order:\(order.id)", data: OrderView(paid, viewerId: "").json, on: db)
            }
            return (.applied, .metric(.succeeded))
        case .cancelled:
            // Paid after it was cancelled (expiry, or the customer): the money goes back.
            try OrderStore.setPaymentStatus(orderId: order.id, .succeeded, on: db)
            return (.applied, .refund(orderId: order.id, intentId: intent.id))
        case .paid, .processing, .shipped, .delivered:
            return (.ignored, .none)
        }
    }

    private func failed(_ intent: StripeEvent.IntentFields, on db: PostgresClient) throws -> (Outcome, FollowUp) {
        guard let order = try OrderStore.lockPayable(paymentIntentId: intent.id, orderIdHint: intent.orderIdHint, on: db),
            order.status == .pending, order.paymentStatus == .pending || order.paymentStatus == .failed
        else {
            return (.ignored, .none)
        }
        try OrderStore.setPaymentStatus(orderId: order.id, .failed, on: db)
        try PaymentStore.upsertPayment(
            orderId: order.id, intentId: intent.id, amount: intent.amount, currency: intent.currency,
            status: "failed", idempotencyKey: "order-\(order.id)", lastError: intent.failureMessage, on: db)
        return (.applied, .metric(.failed))
    }

    /// The refunds Stripe confirms become succeeded, one email each; the order's payment
    /// status follows what succeeded (PARTIALLY_REFUNDED, then REFUNDED at the total).
    private func refunded(_ charge: StripeEvent.ChargeFields, on db: PostgresClient) throws -> (Outcome, FollowUp) {
        guard let order = try OrderStore.lockPayable(paymentIntentId: charge.paymentIntentId, orderIdHint: nil, on: db) else {
            return (.ignored, .none)
        }
        let (confirmed, status) = try RefundStore.confirm(orderId: order.id, stripeRefunds: charge.succeededRefunds, on: db)
        guard !confirmed.isEmpty, let status else { return (.ignored, .none) }
        if status == .refunded { try PaymentStore.setPaymentStatus(intentId: charge.paymentIntentId, "refunded", on: db) }
        if let record = try OrderLookup.find(order.id, on: db) {
            try WebhookOutbox.emit(.orderRefunded, entity: "order:\(order.id)", data: OrderView(record, viewerId: "").json, on: db)
            let customer = try OrderLookup.customer(of: order.id, on: db)
            for refund in confirmed {
                try Outbox.enqueue(OrderMail.refunded(record, amount: refund.amount, to: customer.email, firstName: customer.firstName), on: db)
            }
        }
        return (.applied, .metric(.refunded))
    }

    private func ignore(_ event: StripeEvent, _ reason: String) -> (Outcome, FollowUp) {
        context.logger.warn("stripe event ignored", ["eventId": .string(event.id), "type": .string(event.type), "reason": .string(reason)])
        return (.ignored, .none)
    }
}
