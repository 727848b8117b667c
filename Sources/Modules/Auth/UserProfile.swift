import HTTP
import Postgres

/// A user as API.md §3 shows them, and nothing secret: what `GET /api/users/me` answers and
/// what the session cache keeps beside each live session, so that answer needs no PostgreSQL.
public struct UserProfile: JSONRepresentable, Sendable, Equatable {
    public let id: String
    public let email: String
    public let firstName: String
    public let lastName: String
    public let role: Principal.Role
    public let isActive: Bool
    public let createdAt: String
    public let updatedAt: String

    /// The select list of a profile; `table` names the users table in a join (`"u."`).
    public static func columns(_ table: PostgresQuery = "") -> PostgresQuery {
        """
        \(table)id, \(table)email, \(table)first_name, \(table)last_name, \(table)role, \(table)is_active, \
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
        createdAt = try row.decode("created_at", as: String.self)
        updatedAt = try row.decode("updated_at", as: String.self)
    }

    /// Read back from `json` (the session cache's copy); nil when anything is missing.
    init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let email = json["email"]?.stringValue, let firstName = json["firstName"]?.stringValue,
            let lastName = json["lastName"]?.stringValue, let role = json["role"]?.stringValue.flatMap(Principal.Role.init(rawValue:)),
            let isActive = json["isActive"]?.boolValue, let createdAt = json["createdAt"]?.stringValue,
            let updatedAt = json["updatedAt"]?.stringValue
        else { return nil }
        (self.id, self.email, self.firstName, self.lastName, self.role) = (id, email, firstName, lastName, role)
        (self.isActive, self.createdAt, self.updatedAt) = (isActive, createdAt, updatedAt)
    }

    public var json: JSONValue {
        .object([
            "id": .string(id), "email": .string(email), "firstName": .string(firstName), "lastName": .string(lastName),
            "role": .string(role.rawValue), "isActive": .bool(isActive), "createdAt": .string(createdAt), "updatedAt": .string(updatedAt),
        ])
    }
}
