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
    public let profile: JSONValue?

    public init(userId: String, sessionId: String, role: Role, profile: JSONValue? = nil) {
        self.userId = userId
        self.sessionId = sessionId
        self.role = role
        self.profile = profile
    }
}
