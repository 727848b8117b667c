import HTTP
import Postgres

/// What payments need from a worker or the jobs process.
public protocol PaymentsContext: AnyObject {
    var database: PostgresClient { get }
    var logger: Logger { get }
    var clock: Clock { get }
    var currency: String { get }
    /// nil when `STRIPE_SECRET_KEY` is not set: orders are taken, payments answer 503.
    var stripe: StripeClient? { get }
    /// nil when `STRIPE_WEBHOOK_SECRET` is not set: the webhook answers 503.
    var webhookSignature: StripeSignature? { get }
    /// One payment event, for `payments_total{status}`.
    func paymentRecorded(_ event: PaymentMetric)
}

/// The `status` label of `payments_total`.
public enum PaymentMetric: String, Sendable, CaseIterable {
    /// A PaymentIntent was created at Stripe.
    case created
    case succeeded
    case failed
    /// A refund was created at Stripe.
    case refundRequested = "refund_requested"
    /// Stripe confirmed a refund (`charge.refunded`).
    case refunded
    /// A PaymentIntent was cancelled with its order.
    case canceled
    /// A `payment_intent.succeeded` whose amount or currency differs from its order's.
    case amountMismatch = "amount_mismatch"
}
