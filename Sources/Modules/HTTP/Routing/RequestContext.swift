/// What the chain learns about one request while answering it, beside the `Request` it
/// received (which nothing changes after decoding): the request id and a logger carrying it,
/// the path parameters the router matched, the caller the access guard authenticated, and
/// the worker's long-lived dependencies (`app`), whose members read through this value
/// (`context.database`).
@dynamicMemberLookup
public struct RequestContext<App> {
    public let app: App
    public let requestId: String
    /// The worker's logger with `requestId` on every line.
    public let logger: Logger
    /// `:name` → value, percent-decoded; set by the router before the guard runs.
    public internal(set) var parameters: [String: String] = [:]
    /// Set by the access guard on bearer and admin routes.
    public var principal: Principal?

    public init(app: App, requestId: String, logger: Logger) {
        self.app = app
        self.requestId = requestId
        self.logger = logger
    }

    public subscript<Member>(dynamicMember member: KeyPath<App, Member>) -> Member { app[keyPath: member] }

    public func parameter(_ name: String) -> String? { parameters[name] }

    /// A `:name` path parameter that must be a UUID (API.md §1: malformed → 400), lowercased.
    /// `field` names it in the error when the pattern's name says more (`:idOrSlug` taking an id).
    public func uuidParameter(_ name: String, field: String? = nil) throws(APIError) -> String {
        guard let text = parameters[name], UUIDText.isValid(text) else {
            throw APIError.validation([FieldError(field: field ?? name, message: "must be a UUID")])
        }
        return text.lowercased()
    }

    /// The caller of a bearer or admin route. The guard runs before every such handler, so a
    /// missing principal here is a route declared `public` by mistake: answer 401, not 500.
    public func requirePrincipal() throws(APIError) -> Principal {
        guard let principal else { throw APIError.unauthorized() }
        return principal
    }
}
