import HTTP

/// API.md §5, §12.1 and §12.2: a user's cart (made on first use) or a guest's (named by
/// `X-Cart-Token`), and the coupon on it.
public enum CartRoutes {
    public static func routes<Context: CartContext>() -> [Route<Context>] {
        [
            Route(.post, "/api/cart/guest") { request, context in
                let (token, cart) = try CartService(context: context.app).createGuest()
                return Envelope.success(JSONValue.object(["cartToken": .string(token), "cart": cart.json]), status: .created)
            },
            Route(.get, "/api/cart", access: .bearerOrCartToken) { request, context in
                Envelope.success(try CartService(context: context.app).cart(try CartOwner.of(request, context)))
            },
            Route(.post, "/api/cart/items", access: .bearerOrCartToken, body: .json) { request, context in
                let input = try CartItemAdd(request)
                return Envelope.success(try CartService(context: context.app).add(try CartOwner.of(request, context), input), status: .created)
            },
            Route(.patch, "/api/cart/items/:itemId", access: .bearerOrCartToken, body: .json) { request, context in
                let lineId = try context.uuidParameter("itemId")
                let input = try CartItemUpdate(request)
                return Envelope.success(try CartService(context: context.app).update(try CartOwner.of(request, context), lineId: lineId, input))
            },
            Route(.delete, "/api/cart/items/:itemId", access: .bearerOrCartToken) { request, context in
                let lineId = try context.uuidParameter("itemId")
                return Envelope.success(try CartService(context: context.app).remove(try CartOwner.of(request, context), lineId: lineId))
            },
            Route(.delete, "/api/cart", access: .bearerOrCartToken) { request, context in
                Envelope.success(try CartService(context: context.app).empty(try CartOwner.of(request, context)))
            },
            Route(.post, "/api/cart/coupon", access: .bearerOrCartToken, body: .json) { request, context in
                let input = try CartCouponInput(request)
                return Envelope.success(try CartService(context: context.app).applyCoupon(try CartOwner.of(request, context), input))
            },
            Route(.delete, "/api/cart/coupon", access: .bearerOrCartToken) { request, context in
                Envelope.success(try CartService(context: context.app).removeCoupon(try CartOwner.of(request, context)))
            },
        ]
    }
}
