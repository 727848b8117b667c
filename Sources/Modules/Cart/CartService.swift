import HTTP
import Postgres

/// The cart rules of API.md §5. Every change runs behind the cart's row lock (taken by the
/// statement that touches the cart), so two requests of one user adding the same product
/// cannot both pass the stock check. Cart writes commit without waiting for the disk: a
/// PostgreSQL crash may lose the last fraction of a second of them (the shopper adds the line
/// again); checkout, which turns a cart into an order, waits for it.
struct CartService<Context: CartContext> {
    let context: Context
    var db: PostgresClient { context.database }

    func cart(userId: String) throws -> CartView {
        if let view = try CartStore.view(userId: userId, currency: context.currency, on: db) { return view }
        try db.withTransaction(durability: .deferred) { db in _ = try CartStore.lockCart(userId: userId, on: db) }
        guard let view = try CartStore.view(userId: userId, currency: context.currency, on: db) else { throw APIError.notFound("Cart not found") }
        return view
    }

    /// The same product again adds to its line. The common case is one statement that checks
    /// and writes; only a refusal reads the product again, to say why.
    func add(userId: String, _ input: CartItemAdd) throws -> CartView {
        try db.withTransaction(durability: .deferred) { db in
            let cartId = try CartStore.lockCart(userId: userId, on: db)
            if try CartStore.add(input.quantity, of: input.productId, cartId: cartId, maxLine: CartRules.quantityRange.upperBound, on: db) { return }
            guard let (product, inCart) = try CartStore.product(input.productId, inCart: cartId, on: db), product.isActive else {
                throw APIError.notFound("Product not found")
            }
            let quantity = inCart + input.quantity
            guard CartRules.quantityRange.contains(quantity) else {
                throw APIError.validation([FieldError(field: "quantity", message: "a line holds at most \(CartRules.quantityRange.upperBound) units")])
            }
            try Self.checkStock(productId: input.productId, quantity: quantity, product)
            // Stock came back between the two statements (a cancel): the add stands.
            try CartStore.setQuantity(cartId: cartId, productId: input.productId, quantity: quantity, on: db)
        }
        return try cart(userId: userId)
    }

    func update(userId: String, lineId: String, _ input: CartItemUpdate) throws -> CartView {
        try db.withTransaction(durability: .deferred) { db in
            let cartId = try CartStore.lockCart(userId: userId, on: db)
            guard let (productId, product) = try CartStore.line(lineId, cartId: cartId, on: db) else {
                throw APIError.notFound("Cart item not found")
            }
            try Self.checkStock(productId: productId, quantity: input.quantity, product)
            try CartStore.setQuantity(cartId: cartId, productId: productId, quantity: input.quantity, on: db)
        }
        return try cart(userId: userId)
    }

    func remove(userId: String, lineId: String) throws -> CartView {
        try db.withTransaction(durability: .deferred) { db in
            let cartId = try CartStore.lockCart(userId: userId, on: db)
            guard try CartStore.deleteLine(lineId, cartId: cartId, on: db) else { throw APIError.notFound("Cart item not found") }
        }
        return try cart(userId: userId)
    }

    func empty(userId: String) throws -> CartView {
        try db.withTransaction(durability: .deferred) { db in try CartStore.empty(cartId: try CartStore.lockCart(userId: userId, on: db), on: db) }
        return try cart(userId: userId)
    }

    /// A product no longer on sale has nothing available.
    private static func checkStock(productId: String, quantity: Int, _ product: CartStore.ProductState) throws(APIError) {
        let available = product.isActive ? product.stockQuantity : 0
        if quantity > available {
            throw StockShortage.conflict([StockShortage(productId: productId, requested: quantity, available: available)])
        }
    }
}
