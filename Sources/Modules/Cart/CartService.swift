import Coupons
import HTTP
import Postgres

/// The cart rules of API.md §5, §12.1 and §12.2, for a user's cart or a guest's. Every change
/// runs behind the cart's row lock (taken by the statement that touches the cart), so two
/// requests on one cart adding the same product cannot both pass the stock check. Cart writes
/// commit without waiting for the disk: a PostgreSQL crash may lose the last fraction of a
/// second of them (the shopper adds the line again); checkout, which turns a cart into an
/// order, waits for it.
struct CartService<Context: CartContext> {
    let context: Context
    var db: PostgresClient { context.database }

    static var guestCartNotFound: APIError { APIError.notFound("Cart not found") }

    func cart(_ owner: CartOwner) throws -> CartView {
        if let view = try CartStore.view(owner, currency: context.currency, on: db) { return view }
        // A user's cart is made on first use; a guest's exists or the token is dead.
        guard owner.userId != nil else { throw Self.guestCartNotFound }
        try db.withTransaction(durability: .deferred) { db in _ = try CartStore.lockCart(owner, on: db) }
        guard let view = try CartStore.view(owner, currency: context.currency, on: db) else { throw APIError.notFound("Cart not found") }
        return view
    }

    /// `POST /api/cart/guest`: a new empty cart and the token that names it, shown once.
    func createGuest() throws -> (token: String, cart: CartView) {
        let (token, hash) = try GuestCartToken.make()
        try db.withTransaction(durability: .deferred) { db in try CartStore.insertGuest(tokenHash: hash, on: db) }
        return (token, try cart(.guest(tokenHash: hash)))
    }

    /// The same product again adds to its line. The common case is one statement that checks
    /// and writes, sent with the cart's lock; only a refusal reads the product again, to say why.
    func add(_ owner: CartOwner, _ input: CartItemAdd) throws -> CartView {
        let locking = { (db: PostgresClient) in
            try CartStore.lockCart(owner, adding: input.quantity, of: input.productId, maxLine: CartRules.quantityRange.upperBound, on: db)
        }
        return try changing(owner, locking: locking) { cartId, added, db in
            if added { return }
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
    }

    func update(_ owner: CartOwner, lineId: String, _ input: CartItemUpdate) throws -> CartView {
        try changing(owner) { cartId, db in
            guard let (productId, product) = try CartStore.line(lineId, cartId: cartId, on: db) else {
                throw APIError.notFound("Cart item not found")
            }
            try Self.checkStock(productId: productId, quantity: input.quantity, product)
            try CartStore.setQuantity(cartId: cartId, productId: productId, quantity: input.quantity, on: db)
        }
    }

    func remove(_ owner: CartOwner, lineId: String) throws -> CartView {
        try changing(owner) { cartId, db in
            guard try CartStore.deleteLine(lineId, cartId: cartId, on: db) else { throw APIError.notFound("Cart item not found") }
        }
    }

    func empty(_ owner: CartOwner) throws -> CartView {
        try changing(owner) { cartId, db in try CartStore.empty(cartId: cartId, on: db) }
    }

    /// `POST /api/cart/coupon`: the coupon must apply now to this cart (a guest's per-customer
    /// limit is checked at checkout, once there is a customer); else a 409 on `code` saying why.
    func applyCoupon(_ owner: CartOwner, _ input: CartCouponInput) throws -> CartView {
        try changing(owner) { cartId, db in
            guard let standing = try CouponStore.standing(code: input.code, userId: owner.userId, on: db) else { throw CouponStanding.unknown }
            guard let view = try CartStore.view(owner, currency: context.currency, on: db) else { throw Self.guestCartNotFound }
            if let refusal = standing.refusal(subtotal: view.subtotal) { throw refusal }
            try CartStore.setCoupon(standing.id, cartId: cartId, on: db)
        }
    }

    func removeCoupon(_ owner: CartOwner) throws -> CartView {
        try changing(owner) { cartId, db in try CartStore.setCoupon(nil, cartId: cartId, on: db) }
    }

    /// Runs `change` on the owner's locked cart in one transaction and answers the cart as it
    /// left it, read in the COMMIT's round trip.
    private func changing(_ owner: CartOwner, _ change: (String, PostgresClient) throws -> Void) throws -> CartView {
        let locking = { (db: PostgresClient) in try CartStore.lockCart(owner, on: db).map { ($0, ()) } }
        return try changing(owner, locking: locking) { cartId, _, db in try change(cartId, db) }
    }

    /// `changing`, with the cart locked by `locking`, which may send more with the lock (the
    /// cart's id and what that returned; nil: no such cart).
    private func changing<Locked>(
        _ owner: CartOwner, locking: (PostgresClient) throws -> (String, Locked)?, _ change: (String, Locked, PostgresClient) throws -> Void
    ) throws -> CartView {
        try db.withTransaction(durability: .deferred) { db in
            guard let (cartId, locked) = try locking(db) else { throw Self.guestCartNotFound }
            try change(cartId, locked, db)
            guard let view = try CartStore.view(owner, currency: context.currency, on: db, committing: true) else {
                throw APIError.notFound("Cart not found")
            }
            return view
        }
    }

    /// A product no longer on sale has nothing available.
    private static func checkStock(productId: String, quantity: Int, _ product: CartStore.ProductState) throws(APIError) {
        let available = product.isActive ? product.stockQuantity : 0
        if quantity > available {
            throw StockShortage.conflict([StockShortage(productId: productId, requested: quantity, available: available)])
        }
    }
}
