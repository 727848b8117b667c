import Core
import Metrics
import Payments

extension Configuration {
    /// nil without `STRIPE_SECRET_KEY`: orders are taken, and paying them answers 503.
    public var stripeSettings: StripeSettings? {
        let budget = stripeRequestBudget * 1000
        return stripeSecretKey.map {
            StripeSettings(
                apiBase: stripeAPIBase, secretKey: $0,
                retry: StripeRetryPolicy(budgetMilliseconds: budget, connectTimeoutMilliseconds: min(5000, budget)),
                breaker: CircuitBreaker.Settings(
                    failureThreshold: stripeBreakerFailures, windowMilliseconds: UInt64(stripeBreakerWindow) * 1000,
                    coolDownMilliseconds: UInt64(stripeBreakerCoolDown) * 1000,
                    // A trial that has not reported within its budget and some more died with its worker.
                    trialTimeoutMilliseconds: UInt64(budget) + 5000))
        }
    }
}

extension MetricCounter {
    init(_ event: PaymentMetric) {
        self =
            switch event {
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
