import Orders

/// The jobs process's part of payments: refunds still owed (Stripe was unreachable when the
/// order was cancelled, or the payment landed on an order already cancelled), and the intents
/// of orders that expired unpaid.
public struct PaymentFollowUp<Context: PaymentsContext> {
    let context: Context

    public init(context: Context) { self.context = context }

    /// Refunds not touched for `idleSeconds`, up to `limit`; how many were tried.
    public func retryRefunds(idleSeconds: Int = 30, limit: Int = 20) throws -> Int {
        let due = try PaymentStore.refundsDue(idleSeconds: idleSeconds, limit: limit, on: context.database)
        let payments = PaymentService(context: context)
        for refund in due { payments.refund(orderId: refund.orderId, intentId: refund.intentId) }
        return due.count
    }

    /// Partial refunds Stripe never answered, sent again under their own keys; how many.
    public func resendRefunds(idleSeconds: Int = 30, limit: Int = 20) throws -> Int {
        let unsent = try RefundStore.unsent(idleSeconds: idleSeconds, limit: limit, on: context.database)
        let payments = PaymentService(context: context)
        for refund in unsent {
            guard let intentId = try OrderStore.payable(refund.orderId, ownerId: nil, on: context.database)?.paymentIntentId else { continue }
            payments.send(refund, intentId: intentId)
        }
        return unsent.count
    }

    /// Orders the expiry cancelled: their intents can no longer be paid.
    public func ordersExpired(_ orders: [OrderRecord]) {
        let hooks = StripeOrderPayments(context: context)
        for order in orders { hooks.orderCancelled(order, previousStatus: .pending) }
    }
}
