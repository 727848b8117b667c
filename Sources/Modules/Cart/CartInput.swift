import HTTP

/// `POST /api/cart/items`: a product and how many to add.
struct CartItemAdd {
    let productId: String
    let quantity: Int

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let productId = body.uuid("productId")
        let quantity = body.int("quantity", range: CartRules.quantityRange)
        try body.finish()
        self.productId = productId!
        self.quantity = quantity!
    }
}

/// `PATCH /api/cart/items/:itemId`: the line's new quantity.
struct CartItemUpdate {
    let quantity: Int

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let quantity = body.int("quantity", range: CartRules.quantityRange)
        try body.finish()
        self.quantity = quantity!
    }
}

public enum CartRules {
    /// What one line may hold (the `cart_items` check says the same).
    public static let quantityRange = 1...999
}

/// `POST /api/cart/coupon`: the code, in any case.
struct CartCouponInput {
    let code: String

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        // Any text up to the column's size is looked up; a malformed code is simply unknown.
        let code = body.string("code", minLength: 1, maxLength: 64)
        try body.finish()
        self.code = (code ?? "").uppercased()
    }
}
