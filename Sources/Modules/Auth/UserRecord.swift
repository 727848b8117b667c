import HTTP
import Postgres

/// A row of `users` as the service reads it. `passwordHash` never leaves the service: `json`
/// is the contract's user and nothing more.
public struct UserRecord: JSONRepresentable, Sendable {
    public let id: String
    public let email: String
    public let firstName: String
    public let lastName: String
    public let role: Principal.Role
    public let isActive: Bool
    public let passwordHash: String
    public let createdAt: String
    public let updatedAt: String

    /// The select list every user query uses, in the order `init(row:)` reads; `alias` names
    /// the users table in a join.
    public static func columns(_ alias: String? = nil) -> String {
        let p = alias.map { $0 + "." } ?? ""
        return "\(p)id, \(p)email, \(p)first_name, \(p)last_name, \(p)role, \(p)is_active, \(p)password_hash, "
            + SQLFragment.isoTimestamp(p + "created_at") + " AS created_at, " + SQLFragment.isoTimestamp(p + "updated_at") + " AS updated_at"
    }

    public init(row: PostgresRow) {
        id = row.string("id")!
        email = row.string("email")!
        firstName = row.string("first_name")!
        lastName = row.string("last_name")!
        role = Principal.Role(rawValue: row.string("role")!) ?? .user
        isActive = row.bool("is_active")!
        passwordHash = row.string("password_hash")!
        createdAt = row.string("created_at")!
        updatedAt = row.string("updated_at")!
    }

    public var json: JSONValue {
        .object([
            "id": .string(id), "email": .string(email), "firstName": .string(firstName), "lastName": .string(lastName),
            "role": .string(role.rawValue), "isActive": .bool(isActive), "createdAt": .string(createdAt), "updatedAt": .string(updatedAt),
        ])
    }
}
