import Audit
import Orders
import HTTP
import Idempotency

/// API.md §7, and §12.4's refunds (they are Stripe calls).
public enum PaymentsRoutes {
    public static func routes<Context: PaymentsContext>() -> [Route<Context>] {
        [
            Route(.post, "/api/stripe/create-payment-intent", access: .bearer, body: .json) { request, context in
                let principal = try context.requirePrincipal()
                let orderId = try PaymentIntentRequest(request).orderId
                let key = try IdempotencyKey(request, userId: principal.userId, scope: "payment-intents")
                return try IdempotentRequest.run(key, on: context.database) { key in
                    // The owner only: an admin pays no one's order, and anyone else gets 404.
                    guard let order = try OrderStore.payable(orderId, ownerId: principal.userId, on: context.database) else {
                        throw APIError.notFound("Order not found")
                    }
                    let response = Envelope.success(try PaymentService(context: context.app).intent(for: order))
                    if let key { try IdempotencyStore.complete(key, response: response, on: context.database) }
                    return response
                }
            },
            Route(.post, "/api/orders/:id/refunds", access: .admin, body: .json) { request, context in
                let principal = try context.requirePrincipal()
                let orderId = try context.uuidParameter("id")
                let input = try RefundInput(request)
                let key = try IdempotencyKey(request, userId: principal.userId, scope: "refunds")
                return try IdempotentRequest.run(key, on: context.database) { key in
                    try PaymentService(context: context.app).refund(input, orderId: orderId, idempotencyKey: key, by: AuditActor(principal, request))
                }
            },
            // Stripe signs the raw body; no bearer token.
            Route(.post, "/api/stripe/webhook", access: .public, body: .json) { request, context in
                _ = try StripeWebhook(context: context.app).receive(request)
                return Envelope.success(JSONValue.object(["received": .bool(true)]))
            },
        ]
    }
}

/// `POST /api/stripe/create-payment-intent`.
struct PaymentIntentRequest {
    let orderId: String

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let orderId = body.uuid("orderId")
        try body.finish()
        self.orderId = orderId!
    }
}
