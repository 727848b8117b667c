import HTTP
import Postgres

/// A coupon as API.md §12.2 shows it to admins.
public struct CouponRecord: JSONRepresentable, Sendable {
    public let id: String
    public let terms: CouponTerms
    public let minSubtotal: Cents?
    public let startsAt: String?
    public let endsAt: String?
    public let maxRedemptions: Int?
    public let maxRedemptionsPerUser: Int?
    public let redemptions: Int
    public let isActive: Bool
    public let createdAt: String
    public let updatedAt: String

    static let columns: PostgresQuery = """
        c.id, c.code, c.type, c.value::text AS value, c.min_subtotal::text AS min_subtotal,
        \(SQLFragment.isoTimestamp("c.starts_at")) AS starts_at, \(SQLFragment.isoTimestamp("c.ends_at")) AS ends_at,
        c.max_redemptions, c.max_redemptions_per_user, c.redemptions, c.is_active,
        \(SQLFragment.isoTimestamp("c.created_at")) AS created_at, \(SQLFragment.isoTimestamp("c.updated_at")) AS updated_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        terms = try CouponTerms(row: row)
        minSubtotal = try row.decode("min_subtotal")
        startsAt = try row.decode("starts_at")
        endsAt = try row.decode("ends_at")
        maxRedemptions = try row.decode("max_redemptions")
        maxRedemptionsPerUser = try row.decode("max_redemptions_per_user")
        redemptions = try row.decode("redemptions")
        isActive = try row.decode("is_active")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }

    public var json: JSONValue {
        .object([
            "id": .string(id), "code": .string(terms.code), "type": .string(terms.kind.rawValue), "value": terms.valueJSON,
            "minSubtotal": minSubtotal.map { .string($0.description) } ?? .null,
            "startsAt": startsAt.map(JSONValue.string) ?? .null, "endsAt": endsAt.map(JSONValue.string) ?? .null,
            "maxRedemptions": maxRedemptions.map(JSONValue.int) ?? .null,
            "maxRedemptionsPerUser": maxRedemptionsPerUser.map(JSONValue.int) ?? .null,
            "redemptions": .int(redemptions), "isActive": .bool(isActive), "createdAt": .string(createdAt), "updatedAt": .string(updatedAt),
        ])
    }
}

extension CouponTerms {
    /// From the columns `code`, `type` and `value` (numeric as text: a percentage is stored as
    /// its whole number, so 10 reads as 10.00, which is 1000 "cents" of a percent).
    public init(row: PostgresRow, prefix: String = "") throws {
        let type = try row.decode(prefix + "type", as: String.self)
        guard let kind = Kind(rawValue: type) else {
            throw PostgresDecodingError(column: prefix + "type", type: "CouponTerms.Kind", problem: .invalidText)
        }
        self.init(code: try row.decode(prefix + "code"), kind: kind, value: try row.decode(prefix + "value"))
    }
}
