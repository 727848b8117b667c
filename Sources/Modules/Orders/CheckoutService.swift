import Webhooks
import Cart
import Coupons
import HTTP
import Idempotency
import Inventory
import Postgres
import Users

/// `POST /api/orders` (API.md §6): in one transaction, reprice the cart, reserve its stock,
/// write the order with its item snapshots and empty the cart. A short line refuses the
/// whole checkout and nothing changes.
struct CheckoutService<Context: OrdersContext> {
    let context: Context
    var db: PostgresClient { context.database }

    /// Three round trips (BEGIN with the cart's lock and its lines with the unpaid orders, the
    /// order's one statement, COMMIT with the webhook events and the idempotent answer), plus
    /// one per saved address and one for a coupon; nothing it wrote is read back.
    func checkout(_ principal: Principal, _ input: CheckoutInput, idempotencyKey: IdempotencyKey?) throws -> Response {
        let settings = context.orderSettings
        func answer(_ order: OrderRecord) -> Response {
            Envelope.success(OrderView(order, viewerId: principal.userId), status: .created)
        }
        let order = try context.stockLevels.writing { stock in
            try db.withTransaction { db in
                // Saved addresses are the caller's own data, read before any lock is taken, so
                // the locks below are held no longer than needed.
                let shipping = try resolve(input.shipping, field: "shippingAddressId", userId: principal.userId, on: db)
                let billing = try input.billing.map { try resolve($0, field: "billingAddressId", userId: principal.userId, on: db) } ?? shipping
                // The cart's lock comes first: a second checkout of the same cart waits on it and
                // then finds it empty. Unpaid orders hold stock until they expire: one account
                // may not hoard it. The count is read after the cart's lock, so a checkout of
                // this user that committed while this one waited is counted.
                let limit = settings.maxPendingOrders
                let (cart, lines, unpaid) = try CartStore.lockForCheckout(
                    userId: principal.userId, counting: limit > 0 ? OrderStore.pendingOrders(userId: principal.userId, upTo: limit) : "SELECT 0", on: db)
                guard let (cartId, couponId) = cart, !lines.isEmpty else { throw APIError.badRequest("Cart is empty") }
                guard limit == 0 || unpaid < limit else {
                    throw APIError.conflict(
                        "You have \(limit) unpaid orders; pay or cancel one first",
                        details: [FieldError(field: "orders", message: "at most \(limit) unpaid orders at a time")])
                }
                let shortages = lines.filter { !$0.available }.map {
                    StockShortage(productId: $0.productId, requested: $0.quantity, available: $0.isActive ? $0.stockQuantity : 0)
                }
                guard shortages.isEmpty else { throw StockShortage.conflict(shortages) }
                let priced = lines.map { (unitPrice: $0.unitPrice, quantity: $0.quantity) }
                let coupon = try couponId.map { try redeem($0, userId: principal.userId, lines: priced, on: db) }
                let totals: OrderTotals
                do {
                    totals = try OrderTotals.compute(lines: priced, coupon: coupon?.terms, settings: settings)
                } catch {
                    throw APIError.badRequest("The order total would exceed \(Cents.maximum)")
                }
                let newOrder = OrderStore.NewOrder(
                    userId: principal.userId, totals: totals, currency: settings.currency,
                    shippingAddress: shipping, billingAddress: billing, lines: lines, coupon: coupon)
                let placed = try OrderStore.place(newOrder, cartId: cartId, on: db)
                stock.changed(placed.stock)
                let order = OrderRecord(placed, newOrder)
                try WebhookOutbox.emit(.orderCreated, entity: "order:\(order.id)", data: OrderView(order, viewerId: "").json, on: db)
                for level in placed.stock where level.after <= 0 && level.before > 0 {
                    try WebhookOutbox.emit(
                        .productOutOfStock, entity: "product:\(level.productId)",
                        data: .object(["id": .string(level.productId), "stockQuantity": .int(level.after)]), on: db)
                }
                // Committed with the order, but not final: a duplicate arriving while the
                // PaymentIntent is being made gets 409 instead of this answer without its payment.
                if let idempotencyKey {
                    try IdempotencyStore.commit(idempotencyKey, response: answer(order), on: db)
                }
                return order
            }
        }
        context.orderPlaced()
        let answer = answer(context.orderPayments.orderPlaced(order).map(order.with) ?? order)
        // Should this fail, the committed answer is replayed once the claim is abandoned, with
        // payment null; create-payment-intent then reuses the intent.
        if let idempotencyKey { try? IdempotencyStore.complete(idempotencyKey, response: answer, on: db) }
        return answer
    }

    /// Counts the cart's coupon as redeemed by this order (API.md §12.2), after the products'
    /// locks (the order every writer takes: products, then the coupon), or refuses the checkout
    /// with a 409 on `code` saying why; the transaction then rolls back whole.
    private func redeem(
        _ couponId: String, userId: String, lines: [(unitPrice: Cents, quantity: Int)], on db: PostgresClient
    ) throws -> (id: String, terms: CouponTerms) {
        let subtotal = lines.reduce(Cents.zero) { $0 + $1.unitPrice * Int64($1.quantity) }
        if let terms = try CouponStore.redeem(couponId: couponId, userId: userId, subtotal: subtotal, on: db) { return (couponId, terms) }
        guard let standing = try CouponStore.standing(id: couponId, userId: userId, on: db) else { throw CouponStanding.unknown }
        throw standing.refusal(subtotal: subtotal) ?? CouponStanding.conflict("cannot be applied")
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
