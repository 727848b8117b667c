import HTTP
import Postgres

/// A row of `users` as the service reads it: the profile the contract shows, and the password
/// hash, which never leaves the service (`json` is the profile and nothing more).
public struct UserRecord: JSONRepresentable, Sendable {
    public let profile: UserProfile
    public let passwordHash: String

    public var id: String { profile.id }
    public var email: String { profile.email }
    public var firstName: String { profile.firstName }
    public var lastName: String { profile.lastName }
    public var role: Principal.Role { profile.role }
    public var isActive: Bool { profile.isActive }

    /// The select list every user query uses; `table` names the users table in a join (`"u."`).
    public static func columns(_ table: PostgresQuery = "") -> PostgresQuery {
        "\(UserProfile.columns(table)), \(table)password_hash"
    }

    public init(row: PostgresRow) throws {
        profile = try UserProfile(row: row)
        passwordHash = try row.decode("password_hash", as: String.self)
    }

    public var json: JSONValue { profile.json }
}

/// A role the database holds that this build does not know fails the request, rather than
/// quietly becoming `user`.
extension Principal.Role: PostgresDecodable {}
