import Webhooks
import Audit
import Coupons
import Inventory
import Mail
import Postgres

/// Cancelling, as the owner, an admin and the expiry job all do it: the guarded move to
/// CANCELLED, the stock back, the coupon's redemption back, the email, in the caller's
/// transaction. Only the move that wins
/// returns stock, so it comes back exactly once.
enum OrderCancellation {
    struct Outcome {
        let order: OrderRecord
        let previousStatus: OrderStatus
    }

    /// nil when the order is not in one of `from` (or not `ownerId`'s): nothing changed.
    /// `actor`: who to record in the audit log (an admin, a key, the expiry); nil for a customer
    /// cancelling their own order.
    static func cancel(
        _ id: String, ownerId: String?, from: [OrderStatus], reason: OrderMail.CancelReason, stock: StockWrite, actor: AuditActor?,
        on db: PostgresClient
    ) throws -> Outcome? {
        guard let previous = try OrderStore.transition(id, ownerId: ownerId, from: from, to: .cancelled, on: db) else { return nil }
        if let actor {
            try AuditLog.record(
                actor, action: "order.cancel", entityType: "order", entityId: id,
                changes: .object(["status": .array([.string(previous.rawValue), .string(OrderStatus.cancelled.rawValue)])]), on: db)
        }
        guard let order = try OrderStore.find(id, on: db) else { throw PostgresDecodingError(column: "id", type: "OrderRecord", problem: .rowCount(0)) }
        stock.changed(try StockStore.restore(order.items.map { ($0.productId, $0.quantity) }, on: db))
        // After the products, as checkout takes them: the coupon's redemption is given back.
        try CouponStore.release(orderId: id, on: db)
        try WebhookOutbox.emit(.orderCancelled, entity: "order:\(id)", data: OrderView(order, viewerId: "").json, on: db)
        let customer = try OrderStore.customer(of: id, on: db)
        let wasPaid = previous == .paid || previous == .processing
        try Outbox.enqueue(OrderMail.cancelled(order, reason: reason, wasPaid: wasPaid, to: customer.email, firstName: customer.firstName), on: db)
        return Outcome(order: order, previousStatus: previous)
    }
}

/// The jobs process's part (API.md §6): orders left unpaid for `ORDER_PAYMENT_TIMEOUT` are
/// cancelled and their stock returned.
public enum OrderExpiry {
    /// Cancels up to `limit` overdue orders, each in its own transaction; the cancelled ones.
    public static func run(timeoutSeconds: Int, limit: Int = 50, stockLevels: StockLevels, on db: PostgresClient) throws -> [OrderRecord] {
        var cancelled: [OrderRecord] = []
        for id in try OrderStore.overdue(olderThan: timeoutSeconds, limit: limit, on: db) {
            let outcome = try stockLevels.writing { stock in
                try db.withTransaction { db in
                    // PENDING only: a payment that landed since the scan wins.
                    try OrderCancellation.cancel(
                        id, ownerId: nil, from: [.pending], reason: .paymentTimeout(minutes: max(1, timeoutSeconds / 60)),
                        stock: stock, actor: .system, on: db)
                }
            }
            if let outcome { cancelled.append(outcome.order) }
        }
        return cancelled
    }
}
