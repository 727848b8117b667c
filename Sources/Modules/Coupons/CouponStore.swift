import HTTP
import Postgres

/// All SQL of `coupons` and `coupon_redemptions`. Lock order, as everywhere: cart, order,
/// products, then the coupon; checkout and cancel both take the coupon last.
public enum CouponStore {
    static func insert(_ input: CouponInput, on db: PostgresClient) throws -> CouponRecord {
        try db.query(
            """
            WITH c AS (
                INSERT INTO coupons (code, type, value, min_subtotal, starts_at, ends_at, max_redemptions, max_redemptions_per_user, is_active)
                VALUES (\(bind: input.code), \(bind: input.kind?.rawValue), \(bind: input.value)::numeric, \(bind: input.minSubtotal ?? nil)::numeric,
                        \(bind: input.startsAt ?? nil)::timestamptz, \(bind: input.endsAt ?? nil)::timestamptz,
                        \(bind: input.maxRedemptions ?? nil)::int, \(bind: input.maxRedemptionsPerUser ?? nil)::int, \(bind: input.isActive ?? true))
                RETURNING *
            )
            SELECT \(CouponRecord.columns) FROM c
            """
        ).single().decodeRecord()
    }

    /// A coupon made outside the API (`seed-demo`), unless its code exists; whether it was made.
    public static func insertIfAbsent(
        _ terms: CouponTerms, minSubtotal: Cents?, maxRedemptionsPerUser: Int?, on db: PostgresClient
    ) throws -> Bool {
        try db.query(
            """
            INSERT INTO coupons (code, type, value, min_subtotal, max_redemptions_per_user)
            VALUES (\(bind: terms.code), \(bind: terms.kind.rawValue), \(bind: terms.value)::numeric,
                    \(bind: minSubtotal)::numeric, \(bind: maxRedemptionsPerUser)::int)
            ON CONFLICT (code) DO NOTHING
            """
        ).affectedRows == 1
    }

    /// Only the fields the body names change; a named null clears.
    static func update(_ id: String, _ input: CouponInput, on db: PostgresClient) throws -> CouponRecord? {
        func set<T>(_ field: T??) -> Bool { field != nil }
        return try db.query(
            """
            WITH c AS (
                UPDATE coupons SET
                    code = coalesce(\(bind: input.code), code),
                    type = coalesce(\(bind: input.kind?.rawValue), type),
                    value = coalesce(\(bind: input.value)::numeric, value),
                    min_subtotal = CASE WHEN \(bind: set(input.minSubtotal)) THEN \(bind: input.minSubtotal ?? nil)::numeric ELSE min_subtotal END,
                    starts_at = CASE WHEN \(bind: set(input.startsAt)) THEN \(bind: input.startsAt ?? nil)::timestamptz ELSE starts_at END,
                    ends_at = CASE WHEN \(bind: set(input.endsAt)) THEN \(bind: input.endsAt ?? nil)::timestamptz ELSE ends_at END,
                    max_redemptions = CASE WHEN \(bind: set(input.maxRedemptions)) THEN \(bind: input.maxRedemptions ?? nil)::int ELSE max_redemptions END,
                    max_redemptions_per_user = CASE WHEN \(bind: set(input.maxRedemptionsPerUser))
                        THEN \(bind: input.maxRedemptionsPerUser ?? nil)::int ELSE max_redemptions_per_user END,
                    is_active = coalesce(\(bind: input.isActive), is_active),
                    updated_at = now()
                WHERE id = \(bind: id)
                RETURNING *
            )
            SELECT \(CouponRecord.columns) FROM c
            """
        ).first.map(CouponRecord.init(row:))
    }

    static func find(_ id: String, on db: PostgresClient) throws -> CouponRecord? {
        try db.query("SELECT \(CouponRecord.columns) FROM coupons c WHERE c.id = \(bind: id)", idempotent: true).first.map(CouponRecord.init(row:))
    }

    static func list(isActive: Bool?, page: Pagination, on db: PostgresClient) throws -> (coupons: [CouponRecord], total: Int) {
        let filter: PostgresQuery = "WHERE (\(bind: isActive)::boolean IS NULL OR c.is_active = \(bind: isActive)::boolean)"
        let total = try db.query("SELECT count(*) AS total FROM coupons c \(filter)", idempotent: true).single().decode("total", as: Int.self)
        let coupons = try db.query(
            """
            SELECT \(CouponRecord.columns) FROM coupons c \(filter) ORDER BY c.created_at DESC, c.id
            LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
            """, idempotent: true
        ).map(CouponRecord.init(row:))
        return (coupons, total)
    }

