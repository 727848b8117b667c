import HTTP

/// `POST /api/orders/:id/refunds`: an amount above zero and an optional reason.
struct RefundInput {
    let amount: Cents
    let reason: String?

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let amount = body.money("amount")
        if amount == .zero { body.fail("amount", "must be above zero") }
        reason = body.string("reason", required: false, nullable: true, maxLength: 500)
        try body.finish()
        self.amount = amount ?? .zero
    }
}
