import HTTP
import Inventory
import Postgres

/// The guest half of `carts` (API.md §12.1): merging a guest cart into a user's at login, and
/// deleting the ones left idle.
extension CartStore {
    /// One line of a guest cart that did not fit whole into the user's cart.
    public struct CappedLine: JSONRepresentable, Sendable, Equatable {
        public let productId: String
        public let requested: Int
        public let kept: Int

        public var json: JSONValue { .object(["productId": .string(productId), "requested": .int(requested), "kept": .int(kept)]) }
    }

    /// Moves the guest cart of `tokenHash` into `userId`'s cart, in the caller's transaction:
    /// quantities add up, each line capped at its product's stock (0 when it is no longer on
    /// sale: the line goes) and at `maxLine`; the guest's coupon comes along when the user's
    /// cart has none; the guest cart is deleted, so its token is dead. The user's cart is
    /// locked first, then the guest's (a concurrent guest request waits or finds nothing).
    /// The capped lines; nil when there is no such guest cart.
    public static func mergeGuest(tokenHash: [UInt8], intoUser userId: String, maxLine: Int, on db: PostgresClient) throws -> [CappedLine]? {
        guard let userCart = try lockCart(.user(userId), on: db),
            let guest = try db.query(
                "SELECT id, coupon_id FROM carts c WHERE \(CartOwner.guest(tokenHash: tokenHash).condition) FOR UPDATE"
            ).first
        else { return nil }
        let guestCart = try guest.decode("id", as: String.self)
        let guestCoupon = try guest.decode("coupon_id", as: String?.self)
        return try db.query(
            """
            WITH merged AS (
                SELECT g.product_id, coalesce(u.quantity, 0) + g.quantity AS requested,
                       least(coalesce(u.quantity, 0) + g.quantity, CASE WHEN \(StockStore.onSale) THEN p.stock_quantity ELSE 0 END, \(bind: maxLine)) AS kept
                FROM cart_items g JOIN products p ON p.id = g.product_id
                     LEFT JOIN cart_items u ON u.cart_id = \(bind: userCart) AND u.product_id = g.product_id
                WHERE g.cart_id = \(bind: guestCart)
            ), kept AS (
                INSERT INTO cart_items (cart_id, product_id, quantity)
                SELECT \(bind: userCart), product_id, kept FROM merged WHERE kept > 0
                ON CONFLICT (cart_id, product_id) DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = now()
            ), dropped AS (
                DELETE FROM cart_items WHERE cart_id = \(bind: userCart) AND product_id IN (SELECT product_id FROM merged WHERE kept = 0)
            ), gone AS (
                DELETE FROM carts WHERE id = \(bind: guestCart)
            ), coupon AS (
                UPDATE carts SET coupon_id = coalesce(coupon_id, \(bind: guestCoupon)::uuid) WHERE id = \(bind: userCart)
            )
            SELECT product_id, requested, kept FROM merged WHERE kept < requested ORDER BY product_id
            """
        ).map { CappedLine(productId: try $0.decode("product_id"), requested: try $0.decode("requested"), kept: try $0.decode("kept")) }
    }

    /// Deletes up to `limit` guest carts untouched for `idleSeconds`, oldest first; how many.
    public static func deleteIdleGuests(idleSeconds: Int, limit: Int, on db: PostgresClient) throws -> Int {
        try db.query(
            """
            DELETE FROM carts WHERE id IN (
                SELECT id FROM carts WHERE user_id IS NULL AND guest_active_at < now() - make_interval(secs => \(bind: idleSeconds))
                ORDER BY guest_active_at LIMIT \(bind: limit) FOR UPDATE SKIP LOCKED)
            """
        ).affectedRows
    }
}
