import HTTP
import Postgres

/// A coupon found by its code and everything that could stop it applying now: what
/// `POST /api/cart/coupon` and a refused checkout turn into a 409 on `code` that says which.
public struct CouponStanding: Sendable {
    public let id: String
    public let terms: CouponTerms
    let minSubtotal: Cents?
    let isActive: Bool
    let notStarted: Bool
    let ended: Bool
    let exhausted: Bool
    let usedUp: Bool

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        terms = try CouponTerms(row: row)
        minSubtotal = try row.decode("min_subtotal")
        isActive = try row.decode("is_active")
        notStarted = try row.decode("not_started")
        ended = try row.decode("ended")
        exhausted = try row.decode("exhausted")
        usedUp = try row.decode("used_up")
    }

    /// Why the coupon cannot apply to a cart of `subtotal`; nil when it can.
    public func refusal(subtotal: Cents) -> APIError? {
        let reason: String? =
            if !isActive { "is no longer active" } else if notStarted { "is not valid yet" } else if ended { "has expired" } else if exhausted {
                "has been fully redeemed"
            } else if usedUp { "has already been used the most times one customer may" } else if let minSubtotal, subtotal < minSubtotal {
                "needs a subtotal of at least \(minSubtotal)"
            } else { nil }
        return reason.map(Self.conflict)
    }

    public static func conflict(_ reason: String) -> APIError {
        APIError.conflict("Coupon cannot be applied", details: [FieldError(field: "code", message: reason)])
    }

    public static var unknown: APIError { conflict("is not a valid coupon code") }
}
