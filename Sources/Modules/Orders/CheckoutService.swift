import Cart
import HTTP
import Idempotency
import Postgres
import Users

/// `POST /api/orders` (API.md §6): in one transaction, reprice the cart, reserve its stock,
/// write the order with its item snapshots and empty the cart. A short line refuses the
/// whole checkout and nothing changes.
struct CheckoutService<Context: OrdersContext> {
    let context: Context
    var db: PostgresClient { context.database }

    func checkout(_ principal: Principal, _ input: CheckoutInput, idempotencyKey: IdempotencyKey?) throws -> Response {
        let settings = context.orderSettings
        let (order, response): (OrderRecord, Response) = try db.withTransaction { db in
            // The cart's lock comes first: a second checkout of the same cart waits here and
            // then finds it empty.
            let cartId = try CartStore.lockCart(userId: principal.userId, on: db)
            // Unpaid orders hold stock until they expire: one account may not hoard it. The cart
            // lock above serialises this user's checkouts, so the count cannot race.
            guard try OrderStore.pendingCount(userId: principal.userId, on: db) < settings.maxPendingOrders else {
                throw APIError.conflict("You have \(settings.maxPendingOrders) unpaid orders; pay or cancel one first",
                                        details: [FieldError(field: "orders", message: "at most \(settings.maxPendingOrders) unpaid orders at a time")])
            }
            let shipping = try resolve(input.shipping, field: "shippingAddressId", userId: principal.userId, on: db)
            let billing = try input.billing.map { try resolve($0, field: "billingAddressId", userId: principal.userId, on: db) } ?? shipping
            let lines = try CartStore.lines(cartId: cartId, lockingProducts: true, on: db)
            guard !lines.isEmpty else { throw APIError.badRequest("Cart is empty") }
            let shortages = lines.filter { !$0.available }.map {
                StockShortage(productId: $0.productId, requested: $0.quantity, available: $0.isActive ? $0.stockQuantity : 0)
            }
            guard shortages.isEmpty else { throw StockShortage.conflict(shortages) }
            let totals: OrderTotals
            do {
                totals = try OrderTotals.compute(lines: lines.map { ($0.unitPrice, $0.quantity) }, settings: settings)
            } catch {
                throw APIError.badRequest("The order total would exceed \(Cents.maximum)")
            }
            let id = try OrderStore.insert(.init(userId: principal.userId, totals: totals, currency: settings.currency,
                                                 shippingAddress: shipping, billingAddress: billing, lines: lines), on: db)
            try OrderStore.reserveStock(lines, on: db)
            try CartStore.empty(cartId: cartId, on: db)
            let order = try OrderStore.find(id, on: db)!
            let response = Envelope.success(OrderView(order, viewerId: principal.userId), status: .created)
            // Committed with the order, but not final: a duplicate arriving while the PaymentIntent
            // is being made gets 409 instead of this answer without its payment.
            if let idempotencyKey { try IdempotencyStore.commit(idempotencyKey, response: response, on: db) }
            return (order, response)
        }
        context.orderPlaced()
        context.stockChanged()
        let answer = context.orderPayments.orderPlaced(order).map {
            Envelope.success(OrderView(order.with($0), viewerId: principal.userId), status: .created)
        } ?? response
        // Should this fail, the committed answer is replayed once the claim is abandoned, with
        // payment null; create-payment-intent then reuses the intent.
        if let idempotencyKey { try? IdempotencyStore.complete(idempotencyKey, response: answer, on: db) }
        return answer
    }

    /// A saved address must be the caller's own; anyone else's is as unknown as a made-up id.
    private func resolve(_ choice: CheckoutInput.AddressChoice, field: String, userId: String, on db: PostgresClient) throws -> PostalAddress {
        switch choice {
        case .inline(let address):
            return address
        case .saved(let id):
            guard let address = try OrderStore.address(id: id, userId: userId, on: db) else {
                throw APIError.validation([FieldError(field: field, message: "is not one of your addresses")])
            }
            return address
        }
    }
}
