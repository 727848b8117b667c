import HTTP

/// API.md §5: one cart per user, made on first use.
public enum CartRoutes {
    public static func routes<Context: CartContext>() -> [Route<Context>] {
        [
            Route(.get, "/api/cart", access: .bearer) { request, context in
                Envelope.success(try CartService(context: context.app).cart(userId: try context.requirePrincipal().userId))
            },
            Route(.post, "/api/cart/items", access: .bearer, body: .json) { request, context in
                let input = try CartItemAdd(request)
                return Envelope.success(try CartService(context: context.app).add(userId: try context.requirePrincipal().userId, input), status: .created)
            },
            Route(.patch, "/api/cart/items/:itemId", access: .bearer, body: .json) { request, context in
                let lineId = try context.uuidParameter("itemId")
                let input = try CartItemUpdate(request)
                return Envelope.success(try CartService(context: context.app).update(userId: try context.requirePrincipal().userId, lineId: lineId, input))
            },
            Route(.delete, "/api/cart/items/:itemId", access: .bearer) { request, context in
                let lineId = try context.uuidParameter("itemId")
                return Envelope.success(try CartService(context: context.app).remove(userId: try context.requirePrincipal().userId, lineId: lineId))
            },
            Route(.delete, "/api/cart", access: .bearer) { request, context in
                Envelope.success(try CartService(context: context.app).empty(userId: try context.requirePrincipal().userId))
            },
        ]
    }
}
