/// Who may call a route. Enforced by the authentication middleware, declared in each
/// feature's route table so the guard is visible where the route is.
public enum RouteAccess: String, Sendable {
    case `public`
    case bearer
    case admin
    /// A bearer token, or without one a guest's `X-Cart-Token` (API.md §12.1): the cart routes.
    case bearerOrCartToken
}

/// What a route reads from the body; the worker checks the media type before the handler runs.
public enum RequestBodyKind: Sendable, Equatable {
    case none
    case json
    case multipart
}

public struct Route<Context>: @unchecked Sendable {
    public typealias Handler = (Request, inout RequestContext<Context>) throws -> Response

    public let method: HTTPMethod
    public let pattern: String
    public let access: RouteAccess
    public let body: RequestBodyKind
    public let handler: Handler

    public init(_ method: HTTPMethod, _ pattern: String, access: RouteAccess = .public, body: RequestBodyKind = .none, handler: @escaping Handler) {
        self.method = method
        self.pattern = pattern
        self.access = access
        self.body = body
        self.handler = handler
    }
}
