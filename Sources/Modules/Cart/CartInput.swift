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

enum CartRules {
    /// What one line may hold (the `cart_items` check says the same).
    static let quantityRange = 1...999
}
