/// The fixed chain every request goes through inside a worker (DESIGN.md §3): route match,
/// CORS preflight, 405, media type, access guard, handler, error rendering. Built once per
/// worker; it knows no feature and no C library.
public final class Responder<Context> {
    public typealias Guard = (Route<Context>, Request, inout RequestContext<Context>) throws -> Void
    /// Turns errors from below the HTTP layer (database, cache) into API errors; nil means 500.
    public typealias ErrorMapper = (any Error) -> APIError?

    /// What happened to one request, for the access log and the metrics.
    public struct Outcome {
        public var response: Response
        /// Index of the matched route in `router.routes`, nil when none matched.
        public var routeIndex: Int?
        /// The route pattern, or `unmatched`, never the raw path.
        public var routeLabel: String
        /// The error that became a 500, for the error log line; never sent to the client.
        public var internalError: (any Error)?
    }

    public let router: Router<Context>
    private let cors: CORSPolicy
    private let clock: Clock
    private let guardAccess: Guard
    private let mapError: ErrorMapper
    /// Told the index of the matched route before its handler runs (the scoreboard shows it).
    public var onRouteMatched: ((Int) -> Void)?

    public init(router: Router<Context>, cors: CORSPolicy, clock: Clock, guardAccess: @escaping Guard, mapError: @escaping ErrorMapper) {
        self.router = router
        self.cors = cors
        self.clock = clock
        self.guardAccess = guardAccess
        self.mapError = mapError
    }

    /// Answers `error` without running the route (a body over the limit, refused while reading),
    /// labelled with the route the path would have matched.
    public func reject(_ request: Request, with error: APIError) -> Outcome {
        var outcome = Outcome(response: render(error, request), routeIndex: nil, routeLabel: "unmatched", internalError: nil)
        switch router.match(method: request.method, path: request.rawPath) {
        case .found(let route, let index, _):
            outcome.routeIndex = index
            outcome.routeLabel = route.pattern
        case .methodNotAllowed(let pattern, _):
            outcome.routeLabel = pattern
        case .notFound, .malformedPath:
            break
        }
        finish(&outcome.response, request)
        return outcome
    }

    public func respond(to request: Request, context: RequestContext<Context>) -> Outcome {
        var context = context
        var outcome = Outcome(response: Response(status: .ok), routeIndex: nil, routeLabel: "unmatched", internalError: nil)
        do {
            outcome.response = try dispatch(request, &context, &outcome)
        } catch let error as APIError {
            outcome.response = render(error, request)
        } catch {
            if let mapped = mapError(error) {
                outcome.response = render(mapped, request)
                if mapped.status.code >= 500 { outcome.internalError = error }
            } else {
                outcome.internalError = error
                outcome.response = render(.internalError, request)
            }
        }
        finish(&outcome.response, request)
        return outcome
    }

    private func dispatch(_ request: Request, _ context: inout RequestContext<Context>, _ outcome: inout Outcome) throws -> Response {
        switch router.match(method: request.method, path: request.rawPath) {
        case .notFound:
            throw APIError.notFound("No route for \(request.rawMethod) \(request.rawPath)")
        case .malformedPath:
            throw APIError.badRequest("Malformed path")
        case .methodNotAllowed(let pattern, let allowed):
            outcome.routeLabel = pattern
            if request.method == .options { return cors.preflight(for: request, allowed: allowed) }
            throw APIError.methodNotAllowed(allowed: allowed.map(\.rawValue))
        case .found(let route, let index, let parameters):
            outcome.routeIndex = index
            outcome.routeLabel = route.pattern
            onRouteMatched?(index)
            context.parameters = parameters
            // A POST with no body at all (logout without options) is not a media-type error;
            // a route that needs a body answers 400 for the empty one.
            let bodyless = request.body.isEmpty && request.headers["content-type"] == nil
            if route.body != .none && request.method.hasBody && !bodyless {
                try checkMediaType(route.body, request)
            }
            try guardAccess(route, request, &context)
            return try route.handler(request, &context)
        }
    }

    private func checkMediaType(_ kind: RequestBodyKind, _ request: Request) throws(APIError) {
        let expected = kind == .multipart ? "multipart/form-data" : "application/json"
        guard request.mediaType == expected else { throw APIError.unsupportedMediaType(expected: expected) }
        if kind == .json, let charset = Self.charset(request.headers["content-type"]), charset != "utf-8" {
            throw APIError.unsupportedMediaType(expected: "application/json; charset=utf-8")
        }
    }

    private static func charset(_ contentType: String?) -> String? {
        guard let contentType, let range = contentType.lowercased().firstRange(of: "charset=") else { return nil }
        return String(contentType.lowercased()[range.upperBound...].prefix { $0 != ";" && $0 != " " }).replacing("\"", with: "")
    }

    private func render(_ error: APIError, _ request: Request) -> Response {
        error.response(path: request.rawPath, requestId: request.requestId, timestamp: clock.timestamp())
    }

    private func finish(_ response: inout Response, _ request: Request) {
        response.headers.append(("X-Request-Id", request.requestId))
        response.headers += cors.headers(for: request)
        if response.header("Cache-Control") == nil {
            response.headers.append(("Cache-Control", "no-store"))
        }
        // The length lets nginx pass the answer on as it came, instead of re-framing it in chunks
        // (a chunk header and a last chunk written per answer); a HEAD tells the GET's length.
        if response.stream == nil, response.status.allowsBody {
            response.headers.append(("Content-Length", String(response.body.count)))
        }
        if request.method == .head { response.body = [] }
    }
}
