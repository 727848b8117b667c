import Auth
import Cart
import HTTP
import Metrics
import Scoreboard

/// The request pipeline of one worker: responder, access log and scoreboard accounting.
public final class Application {
    public let context: AppContext
    public let responder: Responder<AppContext>

    public init(context: AppContext) {
        self.context = context
        let router = Router(RouteTable.routes(enableTestRoutes: context.configuration.enableTestRoutes))
        responder = Responder(
            router: router,
            cors: CORSPolicy(allowedOrigins: context.configuration.corsOrigins),
            clock: context.clock,
            guardAccess: { route, request, context in
                guard route.access != .public else { return }
                // A guest names their cart by its token; the cart routes look it up.
                if route.access == .bearerOrCartToken, Authenticator.bearerToken(request) == nil, request.headers[CartOwner.tokenHeader] != nil {
                    return
                }
                let principal = try Authenticator.authenticate(
                    request, access: route.access, apiKeyScope: APIKeyScopeTable.scope(route.method, route.pattern), context: context.app)
                // Let in, a key had the route's scope.
                if principal.apiKey != nil, let scope = APIKeyScopeTable.scope(route.method, route.pattern),
                    let counter = MetricCounter.apiKeyRequests[scope]
                {
                    context.app.slot.add(namedCounter: counter.rawValue)
                }
                context.principal = principal
            },
            mapError: ErrorMapping.apiError(for:)
        )
        let layout = context.scoreboard.layout
        let patternIndexes = router.routes.map { layout.patternIndex($0.pattern) }
        let slot = context.slot
        responder.onRouteMatched = { index in slot.setCurrentPattern(patternIndexes[index]) }
    }

    /// Whether the route for `method path` reads its body as a stream (uploads).
    public func streamsBody(_ method: HTTPMethod, _ path: String) -> Bool {
        if case .found(let route, _, _) = responder.router.match(method: method, path: path) { return route.body == .multipart }
        return false
    }

    /// The largest streamed body: ten files at the upload limit, plus their multipart framing.
    public var streamedBodyLimit: Int { context.configuration.uploadMaxBytes * 10 + (1 << 20) }

    /// The scoreboard layout every process of this build shares.
    public static func scoreboardLayout(configuration: Configuration) -> ScoreboardLayout {
        ScoreboardLayout(patterns: RouteTable.routes(enableTestRoutes: configuration.enableTestRoutes).map(\.pattern), pools: PoolSettings.poolNames)
    }

    /// Answers one request and accounts for it: the access-log line, the slot's counters.
    public func handle(_ request: Request, startedAt: UInt64) -> Response {
        let logger = context.beginRequest(request.requestId, readOnly: request.method == .get || request.method == .head)
        defer { context.endRequest() }
        let requestContext = RequestContext(app: context, requestId: request.requestId, logger: logger)
        var outcome = responder.respond(to: request, context: requestContext)
        // The replica failed under a read (a GET, so answering it twice changes nothing).
        if outcome.response.status.code >= 500 && context.retryCatalogReadsOnPrimary() {
            outcome = responder.respond(to: request, context: requestContext)
        }
        return account(request, outcome, startedAt)
    }

    /// Answers a request refused before its handler could run (body over the limit).
    public func handleRejected(_ request: Request, error: APIError, startedAt: UInt64) -> Response {
        _ = context.beginRequest(request.requestId)
        defer { context.endRequest() }
        return account(request, responder.reject(request, with: error), startedAt)
    }

    /// Answers a request whose method the service does not know: 405 with the path's methods,
    /// or 404 when no route has the path.
    public func handleUnknownMethod(_ request: Request, startedAt: UInt64) -> Response {
        let error: APIError =
            responder.router.allowedMethods(path: request.rawPath).map { APIError.methodNotAllowed(allowed: $0.map(\.rawValue)) }
            ?? .notFound("No route for \(request.rawMethod) \(request.rawPath)")
        _ = context.beginRequest(request.requestId)
        defer { context.endRequest() }
        return account(request, responder.reject(request, with: error), startedAt)
    }

    private func account(_ request: Request, _ outcome: Responder<AppContext>.Outcome, _ startedAt: UInt64) -> Response {
        let micros = (context.clock.monotonicNanoseconds() - startedAt) / 1000
        context.slot.recordRequest(method: request.rawMethod, pattern: outcome.routeLabel, status: outcome.response.status.code, durationMicroseconds: micros)
        log(request, outcome, micros)
        return outcome.response
    }

    private func log(_ request: Request, _ outcome: Responder<AppContext>.Outcome, _ micros: UInt64) {
        let logger = context.logger
        if let error = outcome.internalError {
            logger.error("request failed", ["route": .string(outcome.routeLabel), "error": .string(String(describing: error))])
        }
        let slow = micros >= UInt64(context.configuration.pool.slowRequestMilliseconds) * 1000
        logger.log(
            slow ? .warn : .info, slow ? "slow request" : "request",
            [
                "method": .string(request.rawMethod),
                "route": .string(outcome.routeLabel),
                "status": .int(outcome.response.status.code),
                "durationMs": .number(Self.milliseconds(micros)),
                "bytes": .int(outcome.response.body.count),
            ])
    }

    /// `1234` µs → `"1.234"`.
    static func milliseconds(_ micros: UInt64) -> String {
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
