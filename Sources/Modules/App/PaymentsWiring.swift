import Metrics
import Payments

extension Configuration {
    /// nil without `STRIPE_SECRET_KEY`: orders are taken, and paying them answers 503.
    public var stripeSettings: StripeSettings? {
        stripeSecretKey.map { StripeSettings(apiBase: stripeAPIBase, secretKey: $0) }
    }
}

extension MetricCounter {
    init(_ event: PaymentMetric) {
        self = switch event {
        case .created: .paymentsCreated
        case .succeeded: .paymentsSucceeded
        case .failed: .paymentsFailed
        case .refundRequested: .paymentsRefundRequested
        case .refunded: .paymentsRefunded
        case .canceled: .paymentsCanceled
        case .amountMismatch: .paymentsAmountMismatch
        }
    }
}
