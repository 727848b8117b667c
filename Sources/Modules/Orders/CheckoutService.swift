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
            if let idempotencyKey { try IdempotencyStore.complete(idempotencyKey, response: response, on: db) }
            return (order, response)
        }
        context.orderPlaced()
        context.stockChanged()
        guard let payment = context.orderPayments.orderPlaced(order) else { return response }
        let paid = Envelope.success(OrderView(order.with(payment), viewerId: principal.userId), status: .created)
        // The stored answer was written before the intent existed; a replay should carry it too.
        // Should this fail, a replay shows payment null and create-payment-intent reuses the intent.
        if let idempotencyKey { try? IdempotencyStore.complete(idempotencyKey, response: paid, on: db) }
        return paid
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
