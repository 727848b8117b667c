import Postgres

/// Whether a coupon can be redeemed now, worded once in SQL on a `coupons` row (`c`, or the
/// alias given): the cart's view, the reasons of a refusal and checkout's redeeming update all
/// read these, so they cannot drift apart.
public enum CouponRules {
    static func notStarted(_ c: PostgresQuery) -> PostgresQuery { "(\(c).starts_at IS NOT NULL AND now() < \(c).starts_at)" }
    static func ended(_ c: PostgresQuery) -> PostgresQuery { "(\(c).ends_at IS NOT NULL AND now() >= \(c).ends_at)" }
    static func exhausted(_ c: PostgresQuery) -> PostgresQuery { "(\(c).max_redemptions IS NOT NULL AND \(c).redemptions >= \(c).max_redemptions)" }

    /// Active, inside its window and not fully redeemed (the subtotal and the customer aside).
    public static func open(_ c: PostgresQuery) -> PostgresQuery {
        "(\(c).is_active AND NOT \(notStarted(c)) AND NOT \(ended(c)) AND NOT \(exhausted(c)))"
    }

    /// The live redemptions of the coupon by `userId` (cancelled orders gave theirs back).
    static func usedBy(_ userId: String?, _ c: PostgresQuery) -> PostgresQuery {
        """
        (SELECT count(*) FROM coupon_redemptions r WHERE r.coupon_id = \(c).id AND r.user_id = \(bind: userId)::uuid AND r.released_at IS NULL)
        """
    }
}
