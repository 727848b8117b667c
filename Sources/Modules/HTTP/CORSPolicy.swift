/// CORS for browser storefronts on an exact list of origins (API.md §1). No credentials
/// mode: tokens travel in `Authorization`, never in cookies.
public struct CORSPolicy: Sendable {
    public let allowedOrigins: Set<String>

    public static let allowedHeaders = "Authorization, Content-Type, Idempotency-Key, X-Cart-Token"
    public static let maxAgeSeconds = 600

    public init(allowedOrigins: Set<String>) { self.allowedOrigins = allowedOrigins }

    public func allows(_ origin: String?) -> Bool {
        guard let origin else { return false }
        return allowedOrigins.contains(origin)
    }

    /// Headers for an answer to an allowed origin.
    public func headers(for request: Request) -> [(name: String, value: String)] {
        guard let origin = request.headers["origin"], allows(origin) else { return [] }
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"), ("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")]
    }

    /// The 204 answer to `OPTIONS`: CORS headers when the origin is allowed, `Allow` always.
    public func preflight(for request: Request, allowed: [HTTPMethod]) -> Response {
        let methods = allowed.map(\.rawValue).joined(separator: ", ")
        var response = Response(status: .noContent, headers: [("Allow", methods)])
        if let origin = request.headers["origin"], allows(origin) {
            response.headers += [
                ("Access-Control-Allow-Origin", origin),
                ("Vary", "Origin"),
                ("Access-Control-Allow-Methods", methods),
                ("Access-Control-Allow-Headers", Self.allowedHeaders),
                ("Access-Control-Max-Age", String(Self.maxAgeSeconds)),
            ]
        }
        return response
    }
}
