import Webhooks
import Audit
import HTTP
import Mail
import Postgres

/// Reading orders and moving them through the state machine (API.md §6). Anyone but the
/// owner or an admin gets 404, as if the order did not exist.
struct OrderService<Context: OrdersContext> {
    let context: Context
    var db: PostgresClient { context.database }

    func list(_ query: OrderStore.ListQuery) throws -> (orders: [OrderRecord], total: Int) {
        try OrderStore.list(query, on: db)
    }

    func order(_ id: String, for principal: Principal) throws -> OrderRecord {
        guard let order = try OrderStore.find(id, ownerId: Self.ownerFilter(principal), on: db) else { throw APIError.notFound("Order not found") }
        return order
    }

    func cancel(_ id: String, by principal: Principal, actor: AuditActor) throws -> OrderRecord {
        let ownerId = Self.ownerFilter(principal)
        let outcome = try context.stockLevels.writing { stock in
            try db.withTransaction { db in
                guard
                    let outcome = try OrderCancellation.cancel(
                        id, ownerId: ownerId, from: OrderStatus.cancellable,
                        reason: .requestedBy(userId: principal.userId), stock: stock,
                        actor: principal.role == .admin ? actor : nil, on: db)
                else {
                    throw try refusal(id, ownerId: ownerId, on: db, "cancelled")
                }
                return outcome
            }
        }
        context.orderPayments.orderCancelled(outcome.order, previousStatus: outcome.previousStatus)
        return outcome.order
    }

    /// PAID→PROCESSING→SHIPPED→DELIVERED, and PAID→SHIPPED; SHIPPED queues the shipping email.
    func changeStatus(_ id: String, to target: OrderStatus, by actor: AuditActor) throws -> OrderRecord {
        try db.withTransaction { db in
            guard let previous = try OrderStore.transition(id, ownerId: nil, from: target.adminPredecessors, to: target, on: db) else {
                throw try refusal(id, ownerId: nil, on: db, "moved to \(target.rawValue)")
            }
            try AuditLog.record(
                actor, action: "order.status", entityType: "order", entityId: id,
                changes: .object(["status": .array([.string(previous.rawValue), .string(target.rawValue)])]), on: db)
            guard let order = try OrderStore.find(id, on: db) else { throw APIError.notFound("Order not found") }
            if let event: WebhookEventType = target == .shipped ? .orderShipped : target == .delivered ? .orderDelivered : nil {
                try WebhookOutbox.emit(event, entity: "order:\(id)", data: OrderView(order, viewerId: "").json, on: db)
            }
            if target == .shipped {
                let customer = try OrderStore.customer(of: id, on: db)
                try Outbox.enqueue(OrderMail.shipped(order, to: customer.email, firstName: customer.firstName), on: db)
            }
            return order
        }
    }

    /// 404 when the order is not there for this caller, else 409 naming the state it is in.
    private func refusal(_ id: String, ownerId: String?, on db: PostgresClient, _ action: String) throws -> APIError {
        guard let status = try OrderStore.status(id, ownerId: ownerId, on: db) else { return APIError.notFound("Order not found") }
        return APIError.conflict("An order that is \(status.rawValue) cannot be \(action)")
    }

    /// Admins see every order; anyone else only their own.
    static func ownerFilter(_ principal: Principal) -> String? { principal.role == .admin ? nil : principal.userId }
}
