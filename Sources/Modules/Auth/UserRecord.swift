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

    /// The select list every user query uses; `table` names the users table in a join (`"u."`).
    public static func columns(_ table: PostgresQuery = "") -> PostgresQuery {
        """
        \(table)id, \(table)email, \(table)first_name, \(table)last_name, \(table)role, \(table)is_active, \(table)password_hash, \
        \(SQLFragment.isoTimestamp("\(table)created_at")) AS created_at, \(SQLFragment.isoTimestamp("\(table)updated_at")) AS updated_at
        """
    }

    public init(row: PostgresRow) throws {
        id = try row.decode("id", as: String.self)
        email = try row.decode("email", as: String.self)
        firstName = try row.decode("first_name", as: String.self)
        lastName = try row.decode("last_name", as: String.self)
        role = try row.decode("role", as: Principal.Role.self)
        isActive = try row.decode("is_active", as: Bool.self)
        passwordHash = try row.decode("password_hash", as: String.self)
        createdAt = try row.decode("created_at", as: String.self)
        updatedAt = try row.decode("updated_at", as: String.self)
    }

    public var json: JSONValue {
        .object([
            "id": .string(id), "email": .string(email), "firstName": .string(firstName), "lastName": .string(lastName),
            "role": .string(role.rawValue), "isActive": .bool(isActive), "createdAt": .string(createdAt), "updatedAt": .string(updatedAt),
        ])
    }
}

/// A role the database holds that this build does not know fails the request, rather than
/// quietly becoming `user`.
extension Principal.Role: PostgresDecodable {}
