import Audit
import HTTP
import Idempotency

/// API.md §6.
public enum OrdersRoutes {
    public static func routes<Context: OrdersContext>() -> [Route<Context>] {
        [
            Route(.post, "/api/orders", access: .bearer, body: .json) { request, context in
                let principal = try context.requirePrincipal()
                let input = try CheckoutInput(request)
                let key = try IdempotencyKey(request, userId: principal.userId, scope: "orders")
                let db = context.database
                return try IdempotentRequest.run(key, on: db, replayed: { try CheckoutReplay.current($0, on: db) }) { key in
                    try CheckoutService(context: context.app).checkout(principal, input, idempotencyKey: key)
                }
            },
            Route(.get, "/api/orders", access: .bearer) { request, context in
                let principal = try context.requirePrincipal()
                let query = try OrderStore.ListQuery(request, principal: principal)
                let (orders, total) = try OrderService(context: context.app).list(query)
                return Envelope.list(
                    orders.map { OrderView($0, viewerId: principal.userId) },
                    pagination: Pagination(total: total, page: query.page, limit: query.limit))
            },
            Route(.get, "/api/orders/:id", access: .bearer) { request, context in
                let principal = try context.requirePrincipal()
                let order = try OrderService(context: context.app).order(try context.uuidParameter("id"), for: principal)
                return Envelope.success(OrderView(order, viewerId: principal.userId))
            },
            Route(.patch, "/api/orders/:id/cancel", access: .bearer) { request, context in
                let principal = try context.requirePrincipal()
                let order = try OrderService(context: context.app).cancel(try context.uuidParameter("id"), by: principal, actor: AuditActor(principal, request))
                return Envelope.success(OrderView(order, viewerId: principal.userId))
            },
            Route(.patch, "/api/orders/:id/status", access: .admin, body: .json) { request, context in
                let principal = try context.requirePrincipal()
                let id = try context.uuidParameter("id")
                let input = try OrderStatusChange(request)
                return Envelope.success(
                    OrderView(try OrderService(context: context.app).changeStatus(id, to: input.status, by: AuditActor(principal, request)), viewerId: principal.userId))
            },
        ]
    }
}
