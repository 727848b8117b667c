import HTTP
import Postgres

/// An API key as admins see it (API.md §12.5): never its secret or hash.
public struct APIKeyRecord: JSONRepresentable, Sendable {
    public let id: String
    public let name: String
    public let prefix: String
    public let scopes: [String]
    public let createdBy: String
    public let createdAt: String
    public let expiresAt: String?
    public let lastUsedAt: String?
    public let revokedAt: String?

    static let columns: PostgresQuery = """
        k.id, k.name, k.prefix, array_to_string(k.scopes, ' ') AS scopes, k.created_by,
        \(SQLFragment.isoTimestamp("k.created_at")) AS created_at, \(SQLFragment.isoTimestamp("k.expires_at")) AS expires_at,
        \(SQLFragment.isoTimestamp("k.last_used_at")) AS last_used_at, \(SQLFragment.isoTimestamp("k.revoked_at")) AS revoked_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        name = try row.decode("name")
        prefix = try row.decode("prefix")
        scopes = try row.decode("scopes", as: String.self).split(separator: " ").map(String.init)
        createdBy = try row.decode("created_by")
        createdAt = try row.decode("created_at")
        expiresAt = try row.decode("expires_at")
        lastUsedAt = try row.decode("last_used_at")
        revokedAt = try row.decode("revoked_at")
    }

    public var json: JSONValue {
        .object([
            "id": .string(id), "name": .string(name), "prefix": .string(prefix), "scopes": .array(scopes.map(JSONValue.string)),
            "createdAt": .string(createdAt), "expiresAt": expiresAt.map(JSONValue.string) ?? .null,
            "lastUsedAt": lastUsedAt.map(JSONValue.string) ?? .null, "revokedAt": revokedAt.map(JSONValue.string) ?? .null,
        ])
    }
}

/// What the guard needs of a key, cached in Redis under its prefix.
struct APIKeyGrantState: Sendable, Equatable {
    let id: String
    let secretHash: [UInt8]
    let scopes: Set<String>
    let createdBy: String
    /// Epoch milliseconds; nil: never.
    let expiresAt: Int64?
    let revoked: Bool
}
