/// Who is calling, as the authentication guard established it for this request: the user,
/// the session the access token belongs to, the user's role *now* (not the token's), and their
/// profile as the contract shows it, read with the session.
public struct Principal: Sendable, Equatable {
    public enum Role: String, Sendable {
        case user
        case admin
    }

    public let userId: String
    public let sessionId: String
    public let role: Role
    /// The user's profile as `GET /api/users/me` shows it, encoded (from the session cache).
    public let profileJSON: [UInt8]?
    /// Set when the caller is an API key (API.md §12.5): `userId` is then the admin who made it.
    public let apiKey: APIKeyGrant?

    public init(userId: String, sessionId: String, role: Role, profileJSON: [UInt8]? = nil, apiKey: APIKeyGrant? = nil) {
        self.userId = userId
        self.sessionId = sessionId
        self.role = role
        self.profileJSON = profileJSON
        self.apiKey = apiKey
    }
}

/// An API key as the guard let it in: which key, and what it may do.
public struct APIKeyGrant: Sendable, Equatable {
    public let id: String
    public let scopes: Set<String>

    public init(id: String, scopes: Set<String>) {
        self.id = id
        self.scopes = scopes
    }
}