    /// Deletes a coupon no order ever used; false when there is none, nil when it was redeemed.
    static func delete(_ id: String, on db: PostgresClient) throws -> Bool? {
        let row = try db.query(
            """
            WITH gone AS (
                DELETE FROM coupons c WHERE c.id = \(bind: id) AND NOT EXISTS (SELECT 1 FROM coupon_redemptions r WHERE r.coupon_id = c.id)
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM gone) AS deleted, EXISTS (SELECT 1 FROM coupons WHERE id = \(bind: id)) AS exists
            """
        ).single()
        if try row.decode("deleted", as: Int.self) == 1 { return true }
        return try row.decode("exists", as: Bool.self) ? nil : false
    }

    // MARK: Redeeming

    /// The coupon with `code` and what stands in its way now, for `userId` (nil: a guest, whose
    /// per-user limit is checked at checkout).
    public static func standing(code: String, userId: String?, on db: PostgresClient) throws -> CouponStanding? {
        try standing(where: "c.code = \(bind: code)", userId: userId, on: db)
    }

    /// The same, by id: why checkout could not redeem the cart's coupon.
    public static func standing(id: String, userId: String?, on db: PostgresClient) throws -> CouponStanding? {
        try standing(where: "c.id = \(bind: id)", userId: userId, on: db)
    }

    private static func standing(where condition: PostgresQuery, userId: String?, on db: PostgresClient) throws -> CouponStanding? {
        try db.query(
            """
            SELECT c.id, c.code, c.type, c.value::text AS value, c.min_subtotal::text AS min_subtotal, c.is_active,
                   \(CouponRules.notStarted("c")) AS not_started, \(CouponRules.ended("c")) AS ended, \(CouponRules.exhausted("c")) AS exhausted,
                   (c.max_redemptions_per_user IS NOT NULL AND \(bind: userId)::uuid IS NOT NULL
                    AND \(CouponRules.usedBy(userId, "c")) >= c.max_redemptions_per_user) AS used_up
            FROM coupons c WHERE \(condition)
            """
        ).first.map(CouponStanding.init(row:))
    }

    /// Counts one redemption of the coupon for `userId` if it still holds for a cart of
    /// `subtotal`: one statement that locks the coupon's row, so of any number of concurrent
    /// checkouts only as many pass as `max_redemptions` allows (each re-reads the count once
    /// the lock is theirs). The per-user count is read after the caller's cart lock, which one
    /// user's checkouts take one at a time. The terms as they are now; nil when refused.
    public static func redeem(couponId: String, userId: String, subtotal: Cents, on db: PostgresClient) throws -> CouponTerms? {
        try db.query(
            """
            UPDATE coupons c SET redemptions = c.redemptions + 1, updated_at = now()
            WHERE c.id = \(bind: couponId) AND \(CouponRules.open("c"))
              AND (c.min_subtotal IS NULL OR c.min_subtotal <= \(bind: subtotal)::numeric)
              AND (c.max_redemptions_per_user IS NULL OR \(CouponRules.usedBy(userId, "c")) < c.max_redemptions_per_user)
            RETURNING c.code, c.type, c.value::text AS value
            """
        ).first.map { try CouponTerms(row: $0) }
    }

    /// The redemption row of an order placed in the same statement (`orders` names the CTE
    /// that inserted it), for checkout's `WITH`.
    public static func recordingRedemption(couponId: String, userId: String, orderFrom orders: PostgresQuery) -> PostgresQuery {
        "INSERT INTO coupon_redemptions (order_id, coupon_id, user_id) SELECT id, \(bind: couponId)::uuid, \(bind: userId)::uuid FROM \(orders)"
    }

    /// A cancelled order gives its redemption back (once: only a live redemption is released).
    public static func release(orderId: String, on db: PostgresClient) throws {
        try db.query(
            """
            WITH released AS (
                UPDATE coupon_redemptions SET released_at = now() WHERE order_id = \(bind: orderId) AND released_at IS NULL RETURNING coupon_id
            )
            UPDATE coupons SET redemptions = redemptions - 1, updated_at = now() WHERE id IN (SELECT coupon_id FROM released)
            """)
    }
}

extension PostgresRow {
    fileprivate func decodeRecord() throws -> CouponRecord { try CouponRecord(row: self) }
}
