import HTTP
import Orders

/// Orders' payment seam, backed by Stripe: a checkout gets its PaymentIntent, a cancel
/// cancels the intent (unpaid) or refunds the payment (paid).
public struct StripeOrderPayments<Context: PaymentsContext>: OrderPaymentHooks {
    let context: Context

    public init(context: Context) { self.context = context }

    public func orderPlaced(_ order: OrderRecord) -> OrderPayment? {
        do {
            // Just placed and committed: nothing to read back before asking Stripe.
            let intent = try PaymentService(context: context).intent(for: PayableOrder(placed: order))
            return OrderPayment(paymentIntentId: intent.paymentIntentId, clientSecret: intent.clientSecret)
        } catch is APIError {
            // Stripe's failure is logged where it happened; the order stands and the client asks
            // again through create-payment-intent.
            return nil
        } catch {
            context.logger.warn("order placed without a payment", ["orderId": .string(order.id), "error": .string(String(describing: error))])
            return nil
        }
    }

    public func orderCancelled(_ order: OrderRecord, previousStatus: OrderStatus) {
        guard let intentId = order.paymentIntentId else { return }
        let payments = PaymentService(context: context)
        switch previousStatus {
        case .pending: payments.cancelIntent(orderId: order.id, intentId: intentId)
        case .paid, .processing: payments.refund(orderId: order.id, intentId: intentId)
        case .shipped, .delivered, .cancelled: break
        }
    }
}
