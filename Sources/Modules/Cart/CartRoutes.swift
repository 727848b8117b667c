import HTTP

/// API.md §5: one cart per user, made on first use.
public enum CartRoutes {
    public static func routes<Context: CartContext>() -> [Route<Context>] {
        [
            Route(.get, "/api/cart", access: .bearer) { request, context in
                Envelope.success(try CartService(context: context).cart(userId: try request.requirePrincipal().userId))
            },
            Route(.post, "/api/cart/items", access: .bearer, body: .json) { request, context in
                let input = try CartItemAdd(request)
                return Envelope.success(try CartService(context: context).add(userId: try request.requirePrincipal().userId, input), status: .created)
            },
            Route(.patch, "/api/cart/items/:itemId", access: .bearer, body: .json) { request, context in
                let lineId = try request.uuidParameter("itemId")
                let input = try CartItemUpdate(request)
                return Envelope.success(try CartService(context: context).update(userId: try request.requirePrincipal().userId, lineId: lineId, input))
            },
            Route(.delete, "/api/cart/items/:itemId", access: .bearer) { request, context in
                let lineId = try request.uuidParameter("itemId")
                return Envelope.success(try CartService(context: context).remove(userId: try request.requirePrincipal().userId, lineId: lineId))
            },
            Route(.delete, "/api/cart", access: .bearer) { request, context in
                Envelope.success(try CartService(context: context).empty(userId: try request.requirePrincipal().userId))
            },
        ]
    }
}
