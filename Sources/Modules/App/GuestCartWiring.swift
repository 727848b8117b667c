import Auth
import Cart
import HTTP
import Postgres

/// Login and register merge a guest cart (API.md §12.1): Auth asks, Cart does it.
extension AppContext {
    public func mergeGuestCart(cartToken: String, intoUser userId: String, on db: PostgresClient) throws -> [JSONValue]? {
        try CartStore.mergeGuest(tokenHash: GuestCartToken.hash(cartToken), intoUser: userId, maxLine: CartRules.quantityRange.upperBound, on: db)?
            .map(\.json)
    }
}
