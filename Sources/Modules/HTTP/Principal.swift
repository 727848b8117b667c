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

extension Request {
    /// The caller of a bearer or admin route. The guard runs before every such handler, so a
    /// missing principal here is a route declared `public` by mistake: answer 401, not 500.
    public func requirePrincipal() throws(APIError) -> Principal {
        guard let principal else { throw APIError.unauthorized() }
        return principal
    }
}

extension Request {
    /// A `:name` path parameter that must be a UUID (API.md §1: malformed → 400), lowercased.
    /// `field` names it in the error when the pattern's name says more (`:idOrSlug` taking an id).
    public func uuidParameter(_ name: String, field: String? = nil) throws(APIError) -> String {
        guard let text = pathParameters[name], UUIDText.isValid(text) else {
            throw APIError.validation([FieldError(field: field ?? name, message: "must be a UUID")])
        }
        return text.lowercased()
    }
}
